// Telling a person at once, whatever tab they are reading, that the meeting needs them: the floor
// given to them, a vote they can cast. A banner that stays until dismissed (or until it no longer
// applies: the turn ended, the vote closed or was cast), a short beep (WebAudio) and a vibration
// where the device allows, and the tab marked until it is opened (the meeting screen's mark()).
import { h } from "../dom.js";
import { t } from "../i18n.js";

const VOTERS = ["delegate", "point"]; // the chair opens the votes: nothing to tell them
const FLOOR_TAB = "floor";

// Browsers start audio only after a gesture on the page: the context is made (or resumed) on the
// first tap or key, so a later beep can sound without one.
let audio = null;
function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!audio) audio = new Ctx();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}
for (const type of ["pointerdown", "keydown"]) {
  window.addEventListener(type, () => { try { audioContext(); } catch { /* no audio */ } }, { capture: true, once: true });
}

/** Two short tones, like a desk phone's; silent where audio is not allowed. */
export function beep() {
  try {
    const ctx = audioContext();
    if (!ctx) return;
    for (const [at, freq] of [[0, 880], [0.3, 1175]]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + at + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + at);
      osc.stop(ctx.currentTime + at + 0.27);
    }
  } catch (err) {
    console.warn("beep", err);
  }
}

function vibrate() {
  try { navigator.vibrate?.([200, 100, 200]); } catch { /* not allowed here */ }
}

/** Mount the alerts of one meeting screen; `voted(poll)` says whether this device cast it;
 * `open(tabId)` brings a tab forward, `mark(tabId)` marks it until it is opened (the screen's). */
export function mountAlerts(live, { user, voted, open, mark }) {
  const box = h("div.alerts", { role: "region", "aria-label": t("Thông báo khẩn", "Alerts") });
  document.body.append(box);
  const dismissed = new Set(); // keys the person closed: not shown again for the same thing

  function remove(key) {
    box.querySelector(`[data-alert="${key}"]`)?.remove();
  }

  function openFloor(key) {
    dismissed.add(key);
    remove(key);
    open(FLOOR_TAB);
  }

  function tell(key, kind, title, text, loud) {
    if (dismissed.has(key) || box.querySelector(`[data-alert="${key}"]`)) return;
    box.append(h(`div.alert-banner.${kind}`, { role: "alert", "data-alert": key, "data-testid": `alert-${kind}` },
      h("div.alert-text", h("strong", title), text ? h("span", text) : null),
      h("div.alert-actions",
        h("button.primary", { type: "button", onclick: () => openFloor(key) },
          kind === "vote" ? t("Biểu quyết ngay", "Vote now") : t("Xem", "Show")),
        h("button", { type: "button", onclick: () => { dismissed.add(key); remove(key); } }, t("Đã biết", "Dismiss")))));
    mark(FLOOR_TAB);
    if (loud) { beep(); vibrate(); }
  }

  function check(state, loud) {
    if (!state) return;
    const live = state.status === "in_progress";
    const sp = state.floor?.speaker;
    const floorKey = sp ? `floor-${sp.request_id}` : null;
    for (const el of box.querySelectorAll('[data-alert^="floor-"]')) {
      if (el.dataset.alert !== floorKey) el.remove();
    }
    if (live && sp && sp.user_id === user.id) {
      const limit = sp.time_limit_s ? t(` Thời gian: ${Math.round(sp.time_limit_s / 60)} phút.`, ` Time: ${Math.round(sp.time_limit_s / 60)} min.`) : "";
      tell(floorKey, "floor", t("Chủ trì đã mời bạn phát biểu", "The chair has given you the floor"),
        t("Mời bạn bật micro và phát biểu.", "Please turn on your microphone and speak.") + limit, loud);
    }
    const open = new Set();
    if (live && VOTERS.includes(state.my_role)) {
      for (const poll of state.polls || []) {
        if (poll.status !== "open" || poll.i_voted || voted(poll)) continue;
        const key = `vote-${poll.poll_id}`;
        open.add(key);
        tell(key, "vote", t("Đang biểu quyết — mời bạn biểu quyết", "A vote is open — please vote"), poll.question, loud);
      }
    }
    for (const el of box.querySelectorAll('[data-alert^="vote-"]')) {
      if (!open.has(el.dataset.alert)) el.remove();
    }
  }

  // What is already so when the screen opens is shown quietly; what happens later, loudly.
  check(live.state(), false);
  const off = live.onState((state) => check(state, true));
  return {
    destroy() {
      off();
      box.remove();
    },
  };
}
