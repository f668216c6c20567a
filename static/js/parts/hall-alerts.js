// The kiosk's (hall.html) alerts: what needs the hall's operator at once, each declared by a
// subject's kiosk part as `(state) => [{key, text}]` for the alerts that apply now (e.g. the floor
// given to this hall: floor/kiosk.js). This module only tells: a large banner over the video
// until the operator dismisses it or it no longer applies, with the beep and vibration of the
// meeting screen's alerts (alerts.js), once for each thing told.
import { beep, vibrate } from "./alerts.js";

function box() {
  let el = document.getElementById("hall-alerts");
  if (el) return el;
  el = document.createElement("div");
  el.id = "hall-alerts";
  el.style.cssText = "position:fixed;top:3rem;left:50%;transform:translateX(-50%);z-index:5;"
    + "width:min(44rem,calc(100% - 2rem));display:flex;flex-direction:column;gap:.75rem;";
  document.body.append(el);
  return el;
}

function banner(key, text, onDismiss) {
  const el = document.createElement("div");
  el.setAttribute("role", "alert");
  el.dataset.alert = key;
  el.style.cssText = "background:#fff;color:#1c2430;border-left:10px solid #b3261e;"
    + "border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.5);padding:1rem 1.25rem;display:flex;"
    + "flex-wrap:wrap;gap:.75rem 1rem;align-items:center;font-size:1.35rem;";
  const strong = document.createElement("strong");
  strong.style.flex = "1 1 20rem";
  strong.textContent = text;
  const ok = document.createElement("button");
  ok.type = "button";
  ok.textContent = "Đã biết";
  ok.style.cssText = "min-height:52px;min-width:44px;padding:0 1.4rem;font-size:1.1rem;border-radius:8px;"
    + "border:0;background:#0b5394;color:#fff;font-weight:600;";
  ok.addEventListener("click", onDismiss);
  el.append(strong, ok);
  return el;
}

/** The banner told for `key`, if shown (keys are free text: compared, not put in a selector). */
function shownFor(el, key) {
  return [...el.querySelectorAll("[data-alert]")].find((x) => x.dataset.alert === key) || null;
}

/** The kiosk's teller for these declarations: call it with every state the kiosk draws. */
export function hallAlerts(declarations) {
  const told = new Set(); // keys already announced (beeped once)
  const dismissed = new Set(); // keys the operator closed
  return function tellHall(state) {
    const now = [];
    for (const declare of declarations) {
      try {
        now.push(...(declare(state) || []));
      } catch (err) {
        console.error("hall alerts", err);
      }
    }
    const keys = new Set(now.map((alert) => alert.key));
    const el = box();
    for (const shown of el.querySelectorAll("[data-alert]")) {
      if (!keys.has(shown.dataset.alert)) shown.remove(); // no longer applies
    }
    for (const { key, text } of now) {
      if (dismissed.has(key)) continue;
      const shown = shownFor(el, key);
      if (shown) shown.firstChild.textContent = text;
      else el.append(banner(key, text, () => { dismissed.add(key); shownFor(el, key)?.remove(); }));
      if (!told.has(key)) {
        told.add(key);
        beep();
        vibrate();
      }
    }
  };
}
