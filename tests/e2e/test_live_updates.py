"""The meeting screen follows the server without reloads: pushes applied to the state, and a
fresh snapshot after the connection is lost and comes back."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.conftest import Browsers, unique
from tests.live import Live, meeting_with


async def test_meeting_screen_recovers_after_the_server_drops_the_connection(
    clients: Live, browsers: Browsers
) -> None:
    live = clients
    m = await meeting_with(live, title=unique("Họp trực tuyến"))
    sec = m["secretary_client"]
    delegate = m["delegates"][0]
    page = await browsers.login(delegate.user.username)
    await page.goto(f"{live.url}/#/meetings/{m['meeting_id']}")
    await expect(page.get_by_text("Bạn chưa trả lời giấy mời này.")).to_be_visible()

    # A push while connected: the agenda grows.
    await sec.ok("agenda:add", {"meeting_id": m["meeting_id"], "title": "Nội dung thứ nhất"})
    await expect(page.locator(".agenda-item", has_text="Nội dung thứ nhất")).to_be_visible()

    # The server drops every connection of the delegate; a change is made meanwhile.
    sio = live.server.sio
    sids = [sid for sid, _ in sio.manager.get_participants("/", f"u:{delegate.id}")]
    assert sids
    for sid in sids:
        await sio.disconnect(sid)
    await sec.ok(
        "agenda:add", {"meeting_id": m["meeting_id"], "title": "Nội dung thêm khi mất kết nối"}
    )
    # The page reconnects, joins the meeting again and shows the change…
    await expect(
        page.locator(".agenda-item", has_text="Nội dung thêm khi mất kết nối")
    ).to_be_visible()
    # …and gets the pushes after it.
    await sec.ok("meeting:update", {"meeting_id": m["meeting_id"], "location": "Hội trường tầng 3"})
    await expect(page.locator(".meeting-when")).to_contain_text("Hội trường tầng 3")
    now = [sid for sid, _ in sio.manager.get_participants("/", f"u:{delegate.id}")]
    assert now and not set(now) & set(sids), "the page is on a new connection"
    await sec.ok(
        "meeting:cancel", {"meeting_id": m["meeting_id"], "reason": "Lãnh đạo bận công tác"}
    )
    await expect(page.get_by_text("Đã huỷ. Lý do: Lãnh đạo bận công tác")).to_be_visible()
    await expect(page.get_by_role("button", name="Tham dự", exact=True)).to_have_count(0)


async def test_a_meeting_that_starts_while_open_checks_the_viewer_in(
    clients: Live, browsers: Browsers
) -> None:
    m = await meeting_with(clients, title=unique("Họp bắt đầu"))
    delegate = m["delegates"][0]
    page = await browsers.login(delegate.user.username)
    await page.goto(f"{clients.url}/#/meetings/{m['meeting_id']}")
    await expect(page.locator('[data-stat="present"] .stat-value')).to_have_text("0")
    await m["secretary_client"].ok("meeting:start", {"meeting_id": m["meeting_id"]})
    await expect(page.locator(".meeting-head").get_by_text("Đang họp")).to_be_visible()
    await expect(page.get_by_text("Bạn đã điểm danh có mặt")).to_be_visible()
    await expect(page.locator('[data-stat="present"] .stat-value')).to_have_text("1")
