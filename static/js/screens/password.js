// Change the password: forced after an import or a reset (must_change_password).
import { call } from "../api.js";
import { h, fill, formValues } from "../dom.js";
import { lang, setLang, t } from "../i18n.js";
import { errorText, toast } from "../ui.js";

export function mount(el, { user, forced, done }) {
  const error = h("p.error", { role: "alert", hidden: true });
  const submit = h("button.primary.big", { type: "submit" }, t("Đổi mật khẩu", "Change password"));
  const form = h("form.card.password-form",
    h("h1", t("Đổi mật khẩu", "Change your password")),
    forced ? h("p", t(`Chào ${user.full_name}. Đây là lần đăng nhập đầu tiên (hoặc mật khẩu vừa được cấp lại): hãy đặt mật khẩu mới.`,
      `Welcome ${user.full_name}. This is your first sign-in (or your password was reset): choose a new password.`)) : null,
    h("label", t("Mật khẩu hiện tại", "Current password"),
      h("input", { name: "old_password", type: "password", autocomplete: "current-password", required: true })),
    h("label", t("Mật khẩu mới (ít nhất 8 ký tự)", "New password (8 characters or more)"),
      h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
    h("label", t("Nhập lại mật khẩu mới", "Repeat the new password"),
      h("input", { name: "repeat", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
    error,
    h("div.action-bar", submit),
    forced ? h("p.form-foot",
      h("button.link", { type: "button", onclick: () => setLang(lang() === "en" ? "vi" : "en") }, lang() === "en" ? "Tiếng Việt" : "English"),
      " · ",
      // Signing out is a POST (GET /logout signs nobody out): a button that sends the form.
      h("button.link", { type: "button", onclick: () => logoutForm.submit() }, t("Đăng xuất", "Sign out"))) : null);
  const logoutForm = h("form", { method: "post", action: "/logout", hidden: true });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    error.hidden = true;
    if (v.new_password !== v.repeat) {
      error.hidden = false;
      error.textContent = t("Hai lần nhập mật khẩu mới không khớp", "The new passwords differ");
      return;
    }
    submit.disabled = true;
    try {
      await call("user:change_password", { old_password: v.old_password, new_password: v.new_password });
      toast(t("Đã đổi mật khẩu", "Password changed"));
      done?.();
    } catch (err) {
      error.hidden = false;
      error.textContent = errorText(err);
    } finally {
      submit.disabled = false;
    }
  });
  fill(el, h("section.narrow", form, logoutForm));
  return { destroy() {} };
}
