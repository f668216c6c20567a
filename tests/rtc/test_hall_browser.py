"""The kiosk page in headless Chromium (fake camera) against the real server and relay."""

from __future__ import annotations

import re
from pathlib import Path

from aiortc import AudioStreamTrack

from rtc.layers import Report
from rtc.service import media_of
from tests.browser import open_signed_in
from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.live import Live, meeting_with
from tests.rtc.rtc_peers import RED, Client, SolidColourTrack, chair_publishes, eventually
from tests.rtc.test_layers_live import on_full


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
            browser, page = await open_signed_in(
                pw, live.url, point.user.username, f"/static/hall.html?meeting={mid}", errors
            )
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


async def test_kiosk_publishes_a_light_layer_and_says_which_layer_it_gets(rtc_live: Live) -> None:
    from playwright.async_api import async_playwright, expect

    live = rtc_live
    m = await meeting_with(live, start=True, points=1)
    mid, chair, point = m["meeting_id"], m["chair"], m["points"][0]
    # the chair sends two layers a kiosk can tell apart by size
    chair_socket, publisher = await chair_publishes(
        live,
        chair,
        mid,
        [SolidColourTrack(RED, 640, 360), SolidColourTrack(RED, 320, 180), AudioStreamTrack()],
    )
    errors: list[str] = []
    shots = Path("test-output/screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    try:
        async with async_playwright() as pw:
            browser, page = await open_signed_in(
                pw,
                live.url,
                point.user.username,
                f"/static/hall.html?meeting={mid}",
                errors,
                viewport={"width": 1280, "height": 800},
            )

            # the kiosk publishes its camera twice: full, and a light copy of at most 320x180
            room = media_of(live.server).rooms[mid]
            await eventually(
                lambda: point.id in room.peers and room.peers[point.id].light is not None, within=20
            )
            kiosk = room.peers[point.id]
            light, full = kiosk.light, kiosk.sources["video"]
            await eventually(lambda: light.size is not None and full.size is not None, within=20)
            # (the full layer's size is the browser's choice: it starts small and grows)
            assert light.size[0] <= 320 and light.size[1] <= 180
            assert not light.refused

            # on a healthy link it climbs to the full layer and shows no warning
            await eventually(lambda: on_full(room, point.id), within=25)
            await page.wait_for_function(
                "window.hallStats().then(s => s.layer === 'full' && s.framesDecoded > 60)",
                timeout=10000,
            )
            await expect(page.locator("#layer")).to_be_hidden()

            # its reports turn bad: the light layer, and the kiosk says so
            kiosk = room.peers[point.id]
            for _ in range(2):
                kiosk._rtcp_report(Report(loss=0.5))
            await expect(page.locator("#layer")).to_have_text(
                re.compile("chất lượng thấp"), timeout=10000
            )
            await page.screenshot(path=str(shots / "hall-light-layer.png"))
            # worse: audio only (past the settle window: the chooser's clock is injected)
            later = kiosk.layers.clock() + kiosk.layers.rules.settle_s
            kiosk.layers.clock = lambda: later
            for _ in range(2):
                kiosk._rtcp_report(Report(loss=0.5))
            assert kiosk.layer == "audio"
            await expect(page.locator("#layer")).to_have_text(
                re.compile("chỉ nhận âm thanh"), timeout=10000
            )
            await page.screenshot(path=str(shots / "hall-audio-only.png"))
            await browser.close()
    finally:
        await publisher.close()
        await live.close_clients()
    assert errors == []


async def test_an_audio_only_kiosk_shows_the_presented_page_whole_on_its_screen(
    rtc_live: Live,
) -> None:
    """Audio only (/api §4): the picture has stopped, so the presented page, beside the video
    before, takes the screen: as large as it can be shown whole, drawn anew at that size."""
    from playwright.async_api import async_playwright, expect

    live = rtc_live
    m = await meeting_with(live, start=True, points=1)
    mid, chair, point = m["meeting_id"], m["chair"], m["points"][0]
    doc = await uploaded(live, m["secretary"].token, mid, vietnamese_pdf(3), title="Tờ trình số 7")
    chair_socket, publisher = await chair_publishes(
        live,
        chair,
        mid,
        [SolidColourTrack(RED, 640, 360), SolidColourTrack(RED, 320, 180), AudioStreamTrack()],
    )
    await chair_socket.ok(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 2}
    )
    errors: list[str] = []
    shots = Path("test-output/screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    # an upright tablet-sized screen: beside the video the page is narrow (45 % of the width; on
    # a landscape screen it is already as tall as the screen, so audio only only centres it)
    viewport = {"width": 768, "height": 1024}
    try:
        async with async_playwright() as pw:
            browser, page = await open_signed_in(
                pw,
                live.url,
                point.user.username,
                f"/static/hall.html?meeting={mid}",
                errors,
                viewport=viewport,
            )

            # video and the page side by side while the picture comes
            document, canvas = page.locator("#document"), page.locator("#document canvas")
            await expect(page.locator("#doc-caption")).to_contain_text("Tờ trình số 7 — trang 2")
            await page.wait_for_function(
                "window.hallStats().then(s => s.framesDecoded > 10)", timeout=20000
            )
            await expect(page.locator("#main")).to_be_visible()
            await page.wait_for_function(
                "document.querySelector('#document canvas')?.getBoundingClientRect().height > 100",
                timeout=10000,
            )
            beside = await canvas.bounding_box()
            assert beside is not None

            # its link fails: audio only (two bad reports; the chooser's clock stands still so
            # it does not climb back while we look)
            room = media_of(live.server).rooms[mid]
            # (the kiosk's peer is the one whose receiver decodes; wait for the room to hold it)
            await eventually(lambda: point.id in room.peers, within=20)
            kiosk = room.peers[point.id]
            now = kiosk.layers.clock()
            kiosk.layers.clock = lambda: now
            for _ in range(2):
                kiosk._rtcp_report(Report(loss=0.5))
            assert kiosk.layer == "audio"
            await expect(page.locator("#layer")).to_have_text(
                re.compile("chỉ nhận âm thanh"), timeout=10000
            )
            await expect(page.locator("#main")).to_be_hidden()
            box = await document.bounding_box()
            assert box is not None and box["width"] >= viewport["width"] - 1
            # drawn anew, larger, and whole: A4 as tall as the screen leaves it (above the bar)
            await page.wait_for_function(
                f"document.querySelector('#document canvas').getBoundingClientRect().height"
                f" > {beside['height'] * 1.2}",
                timeout=5000,
            )
            whole = await canvas.bounding_box()
            bar = await page.locator("#bar").bounding_box()
            assert whole is not None and bar is not None
            assert whole["y"] >= 0 and whole["y"] + whole["height"] <= bar["y"] + 1
            assert whole["height"] >= 0.7 * viewport["height"]
            centre = whole["x"] + whole["width"] / 2
            assert abs(centre - viewport["width"] / 2) <= 20
            await expect(page.locator("#doc-caption")).to_contain_text("trang 2")
            await page.screenshot(path=str(shots / "hall-audio-only-presented-page.png"))
            await browser.close()
    finally:
        await publisher.close()
        await live.close_clients()
    assert errors == []
