"""Chromium: the chair's "Điểm cầu" panel follows a hall's health from rtc:points (a real aiortc
peer joins and leaves over loopback), shows who holds the main stream and mutes a hall; the
connection point's kiosk shows the presented document page beside the main video and hides it
when presenting stops. The server offers 127.0.0.1 as its ICE host (tests/rtc/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.e2e.conftest import Browsers, browser, shot, unique  # noqa: F401  (fixtures)
from tests.live import Client as Socket
from tests.live import Live, Person, make_settings, meeting_with, running
from tests.rtc.rtc_peers import BLUE, RED, Client


@pytest.fixture(scope="module")
async def rtc_server() -> AsyncIterator[Live]:
    async with running(make_settings(rtc_hosts=["127.0.0.1"])) as live:
        yield live


@pytest.fixture
async def hall_browsers(browser: Browser, rtc_server: Live) -> AsyncIterator[Browsers]:  # noqa: F811
    b = Browsers(browser, rtc_server)
    yield b
    await b.close()
    await rtc_server.close_clients()
    assert not b.errors, "JavaScript errors in the page:\n" + "\n".join(b.errors)


async def connect_peer(
    live: Live, person: Person, colour: tuple[int, int, int]
) -> tuple[Client, Socket]:
    """A hall (or the chair) as a Python aiortc peer sending one colour, and its socket."""
    return Client(colour), await live.client(person)


async def join_media(sock: Socket, peer: Client, meeting_id: int) -> None:
    """meeting:join, then rtc:join with the peer's offer."""
    await sock.ok("meeting:join", {"meeting_id": meeting_id})
    ack = await sock.ok(
        "rtc:join", {"meeting_id": meeting_id, "type": "offer", "sdp": await peer.offer()}
    )
    await peer.accept(ack["sdp"])


async def test_chair_sees_each_halls_health(rtc_server: Live, hall_browsers: Browsers) -> None:
    live = rtc_server
    m = await meeting_with(live, start=True, points=2, title=unique("Họp trực tuyến các điểm cầu"))
    mid, chair = m["meeting_id"], m["chair"]
    hall, other = m["points"]

    page = await hall_browsers.login(chair.user.username)
    await page.goto(f"{live.url}/#/meetings/{mid}")
    await page.get_by_role("tab", name="Điểm cầu").click()
    panel = page.get_by_role("tabpanel", name="Điểm cầu")
    row = panel.locator(f"li.halls-row[data-user-id='{hall.id}']")
    other_row = panel.locator(f"li.halls-row[data-user-id='{other.id}']")
    await expect(row).to_have_attribute("data-health", "none")
    await expect(row).to_contain_text("Chưa kết nối")
    await expect(other_row).to_have_attribute("data-health", "none")

    chair_peer, chair_sock = await connect_peer(live, chair, RED)
    hall_peer, hall_sock = await connect_peer(live, hall, BLUE)
    try:
        await join_media(chair_sock, chair_peer, mid)
        await join_media(hall_sock, hall_peer, mid)
        # rtc:points every 2 s: the hall turns green with its figures; the chair holds the main stream.
        await expect(row).to_have_attribute("data-health", "connected", timeout=15_000)
        await expect(row).to_contain_text("Đã kết nối")
        await expect(row.locator(".halls-figures")).to_contain_text("kbit/s")
        await expect(row.locator(".halls-figures")).to_contain_text("RTT")
        await expect(other_row).to_have_attribute("data-health", "none")
        await expect(panel.get_by_test_id("halls-main")).to_have_text(
            f"Hình chính: {chair.user.full_name}"
        )

        # The chair grants the floor to the hall: its row holds the main stream.
        request = await hall_sock.ok("floor:request", {"meeting_id": mid})
        chair_client = await live.client(chair)
        await chair_client.ok("floor:grant", {"request_id": request["request_id"]})
        await expect(row).to_have_attribute("data-main", "true", timeout=5000)
        await expect(row.locator(".halls-main-badge")).to_be_visible()
        await expect(panel.get_by_test_id("halls-main")).to_have_text(
            f"Hình chính: {hall.user.full_name}"
        )

        # Mute its audio: the button turns, and the next rtc:points confirms it.
        mute = row.get_by_role("button", name=re.compile("^Tắt tiếng"))
        await mute.click()
        unmute = row.get_by_role("button", name=re.compile("^Bật tiếng"))
        await expect(unmute).to_have_attribute("aria-pressed", "true")
        chair_sock.mark()
        await chair_sock.push(
            "rtc:points",
            lambda d: any(
                e["user_id"] == hall.id and e.get("muted") == ["audio"] for e in d["points"]
            ),
        )
        await expect(row).to_have_attribute("data-health", "connected")
        await shot(page, "halls-chair-panel")

        # The hall leaves: its dot goes red (its entry is gone while it was connected).
        await hall_sock.ok("rtc:leave", {"meeting_id": mid})
        await expect(row).to_have_attribute("data-health", "lost", timeout=15_000)
        await expect(row).to_contain_text("Mất kết nối")
        await shot(page, "halls-chair-panel-lost")
    finally:
        await hall_peer.close()
        await chair_peer.close()


async def canvas_ink(page: Page) -> int:
    """How many sampled pixels of the kiosk's page canvas are not white (text, lines)."""
    return await page.evaluate(
        """() => {
          const c = document.querySelector('#document canvas');
          if (!c || !c.width || !c.height) return 0;
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let ink = 0;
          for (let i = 0; i < d.length; i += 4 * 7) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) ink++;
          return ink;
        }"""
    )


async def test_kiosk_shows_the_presented_page(rtc_server: Live, hall_browsers: Browsers) -> None:
    live = rtc_server
    m = await meeting_with(live, start=True, points=1, title=unique("Họp trình chiếu điểm cầu"))
    mid, chair, hall = m["meeting_id"], m["chair"], m["points"][0]
    doc = await uploaded(live, m["secretary"].token, mid, vietnamese_pdf(4), title="Tờ trình số 9")

    chair_peer, chair_sock = await connect_peer(live, chair, RED)
    try:
        await join_media(chair_sock, chair_peer, mid)

        # The point opens its meeting, then its kiosk screen from the meeting screen's button.
        page = await hall_browsers.login(hall.user.username)
        await page.goto(f"{live.url}/#/meetings/{mid}")
        await page.get_by_test_id("open-kiosk").click()
        await expect(page).to_have_url(f"{live.url}/static/hall.html?meeting={mid}")
        await expect(page.locator("#speaker")).to_have_text(chair.user.full_name, timeout=15_000)
        await page.wait_for_function(
            "window.hallStats && window.hallStats().then(s => s.framesDecoded > 0)", timeout=20_000
        )
        document = page.locator("#document")
        await expect(document).to_be_hidden()

        # The chair presents page 2: the kiosk draws it beside the video within a second.
        await chair_sock.ok(
            "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 2}
        )
        await expect(document).to_be_visible(timeout=1000)
        canvas = document.locator("canvas")
        await expect(canvas).to_have_attribute("data-page", "2", timeout=5000)
        await expect(page.locator("#doc-caption")).to_contain_text("Tờ trình số 9 — trang 2")
        assert await canvas_ink(page) > 50, "the page canvas is blank"
        video_box = await page.locator("#video").bounding_box()
        doc_box = await document.bounding_box()
        assert video_box and doc_box and doc_box["x"] >= video_box["x"] + video_box["width"] - 1, (
            "the page is beside the video"
        )
        await shot(page, "halls-kiosk-presented-page")

        # The next page follows; stopping hides the page.
        await chair_sock.ok(
            "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 3}
        )
        await expect(canvas).to_have_attribute("data-page", "3", timeout=5000)
        await chair_sock.ok("document:present", {"meeting_id": mid, "document_id": None})
        await expect(document).to_be_hidden(timeout=5000)
        await shot(page, "halls-kiosk-nothing-presented")
    finally:
        await chair_peer.close()
