"""Measures of what a finger meets: every visible control's box on the page (issue 12: every
touch target ≥ 44 px)."""

from __future__ import annotations

from playwright.async_api import Page

# Controls a person taps. A checkbox or radio counts through its <label> when it has one (the
# label is what is tapped); inline links inside running text are not targets of their own.
SMALL_TARGETS_JS = """(min) => {
  const out = [];
  const seen = new Set();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== "hidden" && !el.closest("[hidden]");
  };
  for (const el of document.querySelectorAll(
      "button, a.button, select, input:not([type=hidden]), [role=tab]")) {
    let target = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) target = el.closest("label") || el;
    if (seen.has(target) || !visible(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      out.push(`${target.tagName.toLowerCase()} "${(target.innerText || target.getAttribute("aria-label") || target.name || "").trim().slice(0, 40)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}"""


async def small_targets(page: Page, minimum: int = 44) -> list[str]:
    """The visible controls smaller than `minimum` px either way (empty when all are fine)."""
    return await page.evaluate(SMALL_TARGETS_JS, minimum)
