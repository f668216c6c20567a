"""Halls behind the field's ordinary bad day (300 kbit/s, 5 % loss, 80 ms each way, through
tests/rtc/impaired_link.py on loopback) next to a healthy hall, all watching a chair who sends a
full layer (640x360 at 30 fps, ~0.8 Mbit/s: more than the weak link carries) and a light one
(320x180 at 15 fps, ~160 kbit/s). Real aiortc peers, real RTCP: nothing steers the layers but
what the halls' receivers report. The weak hall's video receiver recovers from loss as a
browser's does (a key frame drops older holes: tests/rtc/browser_jitter.py); aiortc's own waits
~512 packets on a hole no resend filled, which no server can help."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bench.relay_media import LIGHT, audio_track, light_track, video_track
from rtc import Room, RtcSettings
from rtc.peer import Peer
from tests.rtc.browser_jitter import browser_like
from tests.rtc.impaired_link import ImpairedLink, Impairment
from tests.rtc.rtc_peers import BLUE, CHAIR, GREEN, HALL1, HALL2, RED, Client, connect, eventually

SETTINGS = RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=10.0)
FULL_CLIP = (640, 360, 30, 800_000)
FULL_SIZE, LIGHT_SIZE = FULL_CLIP[:2], LIGHT[:2]
BAD_DAY = Impairment(rate_bps=300_000, loss=0.05, delay_s=0.080)
WORSE = Impairment(rate_bps=150_000, loss=0.05, delay_s=0.080)  # not even the light layer fits
EVERYTHING = {FULL_SIZE, LIGHT_SIZE}


@dataclass
class Cast:
    room: Room
    link: ImpairedLink
    healthy: Client
    weak: Client

    @property
    def weak_peer(self) -> Peer:
        return self.room.peers[HALL2]

    @property
    def healthy_peer(self) -> Peer:
        return self.room.peers[HALL1]


async def cast(link: ImpairedLink) -> AsyncIterator[Cast]:
    room = Room("m-weak", CHAIR, SETTINGS)
    chair = Client(RED, tracks=[video_track(*FULL_CLIP), light_track(), audio_track()])
    await link.start()
    clients = [chair]
    try:
        await chair.accept(await room.join(CHAIR, await chair.offer()))
        healthy = await connect(room, HALL1, GREEN)
        clients.append(healthy)
        weak = Client(BLUE)
        clients.append(weak)
        offer = await weak.offer()
        browser_like(weak.pc)
        answer = await room.join(HALL2, link.offer(offer))
        await weak.accept(link.answer(answer))
        await room.peers[HALL2].connected.wait()
        yield Cast(room, link, healthy, weak)
    finally:
        for client in clients:
            await client.close()
        await room.close()
        link.close()


@pytest.fixture
async def bad_day() -> AsyncIterator[Cast]:
    async for c in cast(ImpairedLink(down=BAD_DAY, up=BAD_DAY)):
        yield c


@pytest.fixture
async def good_day() -> AsyncIterator[Cast]:
    async for c in cast(ImpairedLink(down=Impairment(delay_s=0.080))):
        yield c


async def watch(c: Cast, seconds: float) -> tuple[float, float, set[str]]:
    """(start, end, the weak hall's layers seen) over ``seconds`` (paced by the healthy hall's
    frames, so no sleeping)."""
    start, layers = time.monotonic(), set()
    while time.monotonic() - start < seconds:
        layers.add(c.weak_peer.layer)
        await c.healthy.wait_frames(5)
    return start, time.monotonic(), layers


async def test_a_hall_on_a_bad_day_sees_and_hears_then_climbs_back_when_it_heals(bad_day) -> None:
    c = bad_day
    # the healthy hall climbs to the full layer (everyone starts on the light one)
    await eventually(
        lambda: c.healthy_peer.layer == "full" and not c.healthy_peer.layers.probing, within=20
    )
    await c.healthy.wait_size(FULL_SIZE)
    full_from = time.monotonic()

    # a steady window on the bad link: a moving picture of the light layer, and the sound
    start, end, layers = await watch(c, 10)
    weak_fps, weak_audio = c.weak.fps(start, end, LIGHT_SIZE), c.weak.audio_share(start, end)
    healthy_fps = c.healthy.fps(start, end, FULL_SIZE)
    print(
        f"\nbad day: weak hall on {sorted(layers)}: {weak_fps:.1f} fps of the light layer, "
        f"{weak_audio * 100:.0f} % of audio frames; healthy hall {healthy_fps:.1f} fps full; "
        f"link down {c.link.down.counts}"
    )
    assert layers == {"light"}
    assert weak_fps >= 10 and weak_audio >= 0.85
    assert healthy_fps >= 0.95 * 30

    # worse: not even the light layer fits. Audio alone within 5 s, and it keeps coming
    c.link.set(WORSE, WORSE)
    worse = time.monotonic()
    await eventually(lambda: c.weak_peer.layer == "audio", within=10)
    step_down_s = time.monotonic() - worse
    await watch(c, 2)  # the link's queue, full of the light layer, drains
    start, end, layers = await watch(c, 5)
    weak_audio = c.weak.audio_share(start, end)
    print(f"worse: audio only after {step_down_s:.1f} s, then {weak_audio * 100:.0f} % of audio")
    assert step_down_s <= 5 and layers == {"audio"} and weak_audio >= 0.85
    assert c.weak.fps(start + 0.5, end) == 0  # video stopped, not trickling

    # the link heals: back to the full layer within 30 s
    c.link.set(Impairment())
    healed = time.monotonic()
    await eventually(
        lambda: c.weak_peer.layer == "full" and not c.weak_peer.layers.probing, within=35
    )
    await c.weak.wait_size(FULL_SIZE, within=5)
    climb_s = time.monotonic() - healed
    print(f"healed: back to full after {climb_s:.1f} s")
    assert climb_s <= 30

    # the healthy hall was untouched throughout; the weak one never got a mixed-up frame
    assert c.healthy.sizes(full_from, time.monotonic()) == {FULL_SIZE}
    assert c.healthy_peer.layers.changes == 1  # its one climb, at the start
    assert c.weak.sizes(0, time.monotonic()) <= EVERYTHING


async def test_a_link_that_turns_bad_is_stepped_down_within_five_seconds(good_day) -> None:
    c = good_day
    await eventually(
        lambda: c.weak_peer.layer == "full" and not c.weak_peer.layers.probing, within=20
    )
    c.link.set(BAD_DAY, BAD_DAY)
    turned = time.monotonic()
    await eventually(lambda: c.weak_peer.layer != "full", within=10)
    step_down_s = time.monotonic() - turned
    print(f"\nturned bad: stepped down to {c.weak_peer.layer} after {step_down_s:.1f} s")
    assert step_down_s <= 5
    assert c.healthy_peer.layer == "full"

    # the picture goes on after the step down, and the sound: the full layer's flood left
    # holes no resend can fill, and the server sends a key frame rather than leave it frozen
    await watch(c, 3)  # the link's queue, full of the full layer, drains
    start, end, layers = await watch(c, 10)
    weak_fps, weak_audio = c.weak.fps(start, end, LIGHT_SIZE), c.weak.audio_share(start, end)
    print(
        f"then on {sorted(layers)}: {weak_fps:.1f} fps of the light layer, "
        f"{weak_audio * 100:.0f} % of audio frames"
    )
    assert layers == {"light"}
    assert weak_fps >= 10 and weak_audio >= 0.85
