// Actions done offline (issue 13): opinions, notes and requests to speak. Each gets an
// idempotency key (`client_key`, see /api) when the user makes it; with the link down it waits
// in the device's outbox (localStorage, so a reload keeps it) and is sent when the link returns,
// one at a time in the order made. The server does a key once, so an action whose answer was
// lost in a drop and is sent again is not done twice. The user is told, for each, that it was
// sent or why it was refused (a request to speak after the meeting ended). Votes never come
// here: a vote needs the link (polls/panel.js says so on the vote card).
import { ApiError, call, connected, onConnection } from "../api.js";
import { t } from "../i18n.js";
import { toast } from "../ui.js";

const KEY = "hop:outbox";
// The answers that mean "not arrived": sent again later. Any other error is the server's word.
const NOT_ARRIVED = new Set(["timeout", "network"]);

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch {
    return [];
  }
}

function store(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
  window.dispatchEvent(new CustomEvent("hop:outbox", { detail: list }));
}

/** What waits to be sent (for panels that show "chờ gửi"). */
export const pending = (meetingId = null) =>
  load().filter((x) => meetingId === null || x.meeting_id === meetingId);

function newKey() {
  return crypto.randomUUID?.() || `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * Send now, or keep to send when the link returns. Resolves { sent: data } or { queued: true };
 * rejects with the server's ApiError when it refused at once (the caller shows it as usual).
 * label: what the user is told about it ("Góp ý: …").
 */
export async function sendOrQueue(event, payload, { meetingId, label }) {
  const entry = { event, payload: { ...payload, client_key: newKey() }, meeting_id: meetingId, label, made_at: Date.now() };
  if (connected()) {
    try {
      return { sent: await call(event, entry.payload) };
    } catch (err) {
      if (!NOT_ARRIVED.has(err.code)) throw err;
      // The link dropped while sending: the server may have it; its key makes a resend safe.
    }
  }
  store([...load(), entry]);
  toast(t(`Đã lưu trên máy, sẽ gửi khi có mạng: ${label}`, `Kept on this device, sent when the link returns: ${label}`));
  return { queued: true };
}

let flushing = false;

/** Send what waits, one at a time; called when the link returns (and at start). */
export async function flush() {
  if (flushing || !connected()) return;
  flushing = true;
  try {
    for (;;) {
      const [entry] = load();
      if (!entry || !connected()) return;
      let outcome;
      try {
        const data = await call(entry.event, entry.payload);
        outcome = { ok: true, data };
        toast(t(`Đã gửi: ${entry.label}`, `Sent: ${entry.label}`));
      } catch (err) {
        if (NOT_ARRIVED.has(err.code)) return; // still no link: keep it, try at the next connect
        outcome = { ok: false, error: err instanceof ApiError ? { code: err.code, message: err.message } : { code: "internal" } };
        toast(t(`Không gửi được: ${entry.label} — ${err.message}`, `Refused: ${entry.label} — ${err.message}`), "error");
      }
      store(load().filter((x) => x.payload.client_key !== entry.payload.client_key));
      window.dispatchEvent(new CustomEvent("hop:outbox-sent", { detail: { ...entry, ...outcome } }));
    }
  } finally {
    flushing = false;
  }
}

export function startOutbox() {
  onConnection((status) => { if (status === "connected") flush(); });
  flush();
}
