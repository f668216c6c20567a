// Dates and times as the province reads them: Asia/Ho_Chi_Minh, whatever the device's zone.
import { lang } from "./i18n.js";

export const ZONE = "Asia/Ho_Chi_Minh";
const OFFSET = "+07:00"; // Viet Nam has no daylight saving time

function locale() {
  return lang() === "en" ? "en-GB" : "vi-VN";
}

export function fmtDate(iso) {
  return new Intl.DateTimeFormat(locale(), {
    timeZone: ZONE, weekday: "short", day: "2-digit", month: "2-digit", year: "numeric",
  }).format(new Date(iso));
}

export function fmtTime(iso) {
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso));
}

export function fmtDateTime(iso) {
  return `${fmtTime(iso)} ${fmtDate(iso)}`;
}

export function fmtRange(start, end) {
  const sameDay = dayKey(start) === dayKey(end);
  return sameDay
    ? `${fmtTime(start)}–${fmtTime(end)}, ${fmtDate(start)}`
    : `${fmtDateTime(start)} – ${fmtDateTime(end)}`;
}

/** "2026-11-23" for the Viet Nam calendar day of an instant. */
export function dayKey(iso) {
  const d = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

/** ISO instant of 00:00 Viet Nam time on a day key. */
export function dayStart(key) {
  return new Date(`${key}T00:00:00${OFFSET}`).toISOString();
}

export function addDays(key, n) {
  const d = new Date(`${key}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week holding the day key. */
export function weekStart(key) {
  const wd = new Date(`${key}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(key, -((wd + 6) % 7));
}

export function fmtDay(key) {
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", weekday: "long", day: "2-digit", month: "2-digit" })
    .format(new Date(`${key}T00:00:00Z`));
}

/** <input type="datetime-local"> value (Viet Nam wall time) ↔ ISO 8601 with offset. */
export function toLocalInput(iso) {
  if (!iso) return "";
  return new Date(new Date(iso).getTime() + 7 * 3600 * 1000).toISOString().slice(0, 16);
}

export function fromLocalInput(value) {
  return value ? `${value}:00${OFFSET}` : null;
}
