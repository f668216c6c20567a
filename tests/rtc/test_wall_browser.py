"""The wall page in headless Chromium against the real server: 16 tiles a page of the meeting's
halls, a real aiortc hall's light layer playing in its tile, and the chair granting the floor
from the tile of a hall that asked."""

from __future__ import annotations

from pathlib import Path

from tests.browser import open_signed_in
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import GREEN, Client

SHOTS = Path("test-output/screenshots")


async def test_the_wall_draws_16_tiles_and_grants_the_floor_from_one(rtc_live: Live) -> None:
    from playwright.async_api import async_playwright, expect

    live = rtc_live
    m = await meeting_with(live, start=True, points=17)
    mid, chair, points = m["meeting_id"], m["chair"], m["points"]
    by_id = {p.id: p for p in points}
    chair_socket = await live.client(chair)
    await chair_socket.ok("meeting:join", {"meeting_id": mid})
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    publisher: Client | None = None
    try:
        async with async_playwright() as pw:
            browser, page = await open_signed_in(
                pw,
                live.url,
                chair.user.username,
                f"/static/wall.html?meeting={mid}",
                errors,
                viewport={"width": 1280, "height": 800},
            )
            tiles = page.locator(".tile")
            await expect(tiles).to_have_count(16, timeout=15000)
            await expect(page.locator("#page")).to_have_text("Trang 1/2 · 17 điểm cầu")
            first = by_id[int(await tiles.first.get_attribute("data-user-id") or 0)]
            tile = page.locator(f'.tile[data-user-id="{first.id}"]')
            await expect(tile.locator(".none")).to_be_visible()

            # that hall connects with two layers and asks for the floor
            hall_socket = await live.client(first)
            await hall_socket.ok("meeting:join", {"meeting_id": mid})
            publisher = Client(GREEN, light=(80, 60))
            ack = await hall_socket.ok(
                "rtc:join", {"meeting_id": mid, "type": "offer", "sdp": await publisher.offer()}
            )
            await publisher.accept(ack["sdp"])
            await hall_socket.ok("floor:request", {"meeting_id": mid})
            await expect(tile.locator(".hand")).to_be_visible(timeout=10000)
            # the open wall's tile follows the hall that has just connected
            await expect(tile.locator(".none")).to_be_hidden(timeout=20000)
            await page.wait_for_function(
                f"window.wallStats().some(t => t.user_id === {first.id} && t.width === 80)",
                timeout=10000,
            )
            await expect(tile.locator(".layer")).to_have_text("lớp nhẹ")
            await page.screenshot(path=str(SHOTS / "wall-16.png"))

            await tile.click()  # large
            await expect(tile).to_have_class("tile asked large")
            await page.screenshot(path=str(SHOTS / "wall-large.png"))
            chair_socket.mark()
            await tile.locator(".grant").click()
            state = await chair_socket.push(
                "floor:state", lambda d: d["meeting_id"] == mid and d["speaker"] is not None
            )
            assert state["speaker"]["user_id"] == first.id
            await expect(tile).to_have_class("tile large speaking")
            await browser.close()
    finally:
        if publisher is not None:
            await publisher.close()
        await live.close_clients()
    assert errors == []
