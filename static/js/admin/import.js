// Import people from a CSV file (POST /api/users/import): the created logins with their
// initial passwords, and each refused row with the reason.
import { http } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { errorText } from "../ui.js";

const HEADER = "username,full_name,unit_id,title,point,organizer";

export function mount(el) {
  const file = h("input", { type: "file", name: "file", accept: ".csv,text/csv", required: true });
  const submit = h("button.primary", { type: "submit" }, t("Nhập", "Import"));
  const result = h("div.import-result", { "aria-live": "polite" });
  const form = h("form.card",
    h("h2", t("Nhập người dùng từ tệp CSV", "Import people from a CSV file")),
    h("p", t("Tệp CSV mã hoá UTF-8, dòng đầu là tiêu đề:", "A UTF-8 CSV file whose first line is the header:")),
    h("pre.mono", `${HEADER}\nnguyenvana,Nguyễn Văn A,Văn phòng UBND tỉnh,Phó Chủ tịch,0,0\ndiemcau-xa-a,Điểm cầu xã A,Xã Đông Hòa,,1,0\ntranthib,Trần Thị B,12,Chuyên viên,0,0`),
    h("p", { "data-testid": "unit-help" }, t("unit_id: tên đơn vị đúng như trong ", "unit_id: the unit's name as in the "),
      h("a", { href: "#/admin/units" }, t("Cây đơn vị", "Unit tree")),
      t(" (không phân biệt chữ hoa, chữ thường), hoặc mã đơn vị, hoặc số id hiện bên cạnh tên đơn vị (ví dụ #12), hoặc để trống. Nếu nhiều đơn vị trùng tên, hãy ghi mã hoặc id.",
        " (letter case does not matter), or the unit's code, or the id shown beside the unit's name (e.g. #12), or empty. When several units share a name, write the code or the id.")),
    h("p.muted", t("point, organizer: 1 hoặc 0. Người được nhập phải đổi mật khẩu ban đầu khi đăng nhập lần đầu. Dòng bị từ chối không được lưu.",
      "point, organizer: 1 or 0. Imported people must change the initial password at their first sign-in. Refused rows store nothing.")),
    h("label", t("Tệp CSV", "CSV file"), file),
    h("div.action-bar", submit),
    result);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!file.files.length) return file.reportValidity();
    const body = new FormData();
    body.append("file", file.files[0]);
    submit.disabled = true;
    fill(result, h("p.muted", t("Đang nhập…", "Importing…")));
    try {
      const res = await http("POST", "/api/users/import", body);
      fill(result, report(res));
    } catch (err) {
      fill(result, h("p.error", { role: "alert" }, errorText(err)));
    } finally {
      submit.disabled = false;
    }
  });
  fill(el, form);
  return { destroy() {} };
}

function report({ created, refused }) {
  return [
    h("h3", t(`Đã tạo ${created.length} tài khoản`, `${created.length} accounts created`),
      refused.length ? t(`, từ chối ${refused.length} dòng`, `, ${refused.length} rows refused`) : ""),
    created.length ? [
      h("p.muted", t("Mật khẩu ban đầu chỉ hiện một lần: hãy lưu hoặc in danh sách này.", "Initial passwords are shown only once: save or print this list.")),
      h("table.created", h("thead", h("tr", h("th", t("Tên đăng nhập", "Username")), h("th", t("Mật khẩu ban đầu", "Initial password")))),
        h("tbody", created.map((c) => h("tr", h("td.mono", c.username), h("td.mono", c.initial_password))))),
    ] : null,
    refused.length ? [
      h("h3.error-title", t("Các dòng bị từ chối", "Refused rows")),
      h("table.refused", h("thead", h("tr", h("th", t("Dòng", "Row")), h("th", t("Lý do", "Reason")))),
        h("tbody", refused.map((r) => h("tr", h("td", String(r.row)), h("td", r.reason))))),
    ] : null,
  ];
}
