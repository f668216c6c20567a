// My meetings: the upcoming list and a week view (meeting:list), refreshed live when a
// notification arrives (an invitation, a change, a cancellation) or after a reconnect.
import { call, on, onConnection } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { addDays, dayKey, dayStart, fmtDay, fmtTime, weekStart } from "../format.js";
import { badge, empty, showError } from "../ui.js";
import { calendarDialog } from "../parts/calendar-link.js";

export function mount(el, { user, params, navigate }) {
  const today = dayKey(new Date().toISOString());
  const view = params.view;
  const week = weekStart(params.week || today);
  const body = h("div.meetings-body", { "aria-busy": "true" }, h("p.muted", t("Đang tải…", "Loading…")));

  const tabs = h("nav.segmented", { "aria-label": t("Cách xem", "View") },
    h("a", { href: "#/", "aria-current": view === "list" ? "page" : null, class: view === "list" ? "active" : "" },
      t("Sắp tới", "Upcoming")),
    h("a", { href: "#/week", "aria-current": view === "week" ? "page" : null, class: view === "week" ? "active" : "" },
      t("Theo tuần", "Week")));

  const tools = h("div.toolbar",
    h("h1", t("Lịch họp của tôi", "My meetings")),
    tabs,
    h("div.spacer"),
    h("button", { type: "button", onclick: () => calendarDialog() }, t("Đồng bộ lịch", "Calendar link")),
    user.organizer ? h("a.button.primary", { href: "#/meetings/new" }, t("+ Tạo cuộc họp", "+ New meeting")) : null);

  const weekNav = view === "week"
    ? h("div.week-nav",
      h("a.button", { href: `#/week/${addDays(week, -7)}`, "aria-label": t("Tuần trước", "Previous week") }, "‹"),
      h("strong", `${fmtDay(week)} – ${fmtDay(addDays(week, 6))}`),
      h("a.button", { href: `#/week/${addDays(week, 7)}`, "aria-label": t("Tuần sau", "Next week") }, "›"),
      week !== weekStart(today) ? h("a.button", { href: "#/week" }, t("Tuần này", "This week")) : null)
    : null;

  fill(el, h("section.meetings", tools, weekNav, body));

  let alive = true;
  async function load() {
    const range = view === "week"
      ? { from: dayStart(week), to: dayStart(addDays(week, 7)) }
      : { from: dayStart(today), to: dayStart(addDays(today, 90)) };
    try {
      const list = await call("meeting:list", range);
      if (!alive) return;
      body.removeAttribute("aria-busy");
      fill(body, view === "week" ? weekView(list, week, today) : listView(list));
    } catch (err) {
      showError(err);
    }
  }

  const offs = [
    on("notification", () => load()),
    onConnection((s) => { if (s === "connected") load(); }),
  ];
  load();
  return {
    destroy() {
      alive = false;
      offs.forEach((f) => f());
    },
  };
}

function meetingCard(m, { compact = false } = {}) {
  const needsAnswer = m.my_response === "pending" && ["scheduled", "in_progress"].includes(m.status) && m.my_role !== "secretary";
  return h("a.meeting-card", {
    href: `#/meetings/${m.id}`,
    class: [`status-${m.status}`, needsAnswer ? "needs-answer" : ""].join(" "),
    "data-meeting-id": m.id,
  },
  h("span.when", `${fmtTime(m.starts_at)}–${fmtTime(m.ends_at)}`),
  h("span.title", m.title),
  compact ? null : h("span.where", m.location || ""),
  h("span.tags",
    badge("status", m.status),
    m.my_role ? badge("role", m.my_role) : null,
    m.my_response && m.my_role !== "secretary" ? badge("response", m.my_response) : null,
    needsAnswer ? h("span.badge.attention", t("Cần xác nhận", "Please reply")) : null));
}

function listView(list) {
  if (!list.length) return empty(t("Không có cuộc họp nào sắp tới.", "No upcoming meetings."));
  const byDay = new Map();
  for (const m of list) {
    const key = dayKey(m.starts_at);
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(m);
  }
  return h("div.day-list", [...byDay].map(([key, ms]) =>
    h("section.day", h("h2.day-title", fmtDay(key)), h("div.cards", ms.map((m) => meetingCard(m))))));
}

function weekView(list, week, today) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(week, i));
  return h("div.week-grid", days.map((key) => {
    const ms = list.filter((m) => dayKey(m.starts_at) <= key && dayKey(m.ends_at) >= key);
    return h("section.week-day", { class: key === today ? "today" : "" },
      h("h2.day-title", fmtDay(key)),
      ms.length ? ms.map((m) => meetingCard(m, { compact: true })) : h("p.muted.none", "—"));
  }));
}
