// The installable app (issue 13): registers the service worker (rendered by meeting/offline.py)
// and, when a new release has been fetched in the background, offers to reload into it. The new
// worker only takes over when the user says so, so a page never runs half old, half new modules.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export async function installApp() {
  if (!("serviceWorker" in navigator)) return null;
  // Reload only when the user asked for the new release here: the first install also changes
  // the controller (clients.claim), and another tab's "reload" must not reload this one under
  // its user's hands (it keeps the modules it loaded; its next reload gets the new ones).
  let asked = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!asked) return;
    asked = false;
    location.reload();
  });
  try {
    const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const offer = (worker) => {
      if (!worker || !navigator.serviceWorker.controller) return; // the first install: nothing to replace
      const bar = h("div.update-bar", { role: "status", "data-testid": "update-bar" },
        h("span", t("Đã có phiên bản mới của ứng dụng.", "A new version of the app is ready.")),
        h("button.button.primary", { type: "button", onclick: () => { asked = true; worker.postMessage("skip-waiting"); } },
          t("Tải lại", "Reload")));
      document.body.append(bar);
    };
    if (reg.waiting) offer(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      worker?.addEventListener("statechange", () => { if (worker.state === "installed") offer(worker); });
    });
    return reg;
  } catch (err) {
    console.error("service worker not registered", err);
    return null;
  }
}
