// The header: where am I, language, connection, notifications, who is signed in, sign out.
import { onConnection, connected } from "../api.js";
import { h } from "../dom.js";
import { lang, setLang, t } from "../i18n.js";
import { mountBell } from "./bell.js";
import { forgetAll } from "../offline/store.js";

export function mountHeader(user, { navigate }) {
  const links = [
    ["/", t("Lịch họp", "My meetings"), (p) => p === "/" || p.startsWith("/week") || /^\/meetings\/\d+/.test(p)],
    user.organizer ? ["/meetings/new", t("Tạo cuộc họp", "New meeting"), (p) => p === "/meetings/new"] : null,
    user.admin ? ["/admin", t("Quản trị", "Administration"), (p) => p.startsWith("/admin")] : null,
  ].filter(Boolean);
  const nav = h("nav.main-nav", { "aria-label": t("Điều hướng", "Navigation") },
    links.map(([path, text]) => h("a", { href: `#${path}`, "data-path": path }, text)));

  const status = h("span.conn", { role: "status" });
  const showStatus = (s) => {
    status.className = `conn ${s}`;
    status.textContent = s === "connected" ? "" : t("Mất kết nối — đang nối lại…", "Offline — reconnecting…");
  };
  showStatus(connected() ? "connected" : "connecting");
  const offConn = onConnection(showStatus);

  const bell = mountBell({ navigate });
  const langBtn = h("button.lang", {
    type: "button",
    title: t("Switch to English", "Chuyển sang tiếng Việt"),
    "aria-label": lang() === "en" ? "Tiếng Việt" : "English",
    onclick: () => setLang(lang() === "en" ? "vi" : "en"),
  }, h("span.long", lang() === "en" ? "Tiếng Việt" : "English"), h("span.short", { "aria-hidden": "true" }, lang() === "en" ? "VI" : "EN"));

  // Signing out forgets what the device kept for this user (a tablet may be shared).
  const logout = h("form.logout", { method: "post", action: "/logout", onsubmit: () => forgetAll() },
    h("button", { type: "submit" }, t("Đăng xuất", "Sign out")));

  const el = h("header.topbar",
    h("a.brand", { href: "#/" }, h("span.logo", "▣"), h("span.brand-text", t("Họp không giấy tờ", "Paperless meetings"))),
    nav,
    h("div.top-tools", status, bell.el, langBtn,
      h("span.me", { title: user.username }, user.full_name), logout));

  return {
    el,
    update(path) {
      for (const [p, , active] of links) {
        const a = nav.querySelector(`[data-path="${p}"]`);
        a?.classList.toggle("active", active(path));
      }
    },
    destroy() {
      offConn();
      bell.destroy();
    },
  };
}
