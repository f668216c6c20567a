// The unit tree (unit:list), loaded once and shared; a checkbox tree to pick units.
import { call } from "../api.js";
import { h } from "../dom.js";
import { label } from "../i18n.js";

let cache = null;

export function loadUnits(fresh = false) {
  if (fresh || !cache) cache = call("unit:list", {}).catch((err) => { cache = null; throw err; });
  return cache;
}

/** Units as a forest: [{unit, children: [...]}], siblings by name. */
export function unitForest(units) {
  const nodes = new Map(units.map((u) => [u.id, { unit: u, children: [] }]));
  const roots = [];
  for (const node of nodes.values()) {
    const parent = nodes.get(node.unit.parent_id);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** Checkbox tree; returns {el, selected() → [unit ids]}. */
export function unitChecklist(units) {
  const boxes = [];
  const draw = (nodes) => h("ul.unit-checks", nodes.map((n) => {
    const box = h("input", { type: "checkbox", value: n.unit.id });
    boxes.push(box);
    return h("li",
      h("label.check", box, " ", n.unit.name, " ", h("small.muted", `(${label("kind", n.unit.kind)})`)),
      n.children.length ? draw(n.children) : null);
  }));
  const el = draw(unitForest(units));
  return { el, selected: () => boxes.filter((b) => b.checked).map((b) => Number(b.value)) };
}

/** <option>s for a unit select, indented by depth. */
export function unitOptions(units, selectedId, { none = "" } = {}) {
  const out = [h("option", { value: "" }, none)];
  const walk = (nodes, depth) => {
    for (const n of nodes) {
      out.push(h("option", { value: n.unit.id, selected: n.unit.id === selectedId }, `${"— ".repeat(depth)}${n.unit.name}`));
      walk(n.children, depth + 1);
    }
  };
  walk(unitForest(units), 0);
  return out;
}
