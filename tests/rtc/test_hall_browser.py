"""The kiosk page in headless Chromium (fake camera) against the real server and relay."""

from __future__ import annotations

from tests.browser import CHROMIUM, FLAGS
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import RED, Client


async def test_hall_page_plays_the_main_stream_with_the_speakers_name(rtc_live: Live) -> None:
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
    errors: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto(f"{live.url}/login")
            await page.fill("input[name=username]", point.user.username)
            await page.fill("input[name=password]", "matkhau123")
            await page.click("button[type=submit]")
            await page.wait_for_url(lambda url: "/login" not in url)
            await page.goto(f"{live.url}/static/hall.html?meeting={mid}")
            await expect(page.locator("#speaker")).to_have_text(chair.user.full_name, timeout=15000)
            await page.wait_for_function(
                "window.hallStats && window.hallStats().then("
                "s => s.framesDecoded > 0 && s.connectionState === 'connected')",
                timeout=20000,
            )
            await expect(page.locator("#status")).to_have_text("Đã kết nối")
            await browser.close()
    finally:
        await publisher.close()
        await live.close_clients()
    assert errors == []
