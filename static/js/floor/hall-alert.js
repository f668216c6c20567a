// The kiosk's (hall.html) "your hall has the floor": a large banner over the video until the
// operator dismisses it or the turn ends, with the beep and vibration of the meeting screen's
// alerts (alerts.js). Called with every state the kiosk draws.
import { beep } from "../parts/alerts.js";

let told = null; // the request id already announced
let dismissed = null;

function banner() {
  let el = document.getElementById("hall-alert");
  if (el) return el;
  el = document.createElement("div");
  el.id = "hall-alert";
  el.setAttribute("role", "alert");
  el.style.cssText = "position:fixed;top:3rem;left:50%;transform:translateX(-50%);z-index:5;"
    + "width:min(44rem,calc(100% - 2rem));background:#fff;color:#1c2430;border-left:10px solid #b3261e;"
    + "border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.5);padding:1rem 1.25rem;display:flex;"
    + "flex-wrap:wrap;gap:.75rem 1rem;align-items:center;font-size:1.35rem;";
  const text = document.createElement("strong");
  text.style.flex = "1 1 20rem";
  const ok = document.createElement("button");
  ok.type = "button";
  ok.textContent = "Đã biết";
  ok.style.cssText = "min-height:52px;min-width:44px;padding:0 1.4rem;font-size:1.1rem;border-radius:8px;"
    + "border:0;background:#0b5394;color:#fff;font-weight:600;";
  ok.addEventListener("click", () => { dismissed = told; show(el, false); });
  el.append(text, ok);
  document.body.append(el);
  return el;
}

// Its inline display:flex would beat the `hidden` attribute: shown and hidden by style.
function show(el, on) {
  el.style.display = on ? "flex" : "none";
}

export function tellHall(state) {
  const sp = state?.status === "in_progress" ? state.floor?.speaker : null;
  const mine = sp && sp.user_id === state.me_id ? sp.request_id : null;
  const el = document.getElementById("hall-alert");
  if (!mine) {
    if (el) show(el, false);
    return;
  }
  if (mine === dismissed) return;
  const box = banner();
  box.firstChild.textContent = "Chủ trì đã mời điểm cầu phát biểu — mời bật micro và phát biểu.";
  show(box, true);
  if (told !== mine) {
    told = mine;
    beep();
    try { navigator.vibrate?.([200, 100, 200]); } catch { /* not allowed */ }
  }
}
