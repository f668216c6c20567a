// The notification bell: unread count, live `notification` pushes, the list, mark as read.
import { call, on } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { fmtDateTime } from "../format.js";
import { icon } from "../icons.js";
import { showError, toast } from "../ui.js";

export function mountBell({ navigate }) {
  let items = [];
  const count = h("span.bell-count", { hidden: true });
  const button = h("button.bell", {
    type: "button",
    "aria-haspopup": "true",
    "aria-expanded": "false",
    title: t("Thông báo", "Notifications"),
    onclick: () => toggle(),
  }, icon("bell", 24), h("span.sr-only", t("Thông báo", "Notifications")), count);
  const panel = h("div.bell-panel", { hidden: true });
  const el = h("div.bell-wrap", button, panel);

  const unread = () => items.filter((n) => !n.read_at);

  function render() {
    const n = unread().length;
    count.hidden = n === 0;
    count.textContent = n > 99 ? "99+" : String(n);
    button.setAttribute("aria-label", t(`Thông báo: ${n} chưa đọc`, `Notifications: ${n} unread`));
    fill(panel,
      h("div.bell-head", h("strong", t("Thông báo", "Notifications")),
        n ? h("button.link", { type: "button", onclick: readAll }, t("Đánh dấu đã đọc hết", "Mark all read")) : null),
      items.length
        ? h("ul.bell-list", items.slice(0, 30).map((item) =>
          h("li", { class: item.read_at ? "read" : "unread" },
            h("button.bell-item", { type: "button", onclick: () => openItem(item) },
              h("span", item.text), h("small.muted", fmtDateTime(item.created_at))))))
        : h("p.empty", t("Chưa có thông báo", "No notifications")));
  }

  function toggle(open = panel.hidden) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) render();
  }

  async function markRead(ids) {
    if (!ids.length) return;
    try {
      await call("notification:read", { ids });
      const now = new Date().toISOString();
      items = items.map((n) => (ids.includes(n.id) ? { ...n, read_at: n.read_at || now } : n));
      render();
    } catch (err) {
      showError(err);
    }
  }

  function readAll() {
    markRead(unread().map((n) => n.id));
  }

  function openItem(item) {
    toggle(false);
    if (!item.read_at) markRead([item.id]);
    if (item.meeting_id) navigate(`/meetings/${item.meeting_id}`);
  }

  // Opening a meeting reads its notifications.
  const opened = (ev) => {
    const ids = unread().filter((n) => n.meeting_id === ev.detail).map((n) => n.id);
    if (ids.length) markRead(ids);
  };
  window.addEventListener("hop:meeting-open", opened);

  const outside = (ev) => { if (!el.contains(ev.target)) toggle(false); };
  document.addEventListener("click", outside);

  const off = on("notification", (n) => {
    items = [n, ...items.filter((x) => x.id !== n.id)];
    render();
    toast(n.text);
  });

  call("notification:list", {}).then((list) => { items = list; render(); }, showError);
  render();

  return {
    el,
    destroy() {
      off();
      document.removeEventListener("click", outside);
      window.removeEventListener("hop:meeting-open", opened);
    },
  };
}
