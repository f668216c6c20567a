// Live counts of the answers and presence, and whether the quorum is met.
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";

export function renderSummary(el, state) {
  const s = state.summary || {};
  const stat = (key, value, text) =>
    h("div.stat", { "data-stat": key, class: `stat-${key}` },
      h("span.stat-value", String(value ?? 0)), h("span.stat-label", text));
  const started = ["in_progress", "ended"].includes(state.status);
  fill(el, h("section.summary", { "aria-label": t("Tổng hợp", "Summary") },
    stat("invited", s.invited, t("Được mời", "Invited")),
    stat("accepted", s.accepted, t("Tham dự", "Attending")),
    stat("declined", s.declined, t("Vắng mặt", "Declined")),
    stat("delegated", s.delegated, t("Cử người thay", "Sent a deputy")),
    stat("pending", s.pending, t("Chưa trả lời", "No answer")),
    stat("present", s.present, t("Có mặt", "Present")),
    h("div.stat.quorum", { "data-stat": "quorum", class: s.quorum_met ? "met" : "not-met" },
      h("span.stat-value", s.members !== undefined ? `${s.members_present ?? 0}/${s.members}` : (s.quorum_met ? "✓" : "✗")),
      h("span.stat-label",
        s.quorum_met
          ? t("Đủ số đại biểu", "Quorum met")
          : started ? t("Chưa đủ số đại biểu", "No quorum") : t("Túc số (chưa đủ)", "Quorum (not yet)")))));
}
