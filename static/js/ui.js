// Shared bits of interface: toasts, dialogs, error text, badges.
import { h } from "./dom.js";
import { label, t } from "./i18n.js";

let toastBox = null;

/** A short message at the bottom of the screen; kind "error" stays a little longer. */
export function toast(message, kind = "info") {
  if (!toastBox) {
    toastBox = h("div.toasts", { role: "status", "aria-live": "polite" });
    document.body.append(toastBox);
  }
  const el = h(`div.toast.${kind}`, message);
  toastBox.append(el);
  while (toastBox.childElementCount > 3) toastBox.firstElementChild.remove();
  setTimeout(() => el.remove(), kind === "error" ? 7000 : 3500);
}

/** The text to show for a failed request (the server's message is Vietnamese). */
export function errorText(err) {
  if (!err) return t("Có lỗi", "Something went wrong");
  let text = err.message || err.code || String(err);
  const fields = err.details && typeof err.details === "object" ? Object.keys(err.details) : [];
  if (err.code === "invalid" && fields.length && !fields.some((f) => text.includes(f))) {
    text += ` (${fields.join(", ")})`;
  }
  return text;
}

export function showError(err) {
  console.error(err);
  toast(errorText(err), "error");
}

/** Run an async action from a button: disable it meanwhile, show errors as toasts. */
export async function busy(button, fn) {
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (err) {
    showError(err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A modal dialog. body: nodes; buttons: [{text, value, primary?, danger?}].
 * Resolves with the chosen value (null when dismissed). `validate(value)` may return false
 * to keep the dialog open.
 */
export function dialog({ title, body = [], buttons, validate, wide = false }) {
  return new Promise((resolve) => {
    const dlg = h("dialog.dialog", { class: wide ? "wide" : "" });
    const form = h("form", { method: "dialog" });
    const list = buttons || [{ text: t("Đóng", "Close"), value: null }];
    const actions = h("div.dialog-actions",
      list.map((b) =>
        h("button", {
          type: "submit",
          value: b.value === null ? "" : String(b.value),
          class: b.primary ? "primary" : b.danger ? "danger" : "",
          formnovalidate: b.value === null ? true : undefined,
        }, b.text)));
    form.append(h("h2", title), h("div.dialog-body", body), actions);
    dlg.append(form);
    form.addEventListener("submit", async (ev) => {
      const value = ev.submitter?.value ?? "";
      if (value && validate) {
        ev.preventDefault();
        if ((await validate(value)) === false) return;
        dlg.close(value);
      }
    });
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(dlg.returnValue || null);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

export async function confirmDialog(title, text, okText, danger = false) {
  const v = await dialog({
    title,
    body: [h("p", text)],
    buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: okText, value: "ok", primary: !danger, danger }],
  });
  return v === "ok";
}

/** Ask for one line of text; resolves with it, or null. */
export async function promptDialog(title, fieldLabel, { value = "", required = true, multiline = false } = {}) {
  const input = multiline
    ? h("textarea", { name: "text", rows: 3, required }, value)
    : h("input", { name: "text", value, required });
  const v = await dialog({
    title,
    body: [h("label", fieldLabel, input)],
    buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: t("Đồng ý", "OK"), value: "ok", primary: true }],
    validate: () => input.reportValidity(),
  });
  return v === "ok" ? input.value.trim() : null;
}

export function badge(group, value, extra = "") {
  return h(`span.badge.${group}-${value}`, { class: extra }, label(group, value));
}

export function empty(text) {
  return h("p.empty", text);
}
