"""Chromium: the chair presents page 3 and a delegate's viewer, in another browser context, shows
page 3 without a click; the documents panel lists documents under their agenda items."""

from __future__ import annotations

import time

from playwright.async_api import expect

from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.e2e.conftest import Browsers, browser, browsers, shot, unique  # noqa: F401  (fixtures)
from tests.live import Live, meeting_with


async def test_delegate_follows_the_presented_page(clients: Live, browsers: Browsers) -> None:  # noqa: F811
    m = await meeting_with(clients, start=True, delegates=1, title=unique("Họp trình chiếu"))
    mid = m["meeting_id"]
    item = await m["secretary_client"].ok(
        "agenda:add", {"meeting_id": mid, "title": "Tờ trình đầu tư công"}
    )
    doc = await uploaded(
        clients,
        m["secretary"].token,
        mid,
        vietnamese_pdf(6),
        title="Tờ trình số 7",
        agenda_item_id=item["id"],
    )

    delegate = await browsers.login(m["delegates"][0].user.username)
    await delegate.goto(f"{clients.url}/#/meetings/{mid}")
    chair = await browsers.login(m["chair"].user.username)
    await chair.goto(f"{clients.url}/#/meetings/{mid}")

    # The chair opens the document from the list (under its agenda item) and goes to page 3.
    await chair.get_by_role("tab", name="Tài liệu").click()
    group = chair.locator(f"section.docs-group[data-item-id='{item['id']}']")
    await expect(group).to_contain_text("Tờ trình đầu tư công")
    await group.get_by_role("button", name="Tờ trình số 7").click()
    viewer = chair.get_by_test_id("viewer")
    await expect(viewer).to_have_attribute("data-page", "1")
    await chair.get_by_role("button", name="Trang sau").click()
    await chair.get_by_role("button", name="Trang sau").click()
    await expect(viewer).to_have_attribute("data-page", "3")
    await chair.get_by_test_id("present").click()

    # The delegate never clicks: the panel comes forward and shows page 3.
    dviewer = delegate.get_by_test_id("viewer")
    await expect(dviewer).to_have_attribute("data-page", "3", timeout=5000)
    await expect(delegate.locator(".docs-viewer-card")).to_have_attribute(
        "data-document-id", str(doc["id"])
    )
    await expect(delegate.locator(".docs-presented")).to_contain_text("trang 3")
    await shot(delegate, "docs-delegate-follows")

    # With the document open, a new page follows within a second.
    await chair.get_by_role("button", name="Trang sau").click()
    await expect(viewer).to_have_attribute("data-page", "4")
    started = time.monotonic()
    await chair.get_by_test_id("present").click()
    await expect(dviewer).to_have_attribute("data-page", "4", timeout=3000)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"the delegate's viewer took {elapsed:.2f} s to follow"
    await shot(chair, "docs-chair-presents")


async def test_uploader_is_told_what_was_removed(
    clients: Live,
    browsers: Browsers,  # noqa: F811
    tmp_path,
) -> None:
    """Issue 11: a PDF with JavaScript, a launch action and an embedded program is stored
    without them, and the secretary who uploaded it reads what was removed."""
    from tests.docs.pdfs import active_pdf
    from tests.e2e.conftest import SHOTS

    m = await meeting_with(clients, delegates=1, title=unique("Họp tài liệu có mã"))
    mid = m["meeting_id"]
    path = tmp_path / "to-trinh-co-ma.pdf"
    path.write_bytes(active_pdf(2))
    page = await browsers.login(m["secretary"].user.username)
    await page.goto(f"{clients.url}/#/meetings/{mid}")
    await page.get_by_role("tab", name="Tài liệu").click()
    await page.get_by_test_id("upload-file").set_input_files(str(path))
    await page.get_by_role("button", name="Tải lên", exact=True).click()
    toast = page.locator(".toast").filter(has_text="Đã gỡ khỏi tệp")
    await expect(toast).to_contain_text("mã JavaScript")
    await expect(toast).to_contain_text("tệp đính kèm nhúng trong PDF")
    await expect(toast).to_contain_text("Launch")
    await expect(page.locator(".docs-panel")).to_contain_text("to-trinh-co-ma")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "docs-upload-removed-active-content.png"))
