"""Issue 12: every touch target is at least 44 px, measured (bounding boxes of every visible
control), on the screens people use through a meeting — the secretary's and the chair's on a
1024×768 tablet, a delegate's on a 390×844 phone."""

from __future__ import annotations

from playwright.async_api import Page, expect

from docs.sample import sample_pdf
from tests.docs.helpers import uploaded
from tests.e2e.conftest import PHONE, Browsers, unique
from tests.e2e.touch import small_targets
from tests.live import Live, meeting_with

TABLET_768 = {"width": 1024, "height": 768}


async def every_tab(page: Page) -> dict[str, list[str]]:
    """The small targets of the meeting screen with each of its tabs open."""
    found: dict[str, list[str]] = {}
    tabs = page.get_by_role("tablist").get_by_role("tab")
    for i in range(await tabs.count()):
        tab = tabs.nth(i)
        await tab.click()
        await expect(tab).to_have_attribute("aria-selected", "true")
        name = (await tab.inner_text()).strip()
        small = await small_targets(page)
        if small:
            found[name] = small
    return found


async def test_touch_targets_through_a_meeting(clients: Live, browsers: Browsers) -> None:
    m = await meeting_with(clients, title=unique("Họp đo vùng chạm"), start=True, points=1)
    mid = m["meeting_id"]
    sec_c = m["secretary_client"]
    await sec_c.ok("agenda:add", {"meeting_id": mid, "title": "Tờ trình kế hoạch"})
    pdf = sample_pdf("Tờ trình", [["Nội dung."]] * 2)
    await uploaded(clients, m["secretary"].token, mid, pdf, title="Tờ trình kế hoạch")
    delegate_c = await clients.client(m["delegates"][0])
    await delegate_c.ok("meeting:join", {"meeting_id": mid})
    await delegate_c.ok("floor:request", {"meeting_id": mid, "topic": "Về vốn"})
    poll = await sec_c.ok("poll:create", {"meeting_id": mid, "question": "Thông qua?"})
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("poll:open", {"poll_id": poll["poll_id"]})

    problems: dict[str, object] = {}
    for who, viewport in (
        (m["secretary"], TABLET_768),
        (m["chair"], TABLET_768),
        (m["delegates"][0], PHONE),
    ):
        page = await browsers.login(who.user.username, viewport=viewport)
        # The measure itself: a 20 px button is caught.
        await page.evaluate(
            "() => { const b = document.createElement('button'); b.id = 'tiny';"
            " b.textContent = 'x'; b.style.cssText = 'all: unset; width: 20px; height: 20px;';"
            " document.body.append(b); }"
        )
        assert await small_targets(page) == ['button "x" 20x20']
        await page.evaluate("document.getElementById('tiny').remove()")
        list_small = await small_targets(page)
        if list_small:
            problems[f"{who.user.username} meetings"] = list_small
        await page.goto(f"{clients.url}/#/meetings/{mid}")
        await expect(page.get_by_role("tablist")).to_be_visible()
        tabs = await every_tab(page)
        if tabs:
            problems[f"{who.user.username} meeting"] = tabs
    assert problems == {}
