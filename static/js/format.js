// Dates and times as the province reads them, whatever the device's zone: the province's time
// zone is the server's setting (PROVINCE_TIMEZONE), which every page the server renders hands
// over in <meta name="province-timezone"> (meeting/templates: app.html, hall.html, wall.html).
// This is the one place the client turns instants into the province's wall time and back.
import { lang } from "./i18n.js";

function zoneOfPage() {
  const given = document.querySelector('meta[name="province-timezone"]')?.content;
  if (given) return given;
  // A page without the server's setting (none is rendered so): the device's own zone, said aloud.
  console.warn("no province-timezone on this page: times are shown in the device's zone");
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export const ZONE = zoneOfPage();

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

/** "08:05 30/11": a short time and day, as the documents' "who has opened it" table shows them. */
export function fmtShort(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("vi-VN", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });
}

export function fmtRange(start, end) {
  const sameDay = dayKey(start) === dayKey(end);
  return sameDay
    ? `${fmtTime(start)}–${fmtTime(end)}, ${fmtDate(start)}`
    : `${fmtDateTime(start)} – ${fmtDateTime(end)}`;
}

// ---- the province's wall time ------------------------------------------------------------------
const wallParts = new Intl.DateTimeFormat("en-US", {
  timeZone: ZONE, hourCycle: "h23",
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
});

/** The zone's offset from UTC at an instant (ms since the epoch), in minutes. */
function offsetAt(ms) {
  const at = Math.floor(ms / 1000) * 1000;
  const p = Object.fromEntries(wallParts.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const wallAsUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wallAsUtc - at) / 60000);
}

/** The instant (ms) of a wall time "YYYY-MM-DDTHH:MM" in the zone. */
function instantOf(wall) {
  const asUtc = Date.parse(`${wall}:00Z`);
  let ms = asUtc - offsetAt(asUtc) * 60000;
  ms = asUtc - offsetAt(ms) * 60000; // once more, in case the offset differs there (DST)
  return ms;
}

/** "+07:00" for an offset in minutes. */
function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** "YYYY-MM-DDTHH:MM" of an instant, in the zone. */
function wallOf(iso) {
  const ms = new Date(iso).getTime();
  return new Date(ms + offsetAt(ms) * 60000).toISOString().slice(0, 16);
}

/** "2026-11-23" for the province's calendar day of an instant. */
export function dayKey(iso) {
  return wallOf(iso).slice(0, 10);
}

/** ISO instant of 00:00 province time on a day key. */
export function dayStart(key) {
  return new Date(instantOf(`${key}T00:00`)).toISOString();
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

/** <input type="datetime-local"> value (province wall time) ↔ ISO 8601 with the zone's offset. */
export function toLocalInput(iso) {
  if (!iso) return "";
  return wallOf(iso);
}

export function fromLocalInput(value) {
  if (!value) return null;
  return `${value}:00${offsetText(offsetAt(instantOf(value)))}`;
}
