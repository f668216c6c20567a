"""A Chromium kiosk (fake camera) behind the field's bad day: the server steps it down to the
light layer and it keeps a moving picture, and it climbs back to full when the link heals.

The kiosk's media goes through tests/rtc/impaired_link.py on loopback. The page itself is not
changed for the test: its Socket.IO websocket is routed through Playwright, which rewrites the
SDP of ``rtc:join`` both ways so that each side's only candidate for the other is a port of the
relay (the kiosk's other candidates are dropped, so ICE cannot go round the relay). Every
candidate the server then knows is 127.0.0.1; nothing leaves the machine.

The kiosk's uplink loses and delays like the bad day but is not held to 300 kbit/s: its own
camera (two layers) would fill it, and the server judges the downlink by the receiver reports
that come up it. What the downlink carries is what is measured here."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from bench.relay_media import audio_track, light_track, video_track
from rtc.service import media_of
from tests.browser import open_signed_in
from tests.live import Live, meeting_with
from tests.rtc.impaired_link import CANDIDATE, ImpairedLink, Impairment
from tests.rtc.rtc_peers import chair_publishes, eventually
from tests.rtc.test_layers_live import on_full

FULL_CLIP = (640, 360, 30, 800_000)
BAD_DAY = Impairment(rate_bps=300_000, loss=0.05, delay_s=0.080)
BAD_UP = Impairment(loss=0.05, delay_s=0.080)
GOOD_DAY = Impairment(delay_s=0.080)
# a Socket.IO event or ack as Engine.IO carries it on the websocket: 42[...] / 43<id>[...]
PACKET = re.compile(r"^(4[23]\d*)(\[.*\])$", re.S)


def only_relay(sdp: str) -> str:
    """Keep the 127.0.0.1 UDP host candidate (already pointed at the relay), drop the others."""
    return "".join(
        line
        for line in sdp.splitlines(keepends=True)
        if not line.startswith("a=candidate:") or CANDIDATE.match(line.rstrip("\r\n"))
    )


def rewrite(message: str | bytes, change: Any) -> str | bytes:
    """``message`` with ``change(description)`` applied to each SDP description it carries."""
    match = PACKET.match(message) if isinstance(message, str) else None
    if match is None:
        return message
    payload = json.loads(match.group(2))

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("sdp"), str) and value.get("type") in ("offer", "answer"):
                value = {**value, "sdp": change(value)}
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return match.group(1) + json.dumps(walk(payload))


def through(link: ImpairedLink) -> Any:
    """A Playwright websocket route putting ``link`` between the page's media and the server."""

    async def route(ws: Any) -> None:
        server = ws.connect_to_server()

        def up(description: dict[str, str]) -> str:
            if description["type"] != "offer":
                return description["sdp"]
            return only_relay(link.offer(description["sdp"]))

        def down(description: dict[str, str]) -> str:
            if description["type"] != "answer":
                return description["sdp"]
            return link.answer(description["sdp"])

        ws.on_message(lambda message: server.send(rewrite(message, up)))
        server.on_message(lambda message: ws.send(rewrite(message, down)))

    return route


async def kiosk_stats(page: Any) -> dict[str, Any]:
    return await page.evaluate("window.hallStats()")  # type: ignore[no-any-return]


async def picture(page: Any, seconds: float) -> tuple[float, set[str]]:
    """Frames decoded per second over ``seconds``, and the layers the kiosk saw meanwhile."""
    first = await kiosk_stats(page)
    started, layers = time.monotonic(), {first["layer"]}
    while time.monotonic() - started < seconds:
        await page.wait_for_timeout(500)  # the browser's clock: a sample, not a wait for state
        layers.add((await kiosk_stats(page))["layer"])
    last = await kiosk_stats(page)
    return (last["framesDecoded"] - first["framesDecoded"]) / (time.monotonic() - started), layers


async def test_a_kiosk_behind_a_weak_link_gets_the_light_layer_and_a_moving_picture(
    rtc_live: Live,
) -> None:
    from playwright.async_api import async_playwright, expect

    live = rtc_live
    m = await meeting_with(live, start=True, points=1)
    mid, chair, point = m["meeting_id"], m["chair"], m["points"][0]
    # the chair sends a full layer the bad day cannot carry (~0.8 Mbit/s) and a light one
    chair_socket, publisher = await chair_publishes(
        live, chair, mid, [video_track(*FULL_CLIP), light_track(), audio_track()]
    )
    link = ImpairedLink(down=GOOD_DAY, up=GOOD_DAY)
    await link.start()
    errors: list[str] = []
    try:
        async with async_playwright() as pw:
            browser, page = await open_signed_in(
                pw,
                live.url,
                point.user.username,
                f"/static/hall.html?meeting={mid}",
                errors,
                before=lambda page: page.route_web_socket(
                    re.compile(r"/socket\.io/"), through(link)
                ),
            )
            room = media_of(live.server).rooms[mid]
            await eventually(lambda: point.id in room.peers, within=20)
            await eventually(lambda: room.peers[point.id].connected.is_set(), within=20)
            assert link.down.counts["out"] > 0  # its media comes through the relay
            # a good link with 80 ms each way: it climbs to the full layer
            await eventually(lambda: on_full(room, point.id), within=30)
            await page.wait_for_function(
                "window.hallStats().then(s => s.layer === 'full')", timeout=10000
            )

            # the link turns bad: down to the light layer within seconds, and the kiosk says so
            link.set(BAD_DAY, BAD_UP)
            turned = time.monotonic()
            await eventually(lambda: room.peers[point.id].layer != "full", within=15)
            step_down_s = time.monotonic() - turned
            assert room.peers[point.id].layer == "light"
            await expect(page.locator("#layer")).to_have_text(
                re.compile("chất lượng thấp"), timeout=10000
            )
            # a moving picture of the light layer, not audio alone
            await page.wait_for_timeout(3000)  # the full layer, queued on the link, drains
            fps, seen = await picture(page, 10)
            print(
                f"\nkiosk turned bad: light after {step_down_s:.1f} s, then {fps:.1f} fps "
                f"decoded, kiosk saw {sorted(seen)}, server {room.peers[point.id].layer}; "
                f"link down {link.down.counts}; moves {list(room.peers[point.id].layers.moves)}"
            )
            assert step_down_s <= 5
            assert seen == {"light"} and room.peers[point.id].layer == "light"
            assert fps >= 10

            # the link heals: back to the full layer within 30 s, the warning gone
            link.set(Impairment())
            healed = time.monotonic()
            await eventually(lambda: on_full(room, point.id), within=40)
            climb_s = time.monotonic() - healed
            await page.wait_for_function(
                "window.hallStats().then(s => s.layer === 'full')", timeout=10000
            )
            await expect(page.locator("#layer")).to_be_hidden()
            print(f"kiosk healed: back to full after {climb_s:.1f} s")
            assert climb_s <= 30
            await browser.close()
    finally:
        link.close()
        await publisher.close()
        await live.close_clients()
    assert errors == []
