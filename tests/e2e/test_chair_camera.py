"""Chromium: the chair's tablet sends no camera until the chair turns it on; then the chair's own
picture is the main stream (before the hall the chair sits in), and turning it off gives the
main stream back to that hall."""

from __future__ import annotations

from playwright.async_api import expect

from rtc.service import media_of
from tests.e2e.conftest import browser, shot  # noqa: F401  (fixtures)
from tests.e2e.test_halls import hall_browsers, join_media, rtc_server  # noqa: F401
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import RED, Client


async def test_chair_sends_a_camera_only_when_asked(rtc_server: Live, hall_browsers) -> None:  # noqa: F811
    live = rtc_server
    m = await meeting_with(live, start=True, points=1)
    mid, chair, (hall,) = m["meeting_id"], m["chair"], m["points"]
    await m["secretary_client"].ok(
        "participant:seat", {"meeting_id": mid, "user_id": chair.id, "hall_id": hall.id}
    )
    peer = Client(RED)
    try:
        await join_media(await live.client(hall), peer, mid)
        page = await hall_browsers.login(chair.user.username)
        await page.goto(f"{live.url}/#/meetings/{mid}")
        await page.get_by_role("tab", name="Điểm cầu").click()
        camera = page.get_by_test_id("chair-camera")
        await expect(camera).to_have_text("Gửi hình từ máy này")
        room = media_of(live.server).rooms[mid]
        assert (room.speaker, room.main) == (chair.id, hall.id)  # off by default: the hall
        await camera.click()
        await expect(camera).to_have_attribute("aria-pressed", "true", timeout=15000)
        await expect(page.get_by_test_id("halls-main")).to_contain_text(
            chair.user.full_name, timeout=15000
        )
        assert (room.speaker, room.main) == (chair.id, chair.id)
        await shot(page, "chair-camera-on")
        await camera.click()
        await expect(camera).to_have_attribute("aria-pressed", "false")
        await expect(page.get_by_test_id("halls-main")).to_contain_text(
            hall.user.full_name, timeout=15000
        )
        assert room.main == hall.id
    finally:
        await peer.close()
