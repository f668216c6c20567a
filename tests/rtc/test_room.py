"""The relay end to end with real aiortc peers over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from rtc import InvalidOffer, Room, RtcSettings
from tests.rtc.rtc_peers import (
    BLUE,
    CHAIR,
    GREEN,
    HALL1,
    HALL2,
    RED,
    Client,
    chair_and_two_halls,
    connect,
    eventually,
)

SETTINGS = RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=5.0)


@pytest.fixture(params=[True, False], ids=["fast-path", "aiortc-sender"])
async def meeting(request) -> AsyncIterator[tuple[Room, list[int | None], dict[int, Client]]]:
    mains: list[int | None] = []
    settings = replace(SETTINGS, fast_path=request.param)
    room = Room("m1", CHAIR, settings, on_main=mains.append)
    async with chair_and_two_halls(room) as clients:
        yield room, mains, clients


async def test_every_hall_sees_the_chair_then_the_floor_then_the_chair(meeting) -> None:
    room, mains, clients = meeting
    assert room.main == CHAIR and mains == [CHAIR]
    await asyncio.gather(clients[HALL1].wait_colour(RED), clients[HALL2].wait_colour(RED))
    fast = room.settings.fast_path
    assert all((p.outputs["video"]._writer is not None) == fast for p in room.peers.values())

    started = time.monotonic()
    assert room.set_main(HALL1) == HALL1
    await clients[HALL2].wait_colour(GREEN, within=1.0)
    switch_s = time.monotonic() - started
    await clients[CHAIR].wait_colour(GREEN, within=1.0)
    assert mains == [CHAIR, HALL1]

    started = time.monotonic()
    assert room.set_main(None) == CHAIR
    await clients[HALL2].wait_colour(RED, within=1.0)
    await clients[HALL1].wait_colour(RED, within=1.0)
    assert mains == [CHAIR, HALL1, CHAIR]
    print(
        f"switch to hall 1: {switch_s * 1000:.0f} ms, back: {(time.monotonic() - started) * 1000:.0f} ms"
    )


async def test_audio_is_forwarded_but_not_back_to_the_speaker(meeting) -> None:
    room, _, clients = meeting
    await clients[HALL1].wait_colour(RED)
    await eventually(lambda: clients[HALL1].audio_frames >= 10)
    assert room.peers[CHAIR].outputs["audio"].source is None
    assert room.peers[HALL1].outputs["audio"].source is room.peers[CHAIR].sources["audio"]


async def test_floor_holder_not_connected_means_the_chair(meeting) -> None:
    room, _, clients = meeting
    assert room.set_main(99) == CHAIR
    await clients[HALL1].close()
    room.set_main(HALL1)
    await room.leave(HALL1)
    assert room.main == CHAIR
    clients[HALL1] = await connect(room, HALL1, GREEN)
    assert room.main == HALL1  # the floor holder (re)connected: they become the main stream
    await clients[HALL2].wait_colour(GREEN, within=2.0)


async def test_second_join_replaces_the_first(meeting) -> None:
    room, _, clients = meeting
    first = room.peers[HALL2]
    replacement = await connect(room, HALL2, BLUE)
    try:
        assert room.peers[HALL2] is not first and first.closed
        await replacement.wait_colour(RED)
        room.set_main(HALL2)
        await clients[HALL1].wait_colour(BLUE, within=1.0)
    finally:
        await replacement.close()


async def test_leave_of_the_main_falls_back_to_the_chair(meeting) -> None:
    room, mains, clients = meeting
    room.set_main(HALL1)
    await clients[HALL2].wait_colour(GREEN)
    await room.leave(HALL1)
    assert room.main == CHAIR and HALL1 not in room.peers
    await clients[HALL2].wait_colour(RED, within=1.0)


async def test_chair_mutes_a_halls_video(meeting) -> None:
    room, _, clients = meeting
    room.set_main(HALL1)
    await clients[HALL2].wait_colour(GREEN)
    forwarded = room.peers[HALL2].outputs["video"]
    source = room.peers[HALL1].sources["video"]
    room.mute(HALL1, "video", True)
    before, received = forwarded.forwarded, source.frames
    await eventually(lambda: source.frames >= received + 10)  # hall 1 still sends, we still read
    assert forwarded.forwarded - before <= forwarded.max_frames  # at most what was queued
    room.mute(HALL1, "video", False)
    await clients[HALL2].wait_frames(5, within=2.0)


async def test_stats_show_connected_halls(meeting) -> None:
    room, _, clients = meeting
    await clients[HALL1].wait_colour(RED)
    async with asyncio.timeout(10):
        while True:
            figures = {f["user_id"]: f for f in await room.stats()}
            # RTT comes from what a peer receives: the chair, on the main stream, gets nothing
            # back (/api §4), so its RTT is unknown
            if all(
                f["bitrate_kbps"] > 0 and (f["rtt_ms"] is not None or f["user_id"] == CHAIR)
                for f in figures.values()
            ):
                break
            await clients[HALL1].wait_frames(5)
    assert set(figures) == {CHAIR, HALL1, HALL2}
    for f in figures.values():
        assert f["state"] == "connected"
        assert 0 <= f["loss_pct"] <= 100
        assert f["user_id"] == CHAIR or f["rtt_ms"] < 1000


async def test_a_peer_that_never_connects_is_dropped() -> None:
    states: list[tuple[int, str]] = []
    room = Room(
        "m2",
        CHAIR,
        RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=0.5),
        on_state=lambda u, s: states.append((u, s)),
    )
    client = Client(RED)
    try:
        await room.join(HALL1, await client.offer())  # the answer never reaches the client
        await eventually(lambda: HALL1 not in room.peers)
        assert room.lost == {HALL1: "failed"}
        assert [f["state"] for f in await room.stats()] == ["failed"]
        assert (HALL1, "failed") in states
    finally:
        await client.close()
        await room.close()


async def an_offer() -> str:
    client = Client(RED)
    sdp = await client.offer()
    await client.close()
    return sdp


@pytest.mark.parametrize(
    "make",
    [
        lambda offer: ("garbage", "offer"),
        lambda offer: ("", "offer"),
        lambda offer: (offer, "answer"),
        lambda offer: (offer.replace("a=setup:actpass", "a=setup:active"), "offer"),
        lambda offer: ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "offer"),
        lambda offer: (offer.replace("VP8/90000", "H263/90000"), "offer"),
    ],
    ids=["garbage", "empty", "answer-type", "answer-sdp", "no-media", "no-vp8"],
)
async def test_bad_offers_are_invalid(make) -> None:
    room = Room("m3", CHAIR, SETTINGS)
    sdp, kind = make(await an_offer())
    with pytest.raises(InvalidOffer):
        await room.join(HALL1, sdp, kind)
    assert room.peers == {}
    await room.close()


async def test_the_hall_on_the_main_stream_sees_the_chair_not_itself(meeting) -> None:
    room, _, clients = meeting
    room.set_main(HALL1)
    await clients[HALL2].wait_colour(GREEN, within=2.0)
    await clients[HALL1].wait_colour(RED, within=2.0)  # the chair's, not its own green
    hall1 = room.peers[HALL1].outputs
    assert hall1["video"].source is room.peers[CHAIR].sources["video"]
    assert hall1["audio"].source is room.peers[CHAIR].sources["audio"]
    # and the chair, on the main stream itself, is sent nothing of its own
    room.set_main(None)
    await clients[HALL1].wait_colour(RED, within=2.0)
    assert all(t.source is None for t in room.peers[CHAIR].outputs.values())


async def test_a_send_only_publisher_is_sent_nothing_and_drops_nothing() -> None:
    """The benchmark's publisher offers send-only m-lines: it was still fed its own stream,
    which piled up in an unstarted sender (~30 dropped frames and key frame asks a second)."""
    room = Room("m3", CHAIR, SETTINGS)
    publisher = Client(RED)
    for transceiver in publisher.pc.getTransceivers():
        transceiver.direction = "sendonly"
    hall = None
    try:
        await publisher.accept(await room.join(CHAIR, await publisher.offer()))
        assert room.peers[CHAIR].outputs == {}
        hall = await connect(room, HALL1, GREEN)
        await hall.wait_colour(RED)
        await hall.wait_frames(30)
        assert room.peers[CHAIR].outputs == {}  # still: nothing was routed back to it
    finally:
        await publisher.close()
        if hall is not None:
            await hall.close()
        await room.close()
