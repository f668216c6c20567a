// A person picker: search people (`user:list {q}`) and pick one or several.
import { call } from "./api.js";
import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { showError } from "./ui.js";

/**
 * personPicker({multiple, exclude: Set of ids, point: bool|undefined, onChange(selected)})
 * → {el, selected() → [user], clear()}
 */
export function personPicker({ multiple = false, exclude = new Set(), point, onChange, label: text, initial = [] } = {}) {
  let chosen = [...initial];
  let timer = null;
  let asked = 0;
  const input = h("input", {
    type: "search",
    placeholder: t("Tìm theo tên hoặc tên đăng nhập…", "Search by name or username…"),
    "aria-label": text || t("Tìm người", "Find a person"),
    autocomplete: "off",
  });
  const results = h("ul.picker-results", { role: "listbox" });
  const chips = h("div.chips");

  function renderChips() {
    fill(chips, chosen.map((u) =>
      h("span.chip", u.full_name,
        h("button.chip-x", {
          type: "button",
          "aria-label": t(`Bỏ ${u.full_name}`, `Remove ${u.full_name}`),
          onclick: () => { chosen = chosen.filter((x) => x.id !== u.id); renderChips(); onChange?.(chosen); },
        }, "×"))));
  }

  async function search() {
    const q = input.value.trim();
    const mine = ++asked;
    const payload = q ? { q } : {};
    if (point !== undefined) payload.point = point;
    try {
      const users = await call("user:list", payload);
      if (mine !== asked) return;
      const shown = users.filter((u) => u.active !== false && !exclude.has(u.id)).slice(0, 30);
      fill(results, shown.length ? shown.map((u) => {
        const picked = chosen.some((c) => c.id === u.id);
        return h("li", { role: "option", "aria-selected": picked ? "true" : "false" },
          h("button.picker-option", { type: "button", class: picked ? "picked" : "", onclick: () => pick(u) },
            h("strong", u.full_name), " ",
            h("span.muted", [u.title, u.username].filter(Boolean).join(" · "))));
      }) : h("li.muted", t("Không tìm thấy ai", "Nobody found")));
    } catch (err) {
      showError(err);
    }
  }

  function pick(u) {
    if (multiple) {
      chosen = chosen.some((c) => c.id === u.id) ? chosen.filter((c) => c.id !== u.id) : [...chosen, u];
    } else {
      chosen = [u];
      input.value = "";
    }
    renderChips();
    onChange?.(chosen);
    if (multiple) search();
    else fill(results); // one person: done picking
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("focus", () => { if (!results.childElementCount) search(); });
  renderChips();
  const el = h("div.picker", text ? h("span.field-label", text) : null, chips, input, results);
  return {
    el,
    selected: () => chosen,
    clear() { chosen = []; renderChips(); input.value = ""; fill(results); },
    search,
  };
}
