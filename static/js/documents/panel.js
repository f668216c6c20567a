// The documents panel (contract: ../features.js): documents listed under their agenda items, an
// in-page viewer (viewer.js) with page navigation and zoom, "follow the presenter" (on by default
// for everyone but the chair — connection points especially — remembered per device), the
// chair's (or current speaker's) "show this page to everyone", private notes per page, and for
// staff an upload form with a progress bar, new versions, removal and "who has opened it".
import { h, fill, useStyle } from "../dom.js";
import { busy, confirmDialog, dialog, showError } from "../ui.js";
import { fmtShort } from "../format.js";
import { STAFF } from "../roles.js";
import { createViewer } from "./viewer.js";
import { pushes } from "./pushes.js";
import { sendOrQueue } from "../offline/outbox.js";
import { keepMeetingDocuments, keptCopy, onDevice } from "../offline/documents.js";


function fmtSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** POST a form with XMLHttpRequest, for its upload progress. Resolves with the JSON answer. */
function postWithProgress(url, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(data?.error || { code: String(xhr.status), message: xhr.statusText || "Lỗi tải lên" });
    };
    xhr.onerror = () => reject({ code: "network", message: "Mất kết nối khi tải lên" });
    xhr.send(form);
  });
}

export default {
  id: "documents",
  label: { vi: "Tài liệu", en: "Documents" },
  roles: null,
  pushes,
  mount(el, ctx) {
    useStyle("/static/js/documents/documents.css");
    const { t } = ctx;
    const role = ctx.role;
    const me = ctx.user.id;
    const isStaff = STAFF.includes(role);
    const followKey = `docs:follow:${me}`;
    const stored = localStorage.getItem(followKey);
    let follow = stored === null ? role !== "chair" : stored === "1";
    let openDoc = null; // the document shown in the viewer
    let notes = new Map(); // page -> note, for openDoc
    // The note box is about one page (noteKey = "doc:page"). It is refilled only when the page
    // changes — never on a redraw of the same page (a resize, which a tablet's on-screen keyboard
    // causes, a zoom, a push) — and what was typed but not saved is kept per page.
    let noteKey = null;
    const drafts = new Map(); // "doc:page" -> unsaved text
    let lastPresented = null;
    let maxUploadMb = null;

    // ---- layout ---------------------------------------------------------------------------
    const listBox = h("div.docs-list", { "data-testid": "docs-list" });
    const uploadBox = h("div.docs-upload-slot");
    const titleEl = h("strong.docs-title");
    const pageInput = h("input.docs-page-input", { type: "number", min: 1, value: 1, inputmode: "numeric", "aria-label": t("Trang", "Page") });
    const pageCount = h("span.docs-page-count", "/ 0");
    const presentedBadge = h("span.docs-presented", { hidden: true });
    const followBox = h("input", { type: "checkbox", checked: follow, "data-testid": "follow" });
    const presentBtn = h("button.primary", { type: "button", hidden: true, "data-testid": "present" }, t("Trình chiếu trang này cho mọi người", "Show this page to everyone"));
    const stopBtn = h("button", { type: "button", hidden: true }, t("Dừng trình chiếu", "Stop presenting"));
    const noteText = h("textarea.docs-note-text", { rows: 4, maxlength: 20000, placeholder: t("Ghi chú riêng cho trang này (chỉ mình bạn thấy)", "Private note for this page (only you see it)") });
    const noteList = h("ul.docs-note-list");
    const noteSave = h("button", { type: "button" }, t("Lưu ghi chú", "Save note"));
    const noteHead = h("span.docs-note-head", t("Ghi chú của tôi", "My notes"));
    function stashDraft() {
      if (!noteKey) return;
      const page = Number(noteKey.split(":")[1]);
      const saved = notes.get(page)?.text ?? "";
      if (noteText.value !== saved) drafts.set(noteKey, noteText.value);
      else drafts.delete(noteKey);
    }
    const viewerEl = h("div.docs-viewer", { "data-testid": "viewer" });
    const viewerCard = h("div.docs-viewer-card", { hidden: true },
      h("div.docs-toolbar",
        titleEl,
        h("span.spacer"),
        h("button", { type: "button", "aria-label": t("Trang trước", "Previous page"), onclick: () => viewer.prev() }, "‹"),
        pageInput, pageCount,
        h("button", { type: "button", "aria-label": t("Trang sau", "Next page"), onclick: () => viewer.next() }, "›"),
        h("button", { type: "button", "aria-label": t("Thu nhỏ", "Zoom out"), onclick: () => viewer.zoomBy(1 / 1.25) }, "−"),
        h("button", { type: "button", "aria-label": t("Phóng to", "Zoom in"), onclick: () => viewer.zoomBy(1.25) }, "+"),
        h("button", { type: "button", onclick: () => viewer.fit() }, t("Vừa khung", "Fit")),
        h("button", { type: "button", onclick: () => closeViewer() }, t("Đóng", "Close"))),
      h("div.docs-toolbar.docs-follow-bar",
        h("label.docs-follow", followBox, t("Theo người trình chiếu", "Follow the presenter")),
        presentedBadge,
        h("span.spacer"),
        presentBtn, stopBtn),
      viewerEl,
      h("details.docs-notes", { open: true },
        h("summary", noteHead),
        noteText,
        h("div.action-bar", noteSave),
        noteList));
    fill(el, h("div.docs-panel", uploadBox, listBox, viewerCard));

    const viewer = createViewer(viewerEl, {
      onPage(page, pages) {
        pageInput.value = String(page);
        pageInput.max = String(pages);
        pageCount.textContent = `/ ${pages}`;
        const key = openDoc ? `${openDoc.id}:${page}` : null;
        if (key !== noteKey) {
          stashDraft();
          noteKey = key;
          const n = notes.get(page);
          noteText.value = drafts.get(key) ?? (n ? n.text : "");
          noteHead.textContent = t(`Ghi chú của tôi — trang ${page}`, `My notes — page ${page}`);
        }
        drawPresentControls(ctx.state());
      },
    });

    pageInput.addEventListener("change", () => viewer.show(Number(pageInput.value)));
    followBox.addEventListener("change", () => {
      follow = followBox.checked;
      localStorage.setItem(followKey, follow ? "1" : "0");
      if (follow) followPresented(ctx.state(), true);
    });

    // ---- opening a document ----------------------------------------------------------------
    async function openDocument(doc, page = 1) {
      const changed = !openDoc || openDoc.id !== doc.id;
      openDoc = doc;
      viewerCard.hidden = false;
      viewerCard.dataset.documentId = String(doc.id);
      titleEl.textContent = doc.title;
      if (changed) {
        stashDraft();
        noteKey = null; // the notes of the new document are shown when its page is drawn
        loadNotes(doc);
      }
      // The opened document is brought into view (on a phone the list pushes it below the fold).
      if (changed) viewerCard.scrollIntoView({ block: "start" });
      try {
        await viewer.open(doc.url, page, await keptCopy(doc.id));
      } catch (err) {
        showError({ message: t("Không mở được tài liệu", "Could not open the document") + (err?.message ? `: ${err.message}` : "") });
      }
    }

    function closeViewer() {
      stashDraft();
      noteKey = null;
      openDoc = null;
      viewer.close();
      viewerCard.hidden = true;
      delete viewerCard.dataset.documentId;
    }

    async function loadNotes(doc) {
      notes = new Map();
      drawNotes();
      try {
        const list = await ctx.call("note:list", { document_id: doc.id });
        if (!openDoc || openDoc.id !== doc.id) return;
        notes = new Map(list.map((n) => [n.page, n]));
        const cur = notes.get(viewer.page());
        if (cur && !noteText.value && !drafts.has(noteKey)) noteText.value = cur.text;
        drawNotes();
      } catch (err) { showError(err); }
    }

    function drawNotes() {
      const items = [...notes.values()].sort((a, b) => a.page - b.page);
      fill(noteList, items.map((n) =>
        h("li", h("button.link", { type: "button", onclick: () => viewer.show(n.page) }, t(`Trang ${n.page}`, `Page ${n.page}`)),
          " ", h("span", n.text))));
    }

    noteSave.addEventListener("click", () => busy(noteSave, async () => {
      if (!openDoc) return;
      const key = noteKey || `${openDoc.id}:${viewer.page() || 1}`;
      const page = Number(key.split(":")[1]);
      const text = noteText.value;
      // Offline, the note waits on the device (offline/outbox.js) and is shown as written.
      const out = await sendOrQueue("note:save", { document_id: openDoc.id, page, text },
        { meetingId: ctx.meetingId, label: t(`ghi chú trang ${page}`, `note on page ${page}`) });
      const saved = out.sent || { id: null, document_id: openDoc.id, page, text, deleted: !text.trim() };
      if (saved.deleted) notes.delete(page); else notes.set(page, saved);
      if (drafts.get(key) === text || noteKey === key) drafts.delete(key);
      drawNotes();
      if (out.sent) ctx.toast(t("Đã lưu ghi chú", "Note saved"));
    }));

    // ---- presenting ------------------------------------------------------------------------
    function canPresent(state) {
      if (state.status !== "in_progress") return false;
      return role === "chair" || state.floor?.speaker?.user_id === me;
    }

    function drawPresentControls(state) {
      const p = state.presented && state.presented.document_id ? state.presented : null;
      const showing = !!openDoc && canPresent(state);
      presentBtn.hidden = !showing;
      stopBtn.hidden = !(showing && p);
      if (p) {
        const doc = (state.documents || []).find((d) => d.id === p.document_id);
        presentedBadge.hidden = false;
        presentedBadge.textContent = t(`Đang trình chiếu: ${doc ? doc.title : "tài liệu"} — trang ${p.page}`,
          `Presenting: ${doc ? doc.title : "document"} — page ${p.page}`);
      } else {
        presentedBadge.hidden = true;
      }
    }

    presentBtn.addEventListener("click", () => busy(presentBtn, async () => {
      if (!openDoc) return;
      await ctx.call("document:present", { meeting_id: ctx.meetingId, document_id: openDoc.id, page: viewer.page() || 1 });
    }));
    stopBtn.addEventListener("click", () => busy(stopBtn, () =>
      ctx.call("document:present", { meeting_id: ctx.meetingId, document_id: null })));

    function showOurTab() {
      // Following means seeing it: bring the documents tab forward (the screen's ctx.show) —
      // but not from under someone typing elsewhere (an opinion, a conclusion): the viewer
      // follows all the same, and the tab is one touch away.
      const a = document.activeElement;
      const typing = a && (a.tagName === "TEXTAREA" || a.isContentEditable
        || (a.tagName === "INPUT" && !["checkbox", "radio", "button", "submit", "file", "range"].includes(a.type)));
      if (typing && !el.contains(a)) return;
      ctx.show("documents");
    }

    function followPresented(state, force = false) {
      const p = state.presented && state.presented.document_id ? state.presented : null;
      const key = p ? `${p.document_id}:${p.page}` : null;
      if (key === lastPresented && !force) return;
      lastPresented = key;
      if (!p || !follow) return;
      const doc = (state.documents || []).find((d) => d.id === p.document_id);
      if (!doc) return;
      showOurTab();
      openDocument(doc, p.page);
    }

    // ---- the list, under agenda items ------------------------------------------------------
    // Whether the document is on this device (offline/documents.js keeps it in the background).
    function deviceMark(doc) {
      const kept = onDevice(doc.id);
      if (!kept) return null;
      if (kept.done) return h("span.on-device", { "data-testid": "on-device" }, t("Đã lưu trên máy", "On this device"));
      const pct = kept.total ? Math.floor((100 * kept.got) / kept.total) : 0;
      return h("span.on-device.fetching", t(`Đang tải về máy ${pct}%`, `Saving to this device ${pct}%`));
    }
    function docRow(doc) {
      return h("li.docs-item", { "data-document-id": doc.id },
        h("button.docs-open", { type: "button", onclick: () => openDocument(doc, 1) },
          h("span.docs-name", doc.title),
          h("span.muted", [t(`${doc.pages} trang`, `${doc.pages} pages`), fmtSize(doc.size),
            doc.version > 1 ? t(`bản ${doc.version}`, `version ${doc.version}`) : null,
            doc.signed ? t("đã ký số", "signed") : null].filter(Boolean).join(" · ")),
          deviceMark(doc)),
        isStaff ? h("span.docs-item-actions",
          h("button", { type: "button", onclick: () => showAccess(doc) }, t("Ai đã xem", "Who opened it")),
          h("button", { type: "button", onclick: () => pickVersion(doc) }, t("Bản mới", "New version")),
          h("button.danger", { type: "button", onclick: (e) => removeDoc(e.currentTarget, doc) }, t("Gỡ", "Remove"))) : null);
    }

    function drawList(state) {
      const docs = state.documents || [];
      const items = state.agenda || [];
      const groups = items.map((item) => ({ item, docs: docs.filter((d) => d.agenda_item_id === item.id) }));
      const known = new Set(items.map((i) => i.id));
      const general = docs.filter((d) => !d.agenda_item_id || !known.has(d.agenda_item_id));
      const sections = [];
      for (const g of groups) {
        if (!g.docs.length) continue;
        sections.push(h("section.docs-group", { "data-item-id": g.item.id },
          h("h3", `${g.item.position}. ${g.item.title}`), h("ul.docs-items", g.docs.map(docRow))));
      }
      if (general.length) {
        sections.push(h("section.docs-group", h("h3", t("Tài liệu chung", "General documents")), h("ul.docs-items", general.map(docRow))));
      }
      fill(listBox, sections.length ? sections : h("p.empty", t("Chưa có tài liệu.", "No documents yet.")));
      if (openDoc && !docs.some((d) => d.id === openDoc.id)) {
        // Replaced by a new version: show the new one at the same page; removed: close.
        const next = docs.find((d) => d.replaces === openDoc.id);
        if (next) openDocument(next, Math.min(viewer.page() || 1, next.pages));
        else closeViewer();
      }
    }

    // ---- staff: upload, versions, removal, who has opened it --------------------------------
    async function limit() {
      if (maxUploadMb === null) {
        const r = await fetch("/api/documents/limits", { credentials: "same-origin" }).then((x) => x.json()).catch(() => null);
        maxUploadMb = r?.max_upload_mb ?? 50;
      }
      return maxUploadMb;
    }

    /** What the uploader reads: done, and what the server removed from the file (active
     *  content: scripts, launch actions, embedded files), if anything. */
    function uploadedText(doc, done) {
      if (!doc?.removed?.length) return done;
      return `${done}. ${t(doc.notice, `Removed from the file: ${doc.removed.join(", ")}; the cleaned file is the one stored and distributed.`)}`;
    }

    async function sendFile(file, fields, progress) {
      const mb = await limit();
      if (file.size > mb * 1024 * 1024) {
        throw { code: "too_large", message: t(`Tệp lớn hơn giới hạn ${mb} MB`, `The file is over the ${mb} MB limit`) };
      }
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) if (v !== "" && v !== null && v !== undefined) form.append(k, v);
      form.append("file", file, file.name);
      return postWithProgress(`/api/meetings/${ctx.meetingId}/documents`, form, progress);
    }

    function drawUpload(state) {
      if (!isStaff || ["cancelled"].includes(state.status)) return fill(uploadBox);
      if (uploadBox.firstChild) {
        // Keep the form (and what is typed in it); refresh the agenda choices only.
        const sel = uploadBox.querySelector("select[name=agenda_item_id]");
        const chosen = sel.value;
        fill(sel, agendaOptions(state));
        sel.value = chosen;
        return;
      }
      const file = h("input", { type: "file", name: "file", accept: "application/pdf,.pdf", required: true, "data-testid": "upload-file" });
      const title = h("input", { type: "text", name: "title", maxlength: 300, placeholder: t("Tên tài liệu (mặc định: tên tệp)", "Title (default: file name)") });
      const item = h("select", { name: "agenda_item_id" }, agendaOptions(state));
      const bar = h("progress.docs-progress", { max: 1, value: 0, hidden: true });
      const submit = h("button.primary", { type: "submit" }, t("Tải lên", "Upload"));
      const form = h("form.docs-upload.card", {
        onsubmit: (e) => {
          e.preventDefault();
          if (!file.files[0]) return;
          busy(submit, async () => {
            bar.hidden = false;
            bar.value = 0;
            try {
              const doc = await sendFile(file.files[0], { title: title.value.trim(), agenda_item_id: item.value }, (f) => { bar.value = f; });
              ctx.toast(uploadedText(doc, t("Đã tải lên", "Uploaded")));
              form.reset();
            } finally {
              bar.hidden = true;
            }
          });
        },
      },
      h("h3", t("Tải tài liệu lên (PDF)", "Upload a document (PDF)")),
      h("div.docs-upload-fields", file, title, item, submit),
      bar);
      fill(uploadBox, form);
    }

    function agendaOptions(state) {
      return [h("option", { value: "" }, t("— Tài liệu chung —", "— General —")),
        ...(state.agenda || []).map((i) => h("option", { value: String(i.id) }, `${i.position}. ${i.title}`))];
    }

    function pickVersion(doc) {
      const input = h("input", { type: "file", accept: "application/pdf,.pdf", hidden: true });
      input.addEventListener("change", async () => {
        const f = input.files[0];
        if (!f) return;
        const bar = h("progress.docs-progress", { max: 1, value: 0 });
        const row = listBox.querySelector(`[data-document-id="${doc.id}"]`);
        row?.append(bar);
        try {
          const added = await sendFile(f, { title: doc.title, replaces: String(doc.id) }, (x) => { bar.value = x; });
          ctx.toast(uploadedText(added, t("Đã thay bằng bản mới", "Replaced by the new version")));
        } catch (err) { showError(err); } finally { bar.remove(); }
      });
      document.body.append(input);
      input.click();
      setTimeout(() => input.remove(), 60000);
    }

    async function removeDoc(button, doc) {
      const ok = await confirmDialog(t("Gỡ tài liệu", "Remove document"),
        t(`Gỡ “${doc.title}” khỏi cuộc họp? Bản lưu vẫn được giữ trong hồ sơ.`, `Remove “${doc.title}”? The record keeps it.`),
        t("Gỡ", "Remove"), true);
      if (ok) await busy(button, () => ctx.call("document:remove", { document_id: doc.id }));
    }

    async function showAccess(doc) {
      try {
        const a = await ctx.call("document:access", { document_id: doc.id });
        const rows = a.viewers.map((v) => h("tr",
          h("td", v.full_name), h("td", v.unit || ""), h("td", fmtShort(v.first_at)), h("td", fmtShort(v.last_at)), h("td", String(v.opens))));
        await dialog({
          title: t(`Ai đã xem: ${doc.title}`, `Who opened: ${doc.title}`),
          wide: true,
          body: [
            rows.length ? h("table.docs-access",
              h("thead", h("tr", h("th", t("Họ tên", "Name")), h("th", t("Đơn vị", "Unit")), h("th", t("Lần đầu", "First")), h("th", t("Lần cuối", "Last")), h("th", t("Số lần mở", "Opens")))),
              h("tbody", rows)) : h("p.empty", t("Chưa ai mở tài liệu này.", "Nobody has opened it yet.")),
            a.not_opened.length ? h("p.muted", t("Chưa mở: ", "Not opened yet: "), a.not_opened.map((p) => p.full_name).join(", ")) : null,
          ],
        });
      } catch (err) { showError(err); }
    }

    // ---- live ------------------------------------------------------------------------------
    function drawAll(state) {
      if (!state) return;
      drawUpload(state);
      drawList(state);
      drawPresentControls(state);
      followPresented(state);
    }
    ctx.onState(drawAll);
    ctx.on("document:presented", () => followPresented(ctx.state()));
    drawAll(ctx.state());
    // Keep the meeting's documents on the device, and show how far that got.
    const keep = (state) => keepMeetingDocuments(ctx.meetingId, state).catch((err) => console.warn("keep documents", err));
    ctx.onState(keep);
    keep(ctx.state());
    const redrawList = () => { if (ctx.state()) drawList(ctx.state()); };
    window.addEventListener("hop:docs", redrawList);

    return {
      destroy() { viewer.destroy(); window.removeEventListener("hop:docs", redrawList); },
    };
  },
};
