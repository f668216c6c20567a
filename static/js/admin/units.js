// The unit tree: province → district → commune (and departments); add, rename, move.
import { call } from "../api.js";
import { h, fill } from "../dom.js";
import { label, labelKeys, t } from "../i18n.js";
import { loadUnits, unitForest, unitOptions } from "../parts/units.js";
import { dialog, errorText, showError, toast } from "../ui.js";

export function mount(el) {
  const tree = h("div.unit-tree", h("p.muted", t("Đang tải…", "Loading…")));
  fill(el, h("div.card",
    h("div.toolbar",
      h("h2", t("Cây đơn vị", "Unit tree")), h("div.spacer"),
      h("button.primary", { type: "button", onclick: () => unitDialog(null, null).then(reload) }, t("+ Thêm đơn vị", "+ Add a unit"))),
    tree));

  let units = [];
  async function reload(changed = true) {
    if (changed === null) return;
    try {
      units = await loadUnits(true);
      draw();
    } catch (err) {
      showError(err);
    }
  }

  function draw() {
    const branch = (nodes) => h("ul.tree", nodes.map((n) =>
      h("li",
        h("div.tree-row", { "data-unit-id": n.unit.id },
          h("span.tree-name", n.unit.name), " ", h("span.badge", label("kind", n.unit.kind)), " ",
          h("span.tree-id.muted", { title: t("Mã số (id) của đơn vị, dùng khi nhập người dùng từ CSV", "The unit's id, for the CSV user import") }, `#${n.unit.id}`),
          n.unit.code ? h("span.tree-code", { title: t("Mã đơn vị", "Unit code") }, t(`mã ${n.unit.code}`, `code ${n.unit.code}`)) : null,
          h("span.tree-tools",
            h("button", { type: "button", onclick: () => unitDialog(null, n.unit.id).then(reload) }, t("+ Đơn vị con", "+ Sub-unit")),
            h("button", { type: "button", onclick: () => unitDialog(n.unit, n.unit.parent_id).then(reload) }, t("Sửa", "Edit")))),
        n.children.length ? branch(n.children) : null)));
    fill(tree, units.length ? branch(unitForest(units)) : h("p.empty", t("Chưa có đơn vị.", "No units yet.")));
  }

  async function unitDialog(unit, parentId) {
    const name = h("input", { name: "name", required: true, maxlength: 200, value: unit?.name || "" });
    const code = h("input", { name: "code", maxlength: 20, pattern: "[\\w.\\/\\-]*", value: unit?.code || "",
      autocapitalize: "characters", spellcheck: "false" });
    const kind = h("select", { name: "kind" }, labelKeys("kind").map((k) =>
      h("option", { value: k, selected: unit ? unit.kind === k : k === guessKind(parentId) }, label("kind", k))));
    const parent = h("select", { name: "parent_id" },
      unitOptions(units.filter((u) => u.id !== unit?.id), parentId, { none: t("(Không có — cấp cao nhất)", "(None — top level)") }));
    const error = h("p.error", { hidden: true });
    const v = await dialog({
      title: unit ? t("Sửa đơn vị", "Edit unit") : t("Thêm đơn vị", "Add a unit"),
      body: [h("label", t("Tên đơn vị", "Name"), name),
        h("label", t("Mã đơn vị (không bắt buộc)", "Unit code (optional)"), code),
        h("label", t("Loại", "Kind"), kind),
        h("label", t("Trực thuộc", "Under"), parent), error],
      buttons: [{ text: t("Thôi", "Cancel"), value: null }, { text: t("Lưu", "Save"), value: "ok", primary: true }],
      validate: async () => {
        if (!name.reportValidity() || !code.reportValidity()) return false;
        const payload = { name: name.value.trim(), code: code.value.trim() || null, kind: kind.value, parent_id: parent.value ? Number(parent.value) : null };
        try {
          if (unit) await call("unit:update", { unit_id: unit.id, ...payload });
          else await call("unit:create", payload);
        } catch (err) {
          error.hidden = false;
          error.textContent = errorText(err);
          return false;
        }
        return true;
      },
    });
    if (v === "ok") toast(t("Đã lưu đơn vị", "Unit saved"));
    return v === "ok" ? true : null;
  }

  function guessKind(parentId) {
    const parent = units.find((u) => u.id === parentId);
    return !parent ? "province" : parent.kind === "province" ? "district" : "commune";
  }

  reload();
  return { destroy() {} };
}
