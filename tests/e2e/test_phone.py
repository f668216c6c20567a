"""A delegate on a 390×844 phone (issue 12): the meeting's five tabs each fit and each tap opens
its own tab (ARIA tabs, arrow keys too), the notification list stays on the screen, an opened
document shows without scrolling, and the note box is open."""

from __future__ import annotations

from playwright.async_api import expect

from docs.sample import sample_pdf
from tests.docs.helpers import uploaded
from tests.e2e.conftest import PHONE, Browsers, shot, unique
from tests.e2e.touch import small_targets
from tests.live import Live, meeting_with

TABS = ["Chương trình", "Thành phần", "Tài liệu", "Phát biểu & biểu quyết", "Kết luận & biên bản"]


async def test_phone_tabs_documents_and_bell(clients: Live, browsers: Browsers) -> None:
    m = await meeting_with(clients, title=unique("Họp UBND tỉnh trên điện thoại"), start=True)
    pdf = sample_pdf("Tờ trình kế hoạch đầu tư công", [["Nội dung trang một."] * 8] * 3)
    await uploaded(clients, m["secretary"].token, m["meeting_id"], pdf, title="Tờ trình đầu tư")
    delegate = m["delegates"][0]
    page = await browsers.login(delegate.user.username, viewport=PHONE)
    await page.goto(f"{clients.url}/#/meetings/{m['meeting_id']}")

    tablist = page.get_by_role("tablist")
    tabs = tablist.get_by_role("tab")
    await expect(tabs).to_have_text(TABS)
    for name in TABS:
        tab = tablist.get_by_role("tab", name=name, exact=True)
        box = await tab.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)
        # The label is whole inside its own button (nothing cut off or spilling over).
        spill = await tab.evaluate(
            "b => { const l = b.querySelector('.tab-label').getBoundingClientRect();"
            " const r = b.getBoundingClientRect();"
            " return [l.left - r.left, r.right - l.right, b.scrollWidth - b.clientWidth]; }"
        )
        assert min(spill[:2]) >= 0 and spill[2] <= 0, (name, spill)
        # A finger at the middle of the tab: the tab under it opens, with its own panel.
        await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await expect(tab).to_have_attribute("aria-selected", "true")
        await expect(page.get_by_role("tabpanel", name=name, exact=True)).to_be_visible()
        await expect(page.get_by_role("tabpanel")).to_have_count(1)  # the others are hidden

    # Keyboard: arrows move along the tabs and open them; Home goes back to the first.
    last = tablist.get_by_role("tab", name=TABS[-1], exact=True)
    await last.focus()
    await page.keyboard.press("ArrowRight")
    first = tablist.get_by_role("tab", name=TABS[0], exact=True)
    await expect(first).to_be_focused()
    await expect(first).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("ArrowRight")
    await expect(tablist.get_by_role("tab", name=TABS[1], exact=True)).to_be_focused()
    await page.keyboard.press("End")
    await expect(last).to_have_attribute("aria-selected", "true")
    assert await first.get_attribute("tabindex") == "-1"

    # Documents: open one; its page is on the screen without scrolling, the note box is open.
    await tablist.get_by_role("tab", name="Tài liệu", exact=True).click()
    await shot(page, "phone-documents-list")
    await page.get_by_role("button", name="Tờ trình đầu tư").click()
    canvas = page.locator(".docs-canvas")
    await expect(canvas).to_be_visible()
    box = await canvas.bounding_box()
    assert box and 0 <= box["y"] < PHONE["height"] - 150, f"the page starts at y={box}"
    note = page.get_by_placeholder("Ghi chú riêng cho trang này (chỉ mình bạn thấy)")
    await expect(note).to_be_visible()
    assert await page.locator("details.docs-notes").get_attribute("open") is not None
    await shot(page, "phone-document-open")
    assert await small_targets(page) == []

    # The notification list lies within the screen.
    await page.evaluate("window.scrollTo(0, 0)")
    await page.get_by_role("button", name="Thông báo: 0 chưa đọc").click()
    bell = page.locator(".bell-panel")
    await expect(bell).to_be_visible()
    box = await bell.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    await shot(page, "phone-notifications")
