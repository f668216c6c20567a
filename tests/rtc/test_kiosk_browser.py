"""The kiosk runs a whole meeting in headless Chromium (fake camera): it says there is no picture
rather than showing black, votes with a confirmation and shows its choice, asks for the floor
and sees its place, and ends with the meeting (no reconnect loop)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import open_signed_in
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import RED, Client

SHOTS = Path("test-output/screenshots")


async def _kiosk(pw: Any, live: Live, point: Any, mid: int) -> tuple[Any, Any, list[str]]:
    errors: list[str] = []
    browser, page = await open_signed_in(
        pw,
        live.url,
        point.user.username,
        f"/static/hall.html?meeting={mid}",
        errors,
        viewport={"width": 1280, "height": 720},
    )
    return browser, page, errors


async def test_kiosk_votes_and_asks_for_the_floor(rtc_live: Live) -> None:
    from playwright.async_api import async_playwright, expect

    live = rtc_live
    m = await meeting_with(live, start=True, points=1)
    mid, chair, point = m["meeting_id"], m["chair"], m["points"][0]
    chair_socket = await live.client(chair)
    await chair_socket.ok("meeting:join", {"meeting_id": mid})
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser, page, errors = await _kiosk(pw, live, point, mid)
        # nobody sends a picture: the kiosk says so instead of a black screen
        await expect(page.locator("#nopicture")).to_have_text("Chưa có hình", timeout=15000)
        await expect(page.locator("#nopicture")).to_be_visible()

        poll = await chair_socket.ok(
            "poll:create", {"meeting_id": mid, "question": "Thông qua nghị quyết?"}
        )
        await chair_socket.ok("poll:open", {"poll_id": poll["poll_id"]})
        vote = page.locator("#vote")
        await expect(vote).to_contain_text("Thông qua nghị quyết?", timeout=10000)
        await page.screenshot(path=str(SHOTS / "kiosk-vote.png"))
        await vote.get_by_role("button", name="Tán thành", exact=True).click()
        await expect(page.locator("#confirm")).to_contain_text("Điểm cầu chọn: Tán thành")
        await page.screenshot(path=str(SHOTS / "kiosk-vote-confirm.png"))
        await page.locator("#confirm-ok").click()
        await expect(vote.locator(".my-vote")).to_have_text(
            "Điểm cầu đã biểu quyết: Tán thành", timeout=10000
        )
        await expect(vote.get_by_role("button")).to_have_count(0)
        closed = await chair_socket.ok("poll:close", {"poll_id": poll["poll_id"]})
        assert closed["counts"][0] == 1 and closed["voted"] == 1

        await page.locator("#request").click()
        await expect(page.locator("#queue")).to_have_text(
            "Đã đăng ký phát biểu — thứ 1/1", timeout=10000
        )
        await expect(page.locator("#request")).to_have_text("Rút đăng ký")
        await page.screenshot(path=str(SHOTS / "kiosk-floor-queue.png"))
        snap = await chair_socket.ok("meeting:get", {"meeting_id": mid})
        assert [q["user_id"] for q in snap["floor"]["queue"]] == [point.id]
        await browser.close()
    await live.close_clients()
    assert errors == []


async def test_kiosk_shows_the_end_of_the_meeting(rtc_live: Live) -> None:
    from playwright.async_api import async_playwright, expect

    live = rtc_live
    m = await meeting_with(live, start=True, points=1)
    mid, chair, point = m["meeting_id"], m["chair"], m["points"][0]
    chair_socket = await live.client(chair)
    await chair_socket.ok("meeting:join", {"meeting_id": mid})
    publisher = Client(RED)
    ack = await chair_socket.ok(
        "rtc:join", {"meeting_id": mid, "type": "offer", "sdp": await publisher.offer()}
    )
    await publisher.accept(ack["sdp"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        async with async_playwright() as pw:
            browser, page, errors = await _kiosk(pw, live, point, mid)
            await page.wait_for_function(
                "window.hallStats && window.hallStats().then("
                "s => s.framesDecoded > 0 && s.connectionState === 'connected')",
                timeout=20000,
            )
            await expect(page.locator("#nopicture")).to_be_hidden(timeout=10000)
            await m["secretary_client"].ok("meeting:end", {"meeting_id": mid})
            await expect(page.locator("#ended")).to_contain_text(
                "Cuộc họp đã kết thúc", timeout=10000
            )
            await page.screenshot(path=str(SHOTS / "kiosk-ended.png"))
            # the media session is over and nothing schedules a reconnect: the server's end
            # closes the peer connection, which would otherwise read as a lost link
            assert (await page.evaluate("window.hallStats()"))["connectionState"] == "none"
            await page.wait_for_function(
                "!document.getElementById('status').textContent.includes('thử lại')"
            )
            await expect(page.locator("#status")).to_have_text("Cuộc họp đã kết thúc")
            # reloading the page shows the end at once and opens no media
            await page.reload()
            await expect(page.locator("#ended")).to_be_visible(timeout=10000)
            assert (await page.evaluate("window.hallStats()"))["connectionState"] == "none"
            await browser.close()
    finally:
        await publisher.close()
        await live.close_clients()
    assert errors == []
