// The agenda: items in order with the one under discussion marked; staff add, edit, remove
// and reorder; the chair picks the item under discussion.
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { personPicker } from "../picker.js";
import { busy, confirmDialog, dialog, empty, errorText, toast } from "../ui.js";
import { STAFF } from "../roles.js";

export function renderAgenda(el, state, { meetingId }) {
  const items = state.agenda || [];
  const editable = STAFF.includes(state.my_role) && !["ended", "cancelled"].includes(state.status);
  const canActivate = state.my_role === "chair" && state.status === "in_progress";

  const move = (index, delta) => async (ev) => {
    const ids = items.map((i) => i.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + delta, 0, id);
    await busy(ev.currentTarget, () => call("agenda:reorder", { meeting_id: meetingId, item_ids: ids }));
  };

  const rows = items.map((item, index) =>
    h("li.agenda-item", { class: [item.active ? "active" : "", `item-${item.status}`].join(" "), "data-item-id": item.id },
      h("span.agenda-pos", String(item.position)),
      h("div.agenda-text",
        h("strong.agenda-title", item.title),
        h("span.muted",
          [item.presenter_name ? t(`Trình bày: ${item.presenter_name}`, `Presenter: ${item.presenter_name}`) : null,
            item.duration_min ? t(`${item.duration_min} phút`, `${item.duration_min} min`) : null].filter(Boolean).join(" · ")),
        item.active ? h("span.badge.live", t("Đang thảo luận", "Under discussion")) : null,
        item.status === "done" ? h("span.badge.done", t("Đã xong", "Done")) : null),
      h("div.agenda-tools",
        canActivate && !item.active
          ? h("button", { type: "button", onclick: (ev) => busy(ev.currentTarget, () => call("agenda:activate", { item_id: item.id })) },
            t("Thảo luận", "Discuss")) : null,
        editable ? [
          h("button.icon", { type: "button", disabled: index === 0, onclick: move(index, -1), "aria-label": t("Lên trên", "Move up") }, "↑"),
          h("button.icon", { type: "button", disabled: index === items.length - 1, onclick: move(index, 1), "aria-label": t("Xuống dưới", "Move down") }, "↓"),
          h("button", { type: "button", onclick: () => itemDialog(meetingId, item) }, t("Sửa", "Edit")),
          h("button.danger", {
            type: "button",
            disabled: item.active,
            onclick: async (ev) => {
              const button = ev.currentTarget;
              if (await confirmDialog(t("Xoá nội dung?", "Remove this item?"), item.title, t("Xoá", "Remove"), true)) {
                await busy(button, () => call("agenda:remove", { item_id: item.id }));
              }
            },
          }, t("Xoá", "Remove")),
        ] : null)));

  fill(el, h("section.agenda",
    items.length ? h("ol.agenda-list", rows) : empty(t("Chưa có nội dung chương trình.", "No agenda items yet.")),
    editable ? h("button.primary", { type: "button", onclick: () => itemDialog(meetingId, null, items.length) },
      t("+ Thêm nội dung", "+ Add an item")) : null));
}

async function itemDialog(meetingId, item, count = 0) {
  const title = h("input", { name: "title", required: true, maxlength: 500, value: item?.title || "" });
  const duration = h("input", { name: "duration_min", type: "number", min: 1, max: 1440, value: item?.duration_min ?? "" });
  const position = item ? null : h("input", { name: "position", type: "number", min: 1, max: count + 1, value: count + 1 });
  const initial = item?.presenter_id ? [{ id: item.presenter_id, full_name: item.presenter_name }] : [];
  const presenter = personPicker({ label: t("Người trình bày (không bắt buộc)", "Presenter (optional)"), initial });
  const error = h("p.error", { hidden: true });
  const v = await dialog({
    title: item ? t("Sửa nội dung", "Edit item") : t("Thêm nội dung chương trình", "Add an agenda item"),
    body: [
      h("label", t("Nội dung", "Title"), title),
      h("div.row",
        h("label", t("Thời lượng (phút)", "Duration (min)"), duration),
        position ? h("label", t("Vị trí", "Position"), position) : null),
      presenter.el,
      error,
    ],
    buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: t("Lưu", "Save"), value: "ok", primary: true }],
    validate: async () => {
      if (!title.reportValidity() || !duration.reportValidity()) return false;
      const payload = {
        title: title.value.trim(),
        duration_min: duration.value ? Number(duration.value) : null,
        presenter_id: presenter.selected()[0]?.id ?? null,
      };
      try {
        if (item) await call("agenda:update", { item_id: item.id, ...payload });
        else {
          if (position?.value) payload.position = Number(position.value);
          if (payload.duration_min === null) delete payload.duration_min;
          if (payload.presenter_id === null) delete payload.presenter_id;
          await call("agenda:add", { meeting_id: meetingId, ...payload });
        }
      } catch (err) {
        error.hidden = false;
        error.textContent = errorText(err);
        return false;
      }
      return true;
    },
  });
  if (v === "ok") toast(t("Đã lưu chương trình", "Agenda saved"));
}
