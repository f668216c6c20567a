// The single-page app: who is signed in, the header, and a hash router over the screens.
import { call, connected, onConnection, registerStateStore } from "./api.js";
import { h, fill } from "./dom.js";
import { onLang, t } from "./i18n.js";
import { mountHeader } from "./parts/header.js";
import { showError } from "./ui.js";
import * as meetings from "./screens/meetings.js";
import * as meeting from "./screens/meeting.js";
import * as meetingForm from "./screens/meeting-form.js";
import * as admin from "./screens/admin.js";
import * as password from "./screens/password.js";
import { installApp } from "./offline/install.js";
import { keepUser, keptUser, meetingStore } from "./offline/store.js";
import { mountOfflineMark } from "./offline/status.js";
import { startOutbox } from "./offline/outbox.js";
import { startKeepingDocuments } from "./offline/documents.js";

const root = document.getElementById("app");

// [pattern over the hash path, screen module, params from the match]
const ROUTES = [
  [/^\/?$/, meetings, () => ({ view: "list" })],
  [/^\/week(?:\/(\d{4}-\d{2}-\d{2}))?$/, meetings, (m) => ({ view: "week", week: m[1] })],
  [/^\/meetings\/new$/, meetingForm, () => ({})],
  [/^\/meetings\/(\d+)\/edit$/, meetingForm, (m) => ({ meetingId: Number(m[1]) })],
  [/^\/meetings\/(\d+)$/, meeting, (m) => ({ meetingId: Number(m[1]) })],
  [/^\/admin(?:\/(units|users|import))?$/, admin, (m) => ({ tab: m[1] || "users" })],
];

let user = null;
let header = null;
let current = null;
const main = h("main.screen", { id: "main" });

export function navigate(path) {
  location.hash = `#${path}`;
}

function route() {
  current?.destroy?.();
  current = null;
  const path = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  fill(main);
  for (const [pattern, screen, params] of ROUTES) {
    const m = path.match(pattern);
    if (m) {
      current = screen.mount(main, { user, params: params(m), navigate, refreshUser });
      header?.update(path);
      window.scrollTo(0, 0);
      return;
    }
  }
  fill(main, h("section.card", h("h1", t("Không có trang này", "No such page")),
    h("p", h("a", { href: "#/" }, t("Về lịch họp", "Back to my meetings")))));
}

async function refreshUser() {
  user = await call("user:me");
  keepUser(user);
  return user;
}

// Who is signed in: the server's answer, or with the link down the user kept on the device
// (the app then shows what the device kept, marked "ngoại tuyến"); the server's answer still
// replaces it when the link returns.
function loadUser() {
  const kept = keptUser();
  if (!kept || connected()) return refreshUser();
  return new Promise((resolve, reject) => {
    const useKept = () => { user = kept; resolve(kept); };
    const off = onConnection((status) => { off(); if (status === "disconnected") useKept(); });
    refreshUser().then(resolve, (err) => (user ? resolve(user) : reject(err)));
    if (!navigator.onLine) useKept();
  });
}

function render() {
  header?.destroy();
  header = null;
  if (user.must_change_password) {
    // Nothing else is allowed until the initial password is changed.
    current?.destroy?.();
    fill(root, main);
    fill(main);
    current = password.mount(main, { user, forced: true, done: () => location.reload() });
    return;
  }
  header = mountHeader(user, { navigate });
  fill(root, header.el, main);
  route();
}

async function boot() {
  registerStateStore(meetingStore);
  mountOfflineMark();
  installApp();
  try {
    await loadUser();
  } catch (err) {
    fill(root, h("p.error", t("Không tải được ứng dụng: ", "Could not load: "), err.message));
    showError(err);
    return;
  }
  render();
  window.addEventListener("hashchange", () => (user.must_change_password ? null : route()));
  onLang(render);
  startOutbox();
  startKeepingDocuments();
}

boot();
