// Telling a person at once, whatever tab they are reading, that the meeting needs them. What
// needs them is each feature's to say (features.js: a feature's `alerts(state, ctx)`, e.g. the
// floor given to them, a vote they can cast); this module only tells: a banner that stays until
// dismissed or until its feature no longer returns it (the turn ended, the vote closed or was
// cast), a short beep (WebAudio) and a vibration where the device allows, and the declaring
// feature's tab marked until it is opened (the meeting screen's mark()).
import { h } from "../dom.js";
import { t } from "../i18n.js";

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

/** A double buzz where the device has a motor and allows it. */
export function vibrate() {
  try { navigator.vibrate?.([200, 100, 200]); } catch { /* not allowed here */ }
}

/** What every feature says needs the person now, each alert with the tab of the feature that
 * declared it (a feature's own tab; a part of a shared tab declares through that tab). A feature
 * whose alerts fail is left out, the others are still told. */
function declared(features, state, ctx) {
  const now = [];
  for (const feature of features) {
    if (!feature.alerts) continue;
    try {
      for (const alert of feature.alerts(state, ctx) || []) now.push({ ...alert, tab: feature.id });
    } catch (err) {
      console.error(`feature ${feature.id} alerts`, err);
    }
  }
  return now;
}

/** Mount the alerts of one meeting screen: `features` are the screen's features (those shown to
 * this user), asked on every change of state; `user` the signed-in user; `open(tabId)` brings a
 * tab forward, `mark(tabId)` marks it until it is opened (the screen's). */
export function mountAlerts(live, { features, user, open, mark }) {
  const box = h("div.alerts", { role: "region", "aria-label": t("Thông báo khẩn", "Alerts") });
  document.body.append(box);
  const dismissed = new Set(); // keys the person closed: not shown again for the same thing

  function remove(key) {
    box.querySelector(`[data-alert="${key}"]`)?.remove();
  }

  function openTab(key, tab) {
    dismissed.add(key);
    remove(key);
    open(tab);
  }

  function tell({ key, kind, title, text, action, tab }, loud) {
    if (dismissed.has(key) || box.querySelector(`[data-alert="${key}"]`)) return;
    box.append(h(`div.alert-banner.${kind}`, { role: "alert", "data-alert": key, "data-testid": `alert-${kind}` },
      h("div.alert-text", h("strong", title), text ? h("span", text) : null),
      h("div.alert-actions",
        h("button.primary", { type: "button", onclick: () => openTab(key, tab) }, action || t("Xem", "Show")),
        h("button", { type: "button", onclick: () => { dismissed.add(key); remove(key); } }, t("Đã biết", "Dismiss")))));
    mark(tab);
    if (loud) { beep(); vibrate(); }
  }

  function check(state, loud) {
    if (!state) return;
    const now = declared(features, state, { user, role: state.my_role, t });
    const keys = new Set(now.map((alert) => alert.key));
    for (const el of box.querySelectorAll("[data-alert]")) {
      if (!keys.has(el.dataset.alert)) el.remove(); // no longer applies
    }
    for (const alert of now) tell(alert, loud);
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
