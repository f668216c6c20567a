// The staff's controls for a meeting's life: edit, publish, start, end, cancel.
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { busy, confirmDialog, dialog, promptDialog, toast } from "../ui.js";
import { dayKey, fmtDateTime } from "../format.js";
import { STAFF } from "../roles.js";

export function renderStaffActions(el, state, { meetingId, navigate }) {
  if (!STAFF.includes(state.my_role)) return fill(el);
  const s = state.status;
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
    buttons.push(h("button.primary", {
      type: "button",
      onclick: async (ev) => {
        const button = ev.currentTarget;
        if (await confirmStart(state)) await busy(button, async () => {
          await call("meeting:start", { meeting_id: meetingId });
          toast(t("Cuộc họp đã bắt đầu", "The meeting has started"));
        });
      },
    }, t("Bắt đầu họp", "Start the meeting")));
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

/** Starting cannot be undone: say what happens, and warn plainly when it is not yet its day. */
async function confirmStart(state) {
  const now = new Date().toISOString();
  const early = dayKey(now) < dayKey(state.starts_at);
  const body = [
    h("p", t("Lịch họp: ", "Scheduled: "), h("strong", fmtDateTime(state.starts_at))),
    early ? h("p.notice.warn", { "data-testid": "start-early" },
      t(`Hôm nay chưa đến ngày họp. Nếu bắt đầu bây giờ, cuộc họp diễn ra từ ${fmtDateTime(now)} và biên bản ghi ngày giờ thực tế này.`,
        `The meeting is not due today. Started now, it runs from ${fmtDateTime(now)} and the minutes record this actual date and time.`)) : null,
    h("p", t("Mọi người trong cuộc họp được báo ngay; điểm danh, phát biểu và biểu quyết bắt đầu. Không thể quay lại trạng thái chưa họp.",
      "Everyone in the meeting is told at once; attendance, the floor and votes begin. The meeting cannot go back to not started.")),
  ];
  const v = await dialog({
    title: early ? t("Bắt đầu họp trước ngày đã định?", "Start the meeting before its day?") : t("Bắt đầu cuộc họp?", "Start the meeting?"),
    body,
    buttons: [{ text: t("Thôi", "Cancel"), value: null },
      { text: early ? t("Vẫn bắt đầu hôm nay", "Start it today") : t("Bắt đầu họp", "Start the meeting"), value: "ok", primary: true }],
  });
  return v === "ok";
}
