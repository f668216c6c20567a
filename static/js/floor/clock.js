// Countdowns drawn by the client from the server's absolute deadline (no per-second pushes).
//
// The tablet's clock may differ from the server's. When a grant arrives (a speaker we had not
// seen, who started a moment ago) the difference is estimated from its `started_at`; until
// then it is taken as zero.

let skewMs = 0;
let seenSpeaker = null;

/** Call with each floor state as it arrives; `fresh` = it came as a push (not a snapshot). */
export function noteFloor(floor, fresh) {
  const sp = floor?.speaker;
  if (!sp) { seenSpeaker = null; return; }
  if (fresh && sp.request_id !== seenSpeaker) {
    const diff = Date.now() - Date.parse(sp.started_at);
    if (Math.abs(diff) < 10 * 60 * 1000) skewMs = diff;
  }
  seenSpeaker = sp.request_id;
}

export function serverNow() {
  return Date.now() - skewMs;
}

/** "04:59", or "+00:12" once over time. */
export function fmtLeft(ms) {
  const over = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000 + (over ? 0 : 0.999));
  const text = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  return over ? `+${text}` : text;
}

/** The time spoken so far, "mm:ss". */
export function fmtElapsed(startedAt) {
  return fmtLeft(Math.max(0, serverNow() - Date.parse(startedAt))).replace("+", "");
}

/**
 * A live countdown element for a speaker: counts down to the deadline, then shows overtime;
 * with no time limit it counts the time spoken. One timer per element, stopped by stop().
 */
export function countdown(h, speaker) {
  const el = h("span.countdown", { role: "timer", "aria-live": "off" });
  const deadline = speaker.deadline ? Date.parse(speaker.deadline) : null;
  const tick = () => {
    if (deadline === null) {
      el.textContent = fmtElapsed(speaker.started_at);
      el.classList.remove("over");
      return;
    }
    const left = deadline - serverNow();
    el.textContent = fmtLeft(left);
    el.classList.toggle("over", left < 0);
    el.classList.toggle("soon", left >= 0 && left < 30000);
  };
  tick();
  const timer = setInterval(tick, 250);
  el.stop = () => clearInterval(timer);
  return el;
}
