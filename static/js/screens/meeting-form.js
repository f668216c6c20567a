// Create a meeting (organizers) or edit one (its staff): title, times, place, chair.
import { call } from "../api.js";
import { h, fill, formValues } from "../dom.js";
import { t } from "../i18n.js";
import { addDays, dayKey, fromLocalInput, toLocalInput } from "../format.js";
import { personPicker } from "../picker.js";
import { errorText, toast } from "../ui.js";

export function mount(el, { user, params, navigate }) {
  const editing = params.meetingId ?? null;
  let alive = true;
  fill(el, h("p.muted", t("Đang tải…", "Loading…")));

  async function start() {
    let m = null;
    if (editing) {
      try {
        m = await call("meeting:get", { meeting_id: editing });
      } catch (err) {
        fill(el, h("div.card", h("h1", t("Không mở được cuộc họp", "Could not open the meeting")), h("p", errorText(err))));
        return;
      }
    } else if (!user.organizer) {
      fill(el, h("div.card", h("p", t("Chỉ cán bộ tổ chức được tạo cuộc họp.", "Only organizers can create meetings."))));
      return;
    }
    if (!alive) return;
    draw(m);
  }

  function draw(m) {
    const tomorrow = addDays(dayKey(new Date().toISOString()), 1);
    const chairSeat = m?.participants?.find((p) => p.role === "chair");
    const chair = personPicker({
      label: t("Người chủ trì", "Chair"),
      initial: chairSeat ? [{ id: chairSeat.user_id, full_name: chairSeat.full_name }] : [],
    });
    const error = h("p.error", { role: "alert", hidden: true });
    const submit = h("button.primary.big", { type: "submit" }, editing ? t("Lưu thay đổi", "Save changes") : t("Tạo cuộc họp", "Create meeting"));
    const form = h("form.card.meeting-form", { novalidate: false },
      h("h1", editing ? t("Sửa thông tin cuộc họp", "Edit the meeting") : t("Tạo cuộc họp mới", "New meeting")),
      h("label", t("Tên cuộc họp", "Title"), h("input", { name: "title", required: true, maxlength: 300, value: m?.title || "" })),
      h("div.row",
        h("label", t("Bắt đầu", "Starts"), h("input", { name: "starts_at", type: "datetime-local", required: true, value: m ? toLocalInput(m.starts_at) : `${tomorrow}T08:00` })),
        h("label", t("Kết thúc", "Ends"), h("input", { name: "ends_at", type: "datetime-local", required: true, value: m ? toLocalInput(m.ends_at) : `${tomorrow}T11:00` }))),
      h("p.muted.hint", t("Giờ Việt Nam (GMT+7)", "Viet Nam time (GMT+7)")),
      h("label", t("Địa điểm", "Location"), h("input", { name: "location", maxlength: 300, value: m?.location || "" })),
      h("label", t("Nội dung, ghi chú", "Description"), h("textarea", { name: "description", rows: 4 }, m?.description || "")),
      chair.el,
      m?.status && m.status !== "draft"
        ? h("p.muted", t("Thay đổi giờ hoặc địa điểm sẽ được thông báo tới người được mời.", "Changes of time or place are sent to the invitees.")) : null,
      error,
      h("div.action-bar",
        h("a.button", { href: editing ? `#/meetings/${editing}` : "#/" }, t("Thôi", "Cancel")),
        submit));

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      const v = formValues(form);
      const chairId = chair.selected()[0]?.id;
      if (!chairId) {
        error.hidden = false;
        error.textContent = t("Hãy chọn người chủ trì", "Choose the chair");
        return;
      }
      const payload = {
        title: v.title.trim(),
        starts_at: fromLocalInput(v.starts_at),
        ends_at: fromLocalInput(v.ends_at),
        location: v.location.trim(),
        description: v.description.trim(),
        chair_id: chairId,
      };
      submit.disabled = true;
      try {
        if (editing) {
          await call("meeting:update", { meeting_id: editing, ...payload });
          toast(t("Đã lưu", "Saved"));
          navigate(`/meetings/${editing}`);
        } else {
          const created = await call("meeting:create", payload);
          toast(t("Đã tạo cuộc họp (bản nháp)", "Meeting created (draft)"));
          navigate(`/meetings/${created.id}`);
        }
      } catch (err) {
        error.hidden = false;
        error.textContent = errorText(err);
      } finally {
        submit.disabled = false;
      }
    });
    fill(el, form);
  }

  start();
  return { destroy() { alive = false; } };
}
