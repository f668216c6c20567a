// My answer to the invitation: attend, decline, or send a deputy (invitation:respond).
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { fmtDateTime } from "../format.js";
import { personPicker } from "../picker.js";
import { badge, busy, dialog, errorText, promptDialog, toast } from "../ui.js";

export function renderInvitation(el, state, { meetingId, user }) {
  const participants = state.participants || [];
  const me = participants.find((p) => p.user_id === user.id);
  // The secretary who made the meeting is attending by definition: no invitation to answer.
  if (!me || (me.role === "secretary" && state.created_by === user.id)) return fill(el);
  // Nor does the chair once the meeting runs: they are running it.
  if (me.role === "chair" && state.status === "in_progress") return fill(el);
  const open = ["scheduled", "in_progress"].includes(state.status);
  const nameOf = (id) => participants.find((p) => p.user_id === id)?.full_name || "";
  const deputy = participants.find((p) => p.substitute_for === user.id);

  const respond = async (button, response, extra = {}) =>
    busy(button, async () => {
      await call("invitation:respond", { meeting_id: meetingId, response, ...extra });
      toast(response === "accepted" ? t("Đã xác nhận tham dự", "You will attend")
        : response === "declined" ? t("Đã báo vắng", "You declined")
          : t("Đã cử người dự thay", "Deputy sent"));
    });

  const lines = [];
  if (me.substitute_for) {
    lines.push(h("p", t("Bạn được cử dự họp thay cho ", "You attend on behalf of "), h("strong", nameOf(me.substitute_for))));
  }
  let status;
  if (me.response === "pending") {
    status = open ? t("Bạn chưa trả lời giấy mời này.", "You have not answered this invitation.")
      : t("Chưa trả lời.", "No answer.");
  } else {
    status = [t("Trả lời của bạn: ", "Your answer: "), badge("response", me.response),
      me.responded_at ? h("small.muted", " ", fmtDateTime(me.responded_at)) : null,
      me.note ? h("span.note", " — ", me.note) : null,
      deputy ? h("span", " → ", h("strong", deputy.full_name)) : null];
  }
  lines.push(h("p.my-answer", status));
  if (me.present) lines.push(h("p.present-mark", "✓ ", t("Bạn đã điểm danh có mặt", "You are checked in")));

  const buttons = [];
  if (open) {
    if (me.response !== "accepted") {
      buttons.push(h("button.primary.big", { type: "button", onclick: (ev) => respond(ev.currentTarget, "accepted") },
        t("Tham dự", "Attend")));
    }
    // The chair runs the meeting: not coming means the secretaries name another chair.
    if (me.role === "chair") {
      lines.push(h("p.muted.chair-hint", t("Bạn chủ trì cuộc họp này. Nếu không chủ trì được, hãy báo thư ký để đổi người chủ trì.",
        "You chair this meeting. If you cannot, ask a secretary to name another chair.")));
    } else if (me.response !== "declined") {
      buttons.push(h("button.big", {
        type: "button",
        onclick: async (ev) => {
          const button = ev.currentTarget;
          const note = await promptDialog(t("Báo vắng", "Decline"), t("Lý do (không bắt buộc)", "Reason (optional)"), { required: false, multiline: true });
          if (note !== null) await respond(button, "declined", { note });
        },
      }, t("Báo vắng", "Decline")));
    }
    if (me.role !== "chair" && !me.substitute_for) {
      buttons.push(h("button.big", { type: "button", onclick: () => sendDeputy(state, meetingId, user) },
        deputy ? t("Đổi người dự thay", "Change deputy") : t("Cử người dự thay", "Send a deputy")));
    }
  }
  fill(el, h("section.card.invitation", { class: me.response === "pending" && open ? "pending" : "" },
    h("h2", t("Giấy mời của bạn", "Your invitation")), lines,
    buttons.length ? h("div.action-bar", buttons) : null));
}

async function sendDeputy(state, meetingId, user) {
  const exclude = new Set((state.participants || []).map((p) => p.user_id));
  exclude.add(user.id);
  const picker = personPicker({ exclude, label: t("Người dự thay", "Deputy") });
  const note = h("textarea", { name: "note", rows: 2 });
  const error = h("p.error", { hidden: true });
  const v = await dialog({
    title: t("Cử người dự họp thay", "Send a deputy"),
    body: [picker.el, h("label", t("Ghi chú (không bắt buộc)", "Note (optional)"), note), error],
    buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: t("Cử người này", "Send this person"), value: "ok", primary: true }],
    validate: async () => {
      const [who] = picker.selected();
      if (!who) {
        error.hidden = false;
        error.textContent = t("Hãy chọn một người", "Choose a person");
        return false;
      }
      try {
        await call("invitation:respond", { meeting_id: meetingId, response: "delegated", substitute_id: who.id, note: note.value.trim() });
      } catch (err) {
        error.hidden = false;
        error.textContent = errorText(err);
        return false;
      }
      return true;
    },
  });
  if (v === "ok") toast(t("Đã cử người dự thay", "Deputy sent"));
}
