// People and connection points: list and search, create, edit, disable, reset a password.
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { loadUnits, unitOptions } from "../parts/units.js";
import { busy, confirmDialog, dialog, errorText, showError, toast } from "../ui.js";

export function mount(el) {
  let units = [];
  let timer = null;
  const q = h("input", { type: "search", placeholder: t("Tìm tên, tên đăng nhập…", "Search name, username…"), "aria-label": t("Tìm", "Search") });
  const unitSel = h("select", { "aria-label": t("Đơn vị", "Unit") });
  const kindSel = h("select", { "aria-label": t("Loại tài khoản", "Account kind") },
    h("option", { value: "" }, t("Tất cả", "Everyone")),
    h("option", { value: "people" }, t("Cán bộ", "People")),
    h("option", { value: "points" }, t("Điểm cầu", "Connection points")));
  const list = h("div.user-list", h("p.muted", t("Đang tải…", "Loading…")));
  fill(el, h("div.card",
    h("div.toolbar.wrap", q, unitSel, kindSel, h("div.spacer"),
      h("button.primary", { type: "button", onclick: () => userDialog(null) }, t("+ Thêm tài khoản", "+ New account"))),
    list));

  const unitName = (id) => units.find((u) => u.id === id)?.name || "";

  async function reload() {
    const payload = {};
    if (q.value.trim()) payload.q = q.value.trim();
    if (unitSel.value) payload.unit_id = Number(unitSel.value);
    if (kindSel.value) payload.point = kindSel.value === "points";
    try {
      draw(await call("user:list", payload));
    } catch (err) {
      showError(err);
    }
  }

  function draw(users) {
    if (!users.length) return fill(list, h("p.empty", t("Không có tài khoản nào.", "No accounts.")));
    fill(list, h("table.users",
      h("thead", h("tr",
        h("th", t("Họ tên", "Name")), h("th", t("Tên đăng nhập", "Username")), h("th", t("Đơn vị", "Unit")),
        h("th", t("Quyền", "Rights")), h("th", t("Thao tác", "Actions")))),
      h("tbody", users.map((u) => h("tr", { class: u.active ? "" : "inactive", "data-user-id": u.id },
        h("td", { "data-label": t("Họ tên", "Name") }, h("strong", u.full_name), u.title ? h("div.muted", u.title) : null),
        h("td.mono", { "data-label": t("Tên đăng nhập", "Username") }, u.username),
        h("td", { "data-label": t("Đơn vị", "Unit") }, unitName(u.unit_id)),
        h("td", { "data-label": t("Quyền", "Rights") },
          u.point ? h("span.badge.role-point", t("Điểm cầu", "Point")) : null,
          u.organizer ? h("span.badge", t("Tổ chức họp", "Organizer")) : null,
          u.admin ? h("span.badge", t("Quản trị", "Admin")) : null,
          u.active ? null : h("span.badge.off", t("Đã khoá", "Disabled")),
          u.must_change_password ? h("span.badge.attention", t("Chờ đổi mật khẩu", "Must change password")) : null),
        h("td.actions", { "data-label": t("Thao tác", "Actions") },
          h("button", { type: "button", onclick: () => userDialog(u) }, t("Sửa", "Edit")),
          h("button", { type: "button", onclick: (ev) => resetPassword(ev.currentTarget, u) }, t("Cấp lại mật khẩu", "Reset password")),
          h("button", {
            type: "button",
            class: u.active ? "danger" : "",
            onclick: (ev) => toggleActive(ev.currentTarget, u),
          }, u.active ? t("Khoá", "Disable") : t("Mở khoá", "Enable"))))))));
  }

  async function toggleActive(button, u) {
    if (u.active && !(await confirmDialog(t("Khoá tài khoản?", "Disable the account?"),
      t(`${u.full_name} sẽ bị đăng xuất và không đăng nhập được nữa.`, `${u.full_name} is signed out and can no longer sign in.`),
      t("Khoá", "Disable"), true))) return;
    await busy(button, async () => {
      await call("user:update", { user_id: u.id, active: !u.active });
      toast(u.active ? t("Đã khoá", "Disabled") : t("Đã mở khoá", "Enabled"));
      await reload();
    });
  }

  async function resetPassword(button, u) {
    if (!(await confirmDialog(t("Cấp lại mật khẩu?", "Reset the password?"),
      t(`${u.full_name} sẽ phải đổi mật khẩu khi đăng nhập.`, `${u.full_name} must change it at the next sign-in.`),
      t("Cấp lại", "Reset")))) return;
    await busy(button, async () => {
      const res = await call("user:reset_password", { user_id: u.id });
      await dialog({
        title: t("Mật khẩu ban đầu mới", "New initial password"),
        body: [h("p", t(`Gửi cho ${u.full_name} (${u.username}):`, `Give this to ${u.full_name} (${u.username}):`)),
          h("p.secret", { "data-initial-password": "" }, res.initial_password),
          h("p.muted", t("Mật khẩu chỉ hiện một lần.", "The password is shown only once."))],
      });
      await reload();
    });
  }

  async function userDialog(u) {
    const f = (name, text, attrs = {}) => {
      const input = h("input", { name, ...attrs });
      return [input, h("label", text, input)];
    };
    const [username, usernameL] = f("username", t("Tên đăng nhập", "Username"), { required: true, pattern: "[a-zA-Z0-9_.\\-@]{2,100}", value: u?.username || "", disabled: !!u });
    const [password, passwordL] = f("password", t("Mật khẩu ban đầu (ít nhất 8 ký tự)", "Initial password (8+ characters)"), { required: true, minlength: 8, type: "text", autocomplete: "off" });
    const [fullName, fullNameL] = f("full_name", t("Họ tên", "Full name"), { required: true, maxlength: 200, value: u?.full_name || "" });
    const [title, titleL] = f("title", t("Chức vụ", "Title"), { maxlength: 200, value: u?.title || "" });
    const [email, emailL] = f("email", "E-mail", { type: "email", maxlength: 200, value: u?.email || "" });
    const unit = h("select", { name: "unit_id" }, unitOptions(units, u?.unit_id ?? null, { none: t("(Không thuộc đơn vị)", "(No unit)") }));
    const check = (name, text, on) => {
      const box = h("input", { type: "checkbox", name, checked: !!on });
      return [box, h("label.check", box, " ", text)];
    };
    const [point, pointL] = check("point", t("Là điểm cầu (tài khoản của hội trường xã/phường)", "A connection point (a commune/ward hall's account)"), u?.point);
    const [organizer, organizerL] = check("organizer", t("Được tạo cuộc họp", "May create meetings"), u?.organizer);
    const [admin, adminL] = check("admin", t("Quản trị viên", "Administrator"), u?.admin);
    const error = h("p.error", { hidden: true });
    const fields = [username, password, fullName, title, email];
    const v = await dialog({
      title: u ? t("Sửa tài khoản", "Edit account") : t("Thêm tài khoản", "New account"),
      wide: true,
      body: [h("div.grid2", usernameL, u ? null : passwordL, fullNameL, titleL, emailL, h("label", t("Đơn vị", "Unit"), unit)),
        pointL, organizerL, adminL, error],
      buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: t("Lưu", "Save"), value: "ok", primary: true }],
      validate: async () => {
        if (!fields.every((i) => i.disabled || (u && i === password) || i.reportValidity())) return false;
        const payload = {
          full_name: fullName.value.trim(),
          title: title.value.trim(),
          email: email.value.trim(),
          unit_id: unit.value ? Number(unit.value) : null,
          point: point.checked,
          organizer: organizer.checked,
          admin: admin.checked,
        };
        try {
          if (u) await call("user:update", { user_id: u.id, ...payload });
          else await call("user:create", { username: username.value.trim(), password: password.value, ...payload });
        } catch (err) {
          error.hidden = false;
          error.textContent = errorText(err);
          return false;
        }
        return true;
      },
    });
    if (v === "ok") {
      toast(t("Đã lưu tài khoản", "Account saved"));
      reload();
    }
  }

  q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(reload, 250); });
  unitSel.addEventListener("change", reload);
  kindSel.addEventListener("change", reload);
  loadUnits().then((us) => {
    units = us;
    fill(unitSel, unitOptions(units, null, { none: t("Mọi đơn vị", "All units") }));
    reload();
  }, (err) => { showError(err); reload(); });
  return { destroy() { clearTimeout(timer); } };
}
