// Written opinions (góp ý bằng văn bản): the form (about the whole meeting or one agenda item;
// kept on the device and sent later when offline) and the list. The list comes from
// opinion:list and the opinion:added pushes (pushes.js).
import { h, fill, useStyle } from "../dom.js";
import { busy, showError } from "../ui.js";
import { STAFF } from "../roles.js";
import { pushes } from "./pushes.js";
import { pending, sendOrQueue } from "../offline/outbox.js";
import { onOffline } from "../offline/status.js";

export default {
  id: "opinions",
  label: { vi: "Góp ý", en: "Opinions" },
  roles: null,
  pushes,
  mount(el, ctx) {
    useStyle("/static/js/opinions/opinions.css");
    const { t } = ctx;
    const role = ctx.role;
    const isStaff = STAFF.includes(role);
    // Opinions made offline wait on the device (offline/outbox.js).
    const sendLater = (button, event, payload, label) =>
      busy(button, () => sendOrQueue(event, payload, { meetingId: ctx.meetingId, label }));
    const waiting = (event) => pending(ctx.meetingId).filter((x) => x.event === event);

    // ---- opinions -------------------------------------------------------------------------------
    const opinions = new Map();
    const opinionText = h("textarea", { maxlength: 10000, rows: 3, placeholder: t("Ý kiến góp ý của bạn", "Your written opinion") });
    const opinionItem = h("select", { "aria-label": t("Về nội dung", "About") });
    const opinionList = h("ul.opinion-list");
    const opinionForm = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const text = opinionText.value.trim();
      if (!text) return;
      const item = opinionItem.value ? { agenda_item_id: Number(opinionItem.value) } : {};
      const ok = await sendLater(e.submitter, "opinion:submit", { meeting_id: ctx.meetingId, text, ...item },
        t(`góp ý “${text.slice(0, 40)}”`, `opinion “${text.slice(0, 40)}”`));
      if (ok) opinionText.value = "";
      if (ok?.sent) ctx.toast(t("Đã gửi góp ý", "Opinion sent"));
      drawOpinions();
    } }, opinionItem, opinionText, h("button.primary", { type: "submit" }, t("Gửi góp ý", "Send")));

    let itemsKey = null;
    function drawOpinionItems(state) {
      const key = JSON.stringify((state.agenda || []).map((i) => [i.id, i.title]));
      if (key === itemsKey) return;
      itemsKey = key;
      const keep = opinionItem.value;
      fill(opinionItem, h("option", { value: "" }, t("Cả cuộc họp", "The whole meeting")),
        (state.agenda || []).map((i) => h("option", { value: i.id, selected: String(i.id) === keep }, i.title)));
    }
    function drawOpinions() {
      const list = [...opinions.values()].sort((a, b) => a.id - b.id);
      const later = waiting("opinion:submit").map((x) => h("li.waiting", { "data-testid": "opinion-waiting" },
        h("div", h("span.on-device.fetching", t("Chờ gửi khi có mạng", "Waiting for the link"))),
        h("div", x.payload.text)));
      fill(opinionList, list.length || later.length ? [...list.map((o) => h("li",
        h("div", h("strong", o.full_name), " ", h("span.muted", new Date(o.created_at).toLocaleTimeString("vi-VN"))),
        h("div", o.text))), ...later] : h("li.muted", t("Chưa có góp ý", "No opinions yet")));
    }
    fill(el, h("div.card",
      h("h2", isStaff ? t("Góp ý của đại biểu", "Written opinions") : t("Góp ý bằng văn bản", "Written opinion")),
      role !== "observer" ? opinionForm : null,
      opinionList));
    // Offline the list comes when the link returns (the opinions are not kept on the device).
    const loadOpinions = () => ctx.call("opinion:list", { meeting_id: ctx.meetingId }).then((list) => {
      for (const o of list) opinions.set(o.id, o);
      drawOpinions();
    }, (err) => (err.code === "timeout" ? null : showError(err)));
    loadOpinions();
    const offLink = onOffline((down) => { if (!down) loadOpinions(); });
    ctx.on("opinion:added", (o) => { opinions.set(o.id, o); drawOpinions(); });

    const draw = (state) => { if (state) drawOpinionItems(state); };
    const offOffline = onOffline(drawOpinions);
    window.addEventListener("hop:outbox", drawOpinions);
    ctx.onState(draw);
    draw(ctx.state());
    drawOpinions();

    return { destroy() { offOffline(); offLink(); window.removeEventListener("hop:outbox", drawOpinions); } };
  },
};
