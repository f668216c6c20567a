// The "ngoại tuyến" mark (issue 13): while the link to the server is down, a bar says so and
// that what is shown is the copy kept on the device; it goes when the link returns.
import { onConnection, connected } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

let offline = false;
const listeners = new Set();

export const isOffline = () => offline;

/** fn(offline: boolean) on every change; returns the unsubscribe function. */
export function onOffline(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function mountOfflineMark() {
  const bar = h("div.offline-mark", { role: "status", "aria-live": "polite", "data-testid": "offline-mark", hidden: true });
  document.body.append(bar);
  const set = (down) => {
    if (down === offline) return;
    offline = down;
    bar.hidden = !down;
    bar.textContent = down
      ? t("Ngoại tuyến — đang xem bản lưu trên máy; việc bạn làm sẽ được gửi khi có mạng lại",
        "Offline — showing the copy kept on this device; what you do is sent when the link returns")
      : "";
    document.documentElement.classList.toggle("is-offline", down);
    for (const fn of [...listeners]) fn(down);
  };
  onConnection((status) => set(status !== "connected"));
  window.addEventListener("offline", () => set(true));
  // Still connecting at start is not offline: only a failed connection marks the page.
  if (!navigator.onLine && !connected()) set(true);
  return { set };
}
