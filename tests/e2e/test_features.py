"""The feature-panel contract of static/js/features.js, with a probe feature served in place of
the real list: it is mounted as a tab with the documented ctx, follows the live state, and is
destroyed when the user leaves the meeting."""

from __future__ import annotations

from playwright.async_api import Route, expect

from tests.e2e.conftest import Browsers, unique
from tests.live import Live, meeting_with

PROBE = r"""
const probe = {
  id: "probe",
  label: { vi: "Thăm dò", en: "Probe" },
  roles: null,
  mount(el, ctx) {
    const out = (name, text) => {
      let p = el.querySelector(`[data-probe=${name}]`);
      if (!p) { p = document.createElement("p"); p.dataset.probe = name; el.append(p); }
      p.textContent = text;
    };
    out("who", `${ctx.user.username} ${ctx.role} ${ctx.meetingId}`);
    out("title", ctx.t("Tiêu đề: ", "Title: ") + ctx.state().title);
    const agenda = (s) => out("agenda", `agenda=${s.agenda.length}`);
    agenda(ctx.state());
    ctx.onState(agenda);
    ctx.on("agenda:updated", (d) => out("push", `push agenda:updated ${d.items.length}`));
    ctx.call("user:me", {}).then((me) => out("call", `call ${me.username}`));
    ctx.call("no:such", {}).catch((e) => out("error", `error ${e.code}`));
    return { destroy() { window.__probeDestroyed = (window.__probeDestroyed || 0) + 1; } };
  },
};
const staffOnly = {
  id: "staff-only", label: { vi: "Chỉ thư ký", en: "Staff only" }, roles: ["chair", "secretary"],
  mount(el) { el.textContent = "staff"; return { destroy() {} }; },
};
export const features = [probe, staffOnly];
"""


async def test_feature_panel_contract(clients: Live, browsers: Browsers) -> None:
    m = await meeting_with(clients, title=unique("Họp thử tính năng"))
    delegate = m["delegates"][0]
    page = await browsers.login(delegate.user.username)

    async def serve_probe(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body=PROBE)

    await page.route("**/static/js/features.js", serve_probe)
    await page.goto(f"{clients.url}/#/meetings/{m['meeting_id']}")
    await page.reload()  # the app was loaded at sign-in: load it again, now with the probe

    await expect(page.get_by_role("tab", name="Chỉ thư ký")).to_have_count(
        0
    )  # roles admit staff only
    await page.get_by_role("tab", name="Thăm dò").click()
    panel = page.get_by_role("tabpanel", name="Thăm dò")
    await expect(panel.locator("[data-probe=who]")).to_have_text(
        f"{delegate.user.username} delegate {m['meeting_id']}"
    )
    await expect(panel.locator("[data-probe=title]")).to_contain_text("Tiêu đề: Họp thử tính năng")
    await expect(panel.locator("[data-probe=agenda]")).to_have_text("agenda=0")
    await expect(panel.locator("[data-probe=call]")).to_have_text(f"call {delegate.user.username}")
    await expect(panel.locator("[data-probe=error]")).to_have_text("error invalid")

    await m["secretary_client"].ok(
        "agenda:add", {"meeting_id": m["meeting_id"], "title": "Mục mới"}
    )
    await expect(panel.locator("[data-probe=agenda]")).to_have_text("agenda=1")
    await expect(panel.locator("[data-probe=push]")).to_have_text("push agenda:updated 1")

    await page.get_by_role("link", name="Lịch họp", exact=True).click()
    await expect(page.get_by_role("heading", name="Lịch họp của tôi")).to_be_visible()
    assert await page.evaluate("window.__probeDestroyed") == 1
