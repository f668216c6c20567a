// Who is invited, their answers and presence; staff invite people and whole units, remove
// people, and check people in by hand.
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { label, t } from "../i18n.js";
import { fmtTime } from "../format.js";
import { personPicker } from "../picker.js";
import { badge, busy, confirmDialog, dialog, empty, errorText, toast } from "../ui.js";
import { loadUnits, unitChecklist } from "./units.js";
import { STAFF } from "../roles.js";

const ROLE_ORDER = ["chair", "secretary", "delegate", "point", "observer"];
const skeletons = new WeakMap();

export function renderParticipants(el, state, screen) {
  let sk = skeletons.get(el);
  if (!sk) {
    sk = { filter: "", list: h("div.participant-list") };
    const filter = h("input", {
      type: "search",
      placeholder: t("Lọc theo tên…", "Filter by name…"),
      "aria-label": t("Lọc danh sách", "Filter the list"),
      oninput: () => { sk.filter = filter.value.trim().toLowerCase(); drawList(sk, screen.state(), screen); },
    });
    sk.invite = h("button.primary", { type: "button", onclick: () => inviteDialog(screen) }, t("+ Mời dự họp", "+ Invite"));
    fill(el, h("section.participants", h("div.toolbar", filter, h("div.spacer"), sk.invite), sk.list));
    skeletons.set(el, sk);
  }
  sk.invite.hidden = !(STAFF.includes(state.my_role) && !["ended", "cancelled"].includes(state.status));
  drawList(sk, state, screen);
}

function drawList(sk, state, { meetingId, user }) {
  const parts = [...(state.participants || [])].sort((a, b) =>
    ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.full_name.localeCompare(b.full_name, "vi"));
  const staff = STAFF.includes(state.my_role);
  const canMark = staff && ["scheduled", "in_progress"].includes(state.status);
  const canRemove = staff && !["ended", "cancelled"].includes(state.status);
  const nameOf = (id) => parts.find((p) => p.user_id === id)?.full_name || "?";
  const halls = parts.filter((p) => p.role === "point");
  const shown = sk.filter
    ? parts.filter((p) => `${p.full_name} ${p.username} ${p.title}`.toLowerCase().includes(sk.filter))
    : parts;

  const row = (p) => h("li.person", { "data-user-id": p.user_id, class: [p.present ? "present" : "", `resp-${p.response}`].join(" ") },
    h("span.presence", { title: p.present ? t("Có mặt", "Present") : t("Chưa có mặt", "Not present") }, p.present ? "●" : "○"),
    h("div.person-main",
      h("strong.person-name", p.full_name, p.user_id === user.id ? h("span.muted", t(" (bạn)", " (you)")) : null),
      h("span.muted.person-sub", [p.title, p.point ? label("role", "point") : null].filter(Boolean).join(" · ")),
      p.role !== "point" && p.hall_id ? h("span.muted.person-hall", t(`Ngồi tại: ${nameOf(p.hall_id)}`, `Sits in: ${nameOf(p.hall_id)}`)) : null,
      p.substitute_for ? h("span.muted", t(`Dự thay cho ${nameOf(p.substitute_for)}`, `On behalf of ${nameOf(p.substitute_for)}`)) : null,
      p.note ? h("span.note", "“", p.note, "”") : null),
    h("div.person-tags",
      badge("role", p.role),
      p.role === "secretary" && p.response === "accepted" ? null : badge("response", p.response),
      p.present ? h("span.badge.present", t("Có mặt", "Present"), p.checked_in_at ? ` ${fmtTime(p.checked_in_at)}` : "") : null),
    staff ? h("div.person-tools",
      canRemove && p.role !== "point" && halls.length ? seatPicker(p, halls, meetingId) : null,
      canMark ? h("button", {
        type: "button",
        class: p.present ? "" : "primary-outline",
        "aria-label": p.present ? t(`Bỏ điểm danh ${p.full_name}`, `Undo check-in of ${p.full_name}`) : t(`Điểm danh ${p.full_name}`, `Check in ${p.full_name}`),
        onclick: (ev) => busy(ev.currentTarget, () =>
          call("attendance:mark", { meeting_id: meetingId, user_id: p.user_id, present: !p.present })),
      }, p.present ? t("Bỏ điểm danh", "Undo check-in") : t("Điểm danh", "Check in")) : null,
      canRemove && p.role !== "chair" && p.user_id !== user.id ? h("button.danger.icon", {
        type: "button",
        "aria-label": t(`Bỏ ${p.full_name} khỏi danh sách`, `Remove ${p.full_name}`),
        onclick: async (ev) => {
          const button = ev.currentTarget;
          if (await confirmDialog(t("Bỏ khỏi danh sách mời?", "Remove from the list?"), p.full_name, t("Bỏ", "Remove"), true)) {
            await busy(button, () => call("participant:remove", { meeting_id: meetingId, user_id: p.user_id }));
          }
        },
      }, "✕") : null) : null);

  fill(sk.list, shown.length ? h("ul.people", shown.map(row)) : empty(t("Chưa có ai.", "Nobody yet.")));
}

// participant:seat: which hall's camera films this person when they speak ("" = the default:
// their own unit's hall, else the nearest unit above with one).
function seatPicker(p, halls, meetingId) {
  const select = h("select.seat", {
    "aria-label": t(`Điểm cầu của ${p.full_name}`, `Hall of ${p.full_name}`),
    onchange: async () => {
      const hall_id = select.value ? Number(select.value) : null;
      select.disabled = true;
      try {
        await call("participant:seat", { meeting_id: meetingId, user_id: p.user_id, hall_id });
      } catch (err) {
        toast(errorText(err), "error");
      } finally {
        select.disabled = false;
      }
    },
  },
  h("option", { value: "" }, t("Điểm cầu mặc định", "Default hall")),
  halls.map((hall) => h("option", { value: String(hall.user_id), selected: p.seat_id === hall.user_id }, hall.full_name)));
  return select;
}

async function inviteDialog({ meetingId, state }) {
  const current = state();
  const exclude = new Set((current.participants || []).map((p) => p.user_id));
  const role = h("select", { name: "role" },
    ["delegate", "point", "observer", "secretary"].map((r) => h("option", { value: r }, label("role", r))));
  const people = personPicker({ multiple: true, exclude, label: t("Chọn người", "People") });
  const unitsBox = h("div.unit-box", h("p.muted", t("Đang tải đơn vị…", "Loading units…")));
  let checklist = null;
  loadUnits().then((units) => {
    checklist = unitChecklist(units);
    fill(unitsBox, checklist.el);
  }, (err) => fill(unitsBox, h("p.error", errorText(err))));
  const error = h("p.error", { hidden: true });
  const v = await dialog({
    title: t("Mời dự họp", "Invite"),
    wide: true,
    body: [
      h("label", t("Với vai trò", "As"), role),
      people.el,
      h("fieldset.units",
        h("legend", t("Hoặc mời cả đơn vị (gồm các đơn vị trực thuộc)", "Or invite whole units (and every unit below them)")),
        h("p.muted", t("Vai trò “Điểm cầu” mời các điểm cầu của đơn vị; vai trò khác mời cán bộ của đơn vị.",
          "“Connection point” invites the units' connection points; other roles invite their people.")),
        unitsBox),
      error,
    ],
    buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: t("Mời", "Invite"), value: "ok", primary: true }],
    validate: async () => {
      const user_ids = people.selected().map((u) => u.id);
      const unit_ids = checklist ? checklist.selected() : [];
      if (!user_ids.length && !unit_ids.length) {
        error.hidden = false;
        error.textContent = t("Hãy chọn người hoặc đơn vị", "Choose people or units");
        return false;
      }
      try {
        const res = await call("participant:add", { meeting_id: meetingId, role: role.value, user_ids, unit_ids });
        toast(t(`Đã mời thêm ${res.added.length} người`, `${res.added.length} invited`));
      } catch (err) {
        error.hidden = false;
        error.textContent = errorText(err);
        return false;
      }
      return true;
    },
  });
  return v;
}
