// The staff's controls for a meeting's life: edit, publish, start, end, cancel.
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { busy, confirmDialog, promptDialog, toast } from "../ui.js";

const STAFF = ["chair", "secretary"];

export function renderStaffActions(el, state, { meetingId, navigate }) {
  if (!STAFF.includes(state.my_role)) return fill(el);
  const s = state.status;
  const act = (event, done) => async (ev) =>
    busy(ev.currentTarget, async () => {
      await call(event, { meeting_id: meetingId });
      toast(done);
    });
  const buttons = [];
  if (!["ended", "cancelled"].includes(s)) {
    buttons.push(h("button", { type: "button", onclick: () => navigate(`/meetings/${meetingId}/edit`) },
      t("Sửa thông tin", "Edit details")));
  }
  if (s === "draft") {
    buttons.push(h("button.primary", {
      type: "button",
      onclick: async (ev) => {
        const button = ev.currentTarget;
        const ok = await confirmDialog(t("Phát hành cuộc họp?", "Publish the meeting?"),
          t("Giấy mời sẽ được gửi tới mọi người trong danh sách.", "Invitations will be sent to everyone on the list."),
          t("Phát hành", "Publish"));
        if (ok) await busy(button, async () => {
          await call("meeting:publish", { meeting_id: meetingId });
          toast(t("Đã phát hành và gửi giấy mời", "Published; invitations sent"));
        });
      },
    }, t("Phát hành & gửi giấy mời", "Publish & send invitations")));
  }
  if (s === "scheduled") {
    buttons.push(h("button.primary", { type: "button", onclick: act("meeting:start", t("Cuộc họp đã bắt đầu", "The meeting has started")) },
      t("Bắt đầu họp", "Start the meeting")));
  }
  if (s === "in_progress") {
    buttons.push(h("button.primary", {
      type: "button",
      onclick: async (ev) => {
        const button = ev.currentTarget;
        if (await confirmDialog(t("Kết thúc cuộc họp?", "End the meeting?"), t("Không thể mở lại sau khi kết thúc.", "It cannot be reopened."), t("Kết thúc", "End"), true)) {
          await busy(button, async () => {
            await call("meeting:end", { meeting_id: meetingId });
            toast(t("Cuộc họp đã kết thúc", "The meeting has ended"));
          });
        }
      },
    }, t("Kết thúc họp", "End the meeting")));
  }
  if (s === "draft" || s === "scheduled") {
    buttons.push(h("button.danger", {
      type: "button",
      onclick: async (ev) => {
        const button = ev.currentTarget;
        const reason = await promptDialog(t("Huỷ cuộc họp", "Cancel the meeting"), t("Lý do huỷ (gửi tới người được mời)", "Reason (sent to the invitees)"), { multiline: true });
        if (reason) await busy(button, async () => {
          await call("meeting:cancel", { meeting_id: meetingId, reason });
          toast(t("Đã huỷ cuộc họp", "The meeting was cancelled"));
        });
      },
    }, t("Huỷ họp", "Cancel meeting")));
  }
  fill(el, buttons.length ? h("div.action-bar", buttons) : null);
}
