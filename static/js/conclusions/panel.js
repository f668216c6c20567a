// Conclusions: the secretary's editor (one text per agenda item plus one overall, saved as they
// type), publishing the "Thông báo kết luận" (chair or secretary), and for everyone the links to
// the published notice (with its digital signature check) and to the minutes (biên bản).
import { h, fill, useStyle } from "../dom.js";
import { busy, dialog, showError } from "../ui.js";
import { http } from "../api.js";
import { pushes } from "./pushes.js";

const SAVE_DELAY_MS = 700;

export default {
  id: "conclusions",
  label: { vi: "Kết luận & biên bản", en: "Conclusions & minutes" },
  roles: null,
  pushes,
  mount(el, ctx) {
    useStyle("/static/js/conclusions/conclusions.css");
    const { t } = ctx;
    const isSecretary = ctx.role === "secretary";
    const canPublish = ctx.role === "chair" || isSecretary;
    const editors = new Map(); // key ("overall" | item id) -> {textarea, status, timer, dirty}

    const editorBox = h("div.conclusion-editor");
    const readBox = h("div.conclusion-read");
    const linksBox = h("div.pdf-links");
    const signatureBox = h("div.signature-result");
    // Publishing sits in a card of its own, away from the links people open (a PDF link beside
    // it was one tap from an act that cannot be undone).
    const publishBox = h("div.publish-box");
    fill(el, h("div.panel-stack",
      h("div.card", h("h2", t("Văn bản của cuộc họp", "Meeting documents")), linksBox, signatureBox),
      isSecretary ? h("div.card", h("h2", t("Soạn kết luận", "Draft the conclusions")), editorBox) : null,
      !isSecretary ? h("div.card", h("h2", t("Kết luận", "Conclusions")), readBox) : null,
      canPublish ? publishBox : null));

    const keyOf = (itemId) => (itemId == null ? "overall" : String(itemId));

    function save(key, itemId) {
      const ed = editors.get(key);
      clearTimeout(ed.timer);
      ed.timer = null;
      const text = ed.textarea.value;
      ed.status.textContent = t("Đang lưu…", "Saving…");
      ctx.call("conclusion:save", { meeting_id: ctx.meetingId, text, ...(itemId == null ? {} : { agenda_item_id: itemId }) })
        .then(() => {
          if (ed.textarea.value === text) { ed.dirty = false; ed.status.textContent = t("Đã lưu", "Saved"); }
        }, (err) => { ed.status.textContent = t("Chưa lưu được", "Not saved"); showError(err); });
    }

    function editor(title, itemId, text) {
      const key = keyOf(itemId);
      let ed = editors.get(key);
      if (!ed) {
        const textarea = h("textarea", { rows: 5, maxlength: 50000, "data-conclusion": key,
          "aria-label": title });
        const status = h("span.save-state.muted");
        ed = { textarea, status, timer: null, dirty: false };
        textarea.value = text || "";
        textarea.addEventListener("input", () => {
          ed.dirty = true;
          ed.status.textContent = t("Đang soạn…", "Editing…");
          clearTimeout(ed.timer);
          ed.timer = setTimeout(() => save(key, itemId), SAVE_DELAY_MS);
        });
        textarea.addEventListener("blur", () => { if (ed.timer) save(key, itemId); });
        editors.set(key, ed);
      }
      return h("div.conclusion-item", h("label", h("strong", title), " ", ed.status), ed.textarea);
    }

    // Another secretary's change, shown unless this one is editing that text.
    function syncValue(key, text) {
      const ed = editors.get(key);
      if (ed && !ed.dirty && document.activeElement !== ed.textarea && ed.textarea.value !== (text || "")) {
        ed.textarea.value = text || "";
      }
    }

    // The editors are rebuilt only when the agenda changes: rebuilding moves the textareas,
    // which would take the focus away from a secretary who is typing whenever a push arrives.
    let drawnAgenda = null;

    function draw(state) {
      if (!state) return;
      const byKey = new Map((state.conclusions || []).map((c) => [keyOf(c.agenda_item_id), c]));
      const items = state.agenda || [];
      const notices = (state.documents || []).filter((d) => d.kind === "notice");
      const notice = notices[notices.length - 1];
      fill(linksBox,
        h("a.button", { href: `/api/meetings/${ctx.meetingId}/minutes.pdf`, target: "_blank", rel: "noopener", "data-testid": "minutes-link" },
          t("Biên bản cuộc họp (PDF)", "Minutes (PDF)")),
        notice ? h("a.button.primary", { href: notice.url || `/api/documents/${notice.id}/file`, target: "_blank", rel: "noopener", "data-testid": "notice-link" },
          t("Thông báo kết luận (PDF)", "Conclusion notice (PDF)")) : h("span.muted", t("Chưa ban hành thông báo kết luận", "No conclusion notice yet")),
        notice && notice.signed ? h("button", { type: "button", onclick: (e) => busy(e.currentTarget, async () => {
          const r = await http("GET", `/api/documents/${notice.id}/signature`);
          fill(signatureBox, h("p", { class: r.intact ? "" : "error" },
            r.intact ? t("Chữ ký số hợp lệ, văn bản nguyên vẹn", "Signature valid, document intact") : t("Chữ ký số KHÔNG hợp lệ", "Signature NOT valid"),
            r.signer ? ` — ${r.signer}` : "", r.signing_time ? `, ${new Date(r.signing_time).toLocaleString("vi-VN")}` : ""));
        }) }, t("Kiểm tra chữ ký số", "Check the signature")) : null);
      drawPublish(state, notices);

      if (isSecretary) {
        const agendaKey = JSON.stringify(items.map((i) => [i.id, i.position, i.title]));
        if (agendaKey !== drawnAgenda) {
          drawnAgenda = agendaKey;
          fill(editorBox,
            items.map((i) => editor(`${i.position}. ${i.title}`, i.id, byKey.get(keyOf(i.id))?.text)),
            editor(t("Kết luận chung", "Overall conclusion"), null, byKey.get("overall")?.text));
        }
        for (const [key, c] of byKey) syncValue(key, c.text);
      } else {
        const shown = [...items.map((i) => [i.title, byKey.get(keyOf(i.id))]), [t("Kết luận chung", "Overall"), byKey.get("overall")]]
          .filter(([, c]) => c && c.text.trim());
        fill(readBox, shown.length ? h("ul.conclusion-list", shown.map(([title, c]) => h("li",
          h("strong", title), c.published_at ? null : h("span.muted", t(" (dự thảo)", " (draft)")), h("div", c.text))))
          : h("p.muted", t("Chưa có kết luận", "No conclusions yet")));
      }
    }
    function drawPublish(state, notices) {
      if (!canPublish) return;
      if (state.status === "cancelled") return fill(publishBox);
      const agendaCount = (state.agenda || []).length;
      const written = (state.conclusions || []).filter((c) => c.text.trim()).length;
      fill(publishBox, h("div.card.publish-card",
        h("h2", t("Ban hành thông báo kết luận", "Publish the conclusion notice")),
        h("p.muted", notices.length
          ? t(`Đã ban hành ${notices.length} lần. Ban hành lại sẽ tạo một thông báo mới với số mới.`, `Published ${notices.length} time(s). Publishing again makes a new notice with a new number.`)
          : t("Thông báo được cấp số, ký số (nếu có cấu hình) và gửi tới mọi người trong cuộc họp.", "The notice gets a number, is signed (when configured) and is sent to everyone in the meeting.")),
        written ? null : h("p.notice.warn", t("Chưa có nội dung kết luận: thư ký soạn kết luận trước khi ban hành.", "No conclusions yet: a secretary writes them before publishing.")),
        h("button.primary", { type: "button", "data-testid": "publish", disabled: !written, onclick: (e) => busy(e.currentTarget, async () => {
          if (!(await confirmPublish(written, agendaCount, notices.length))) return;
          for (const [key, ed] of editors) if (ed.timer) save(key, key === "overall" ? null : Number(key));
          const r = await ctx.call("conclusion:publish", { meeting_id: ctx.meetingId });
          ctx.toast(t(`Đã ban hành thông báo kết luận ${r.number}`, `Notice ${r.number} published`));
        }) }, t("Ban hành thông báo kết luận…", "Publish the notice…"))));
    }

    async function confirmPublish(written, agendaCount, before) {
      const v = await dialog({
        title: t("Ban hành thông báo kết luận?", "Publish the conclusion notice?"),
        body: [
          h("p", t(`Kết luận đã soạn: ${written} mục (chương trình có ${agendaCount} nội dung, cộng kết luận chung).`,
            `Conclusions written: ${written} (the agenda has ${agendaCount} items, plus the overall one).`)),
          h("p", t("Thông báo sẽ được cấp số văn bản, ký số nếu có cấu hình, và gửi ngay tới mọi người trong cuộc họp. Sau khi ban hành không thể sửa hay thu hồi số này.",
            "The notice gets its official number, is signed when configured, and is sent at once to everyone in the meeting. Once published, it cannot be edited and its number cannot be taken back.")),
          before ? h("p.notice.warn", t(`Đã có ${before} thông báo ban hành trước; thông báo mới sẽ có số mới.`, `${before} notice(s) already published; the new one gets a new number.`)) : null,
        ],
        buttons: [{ text: t("Chưa ban hành", "Not yet"), value: null },
          { text: t("Ban hành", "Publish"), value: "ok", primary: true }],
      });
      return v === "ok";
    }

    ctx.onState(draw);
    draw(ctx.state());
    return {
      destroy() {
        for (const [key, ed] of editors) if (ed.timer) save(key, key === "overall" ? null : Number(key));
      },
    };
  },
};
