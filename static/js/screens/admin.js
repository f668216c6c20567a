// Administration (the province's IT operator): the unit tree, people and connection points,
// and the CSV import.
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import * as units from "../admin/units.js";
import * as users from "../admin/users.js";
import * as importer from "../admin/import.js";

export function mount(el, { user, params }) {
  if (!user.admin) {
    fill(el, h("div.card", h("p", t("Chỉ quản trị viên được vào trang này.", "Only administrators can open this page."))));
    return { destroy() {} };
  }
  const tabs = [
    ["users", t("Người dùng & điểm cầu", "People & connection points"), users],
    ["units", t("Đơn vị", "Units"), units],
    ["import", t("Nhập từ tệp CSV", "Import from CSV"), importer],
  ];
  const body = h("div.admin-body");
  fill(el, h("section.admin",
    h("div.toolbar", h("h1", t("Quản trị", "Administration"))),
    h("nav.segmented", { "aria-label": t("Mục quản trị", "Administration sections") },
      tabs.map(([id, text]) => h("a", { href: `#/admin/${id}`, class: id === params.tab ? "active" : "", "aria-current": id === params.tab ? "page" : null }, text))),
    body));
  const [, , mod] = tabs.find(([id]) => id === params.tab) || tabs[0];
  const handle = mod.mount(body, { user });
  return { destroy() { handle?.destroy?.(); } };
}
