"""Layers with real aiortc peers: a chair publishing a full and a light layer of one colour at
two sizes, halls that decode what they get. The layer is steered here by the RTCP reports the
chooser is fed (the impaired-link tests, test_weak_link.py, let the real RTCP do it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiortc import VideoStreamTrack, sdp

from rtc import InvalidOffer, Room, RtcSettings
from rtc.layers import Report
from tests.rtc.rtc_peers import (
    CHAIR,
    GREEN,
    HALL1,
    HALL2,
    RED,
    Client,
    SolidColourTrack,
    connect,
    eventually,
)

SETTINGS = RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=5.0)
FULL, LIGHT = (160, 120), (80, 48)
BAD = Report(loss=0.5, rtt_s=0.2)


def on_full(room: Room, user_id: int) -> bool:
    layers = room.peers[user_id].layers
    return layers.layer == "full" and not layers.probing


def degrade(room: Room, user_id: int) -> None:
    """What two bad receiver reports in a row do to a hall."""
    for _ in range(2):
        room.peers[user_id]._rtcp_report(BAD)


@pytest.fixture
async def layered() -> AsyncIterator[tuple[Room, dict[int, Client]]]:
    room = Room("m-layers", CHAIR, SETTINGS)
    chair = Client(RED, light=LIGHT)
    await chair.accept(await room.join(CHAIR, await chair.offer()))
    clients = {CHAIR: chair, HALL1: await connect(room, HALL1, GREEN)}
    clients[HALL2] = await connect(room, HALL2, GREEN)
    try:
        # everyone starts on the light layer and climbs to full on a healthy link
        for hall in (HALL1, HALL2):
            await eventually(lambda h=hall: on_full(room, h), within=20)
        yield room, clients
    finally:
        for client in clients.values():
            await client.close()
        await room.close()


async def test_a_weak_hall_moves_to_the_light_layer_on_its_key_frame(layered) -> None:
    room, clients = layered
    hall, other = clients[HALL1], clients[HALL2]
    await asyncio.gather(hall.wait_size(FULL), other.wait_size(FULL))
    assert room.peers[CHAIR].light is not None
    before = len(hall.frame_log)

    degrade(room, HALL1)
    assert room.peers[HALL1].layer == "light"
    await hall.wait_size(LIGHT, within=3.0)
    await hall.wait_frames(10)
    # one switch, and from there on only the light layer's size: the layers were never mixed
    log = hall.frame_log[before:]
    sizes = [(w, h) for _, w, h, _ in log]
    first_light = sizes.index(LIGHT)
    assert set(sizes[:first_light]) <= {FULL} and set(sizes[first_light:]) == {LIGHT}
    # the RTP timestamps run on across the switch (one frame's step, not a jump)
    stamps = [pts for *_, pts in log]
    steps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert all(0 < s <= 90000 // 2 for s in steps), steps
    # the sequence numbers did too: the hall's receiver counts no packet lost
    (inbound,) = [
        r
        for t in hall.pc.getTransceivers()
        if t.kind == "video"
        for r in (await t.receiver.getStats()).values()
        if r.type == "inbound-rtp"
    ]
    assert inbound.packetsLost == 0
    # the other hall kept the full layer all along
    assert other.sizes(log[0][0], float("inf")) == {FULL} and room.peers[HALL2].layer == "full"
    points = {p["user_id"]: p["layer"] for p in await room.stats()}
    assert points[HALL1] == "light" and points[HALL2] == "full"


async def test_below_the_light_layer_audio_goes_on_alone(layered) -> None:
    room, clients = layered
    hall = clients[HALL1]
    await hall.wait_size(FULL)
    degrade(room, HALL1)
    await hall.wait_size(LIGHT)
    # past the settle window after the first step (the chooser's clock is injected)
    layers = room.peers[HALL1].layers
    later = layers.clock() + layers.rules.settle_s
    layers.clock = lambda: later
    degrade(room, HALL1)
    assert room.peers[HALL1].layer == "audio"
    assert room.peers[HALL1].outputs["video"].source is None
    frames, audio = hall.frames, hall.audio_frames
    await eventually(lambda: hall.audio_frames >= audio + 50)  # a second of audio
    assert hall.frames - frames <= 2  # a frame may have been in flight
    assert {p["user_id"]: p["layer"] for p in await room.stats()}[HALL1] == "audio"


async def test_a_sender_without_a_light_layer_leaves_weak_halls_audio() -> None:
    room = Room("m-one-layer", CHAIR, SETTINGS)
    clients = {CHAIR: await connect(room, CHAIR, RED), HALL1: await connect(room, HALL1, GREEN)}
    try:
        await clients[HALL1].wait_colour(RED)
        assert room.peers[CHAIR].light is None
        degrade(room, HALL1)
        assert room.peers[HALL1].layer == "audio"
        assert room.peers[HALL1].outputs["video"].source is None
        audio = clients[HALL1].audio_frames
        await eventually(lambda: clients[HALL1].audio_frames >= audio + 25)
    finally:
        for client in clients.values():
            await client.close()
        await room.close()


async def test_three_video_m_lines_are_refused() -> None:
    room = Room("m-three", CHAIR, SETTINGS)
    tracks: list[VideoStreamTrack] = [SolidColourTrack(RED) for _ in range(3)]
    client = Client(RED, tracks=tracks)
    try:
        with pytest.raises(InvalidOffer, match="two video"):
            await room.join(HALL1, await client.offer())
        assert HALL1 not in room.peers
    finally:
        await client.close()
        await room.close()


async def test_a_light_layer_larger_than_the_full_one_is_refused() -> None:
    room = Room("m-upside-down", CHAIR, SETTINGS)
    chair = Client(RED, light=(320, 240))  # "light", but larger than its 160x120 full layer
    clients = {CHAIR: chair}
    try:
        await chair.accept(await room.join(CHAIR, await chair.offer()))
        clients[HALL1] = await connect(room, HALL1, GREEN)
        light = room.peers[CHAIR].light
        assert light is not None
        await eventually(lambda: light.refused)
        refused = time.monotonic()
        # the hall, which started on it, is moved to the full layer (it never stepped down)
        assert room.peers[HALL1].layer == "full"
        await clients[HALL1].wait_size(FULL)
        degrade(room, HALL1)  # so a weak hall gets audio, never the oversized layer
        assert room.peers[HALL1].layer == "audio"
        await clients[HALL1].wait_frames(0)
        assert clients[HALL1].sizes(refused + 0.2, time.monotonic()) <= {FULL}
    finally:
        for client in clients.values():
            await client.close()
        await room.close()


async def test_the_answer_asks_for_opus_fec_and_keeps_nack_and_rtx_for_video() -> None:
    room = Room("m-fec", CHAIR, SETTINGS)
    client = Client(RED)
    try:
        answer = sdp.SessionDescription.parse(await room.join(HALL1, await client.offer()))
        (audio,) = [m for m in answer.media if m.kind == "audio"]
        (opus,) = [c for c in audio.rtp.codecs if c.name.lower() == "opus"]
        assert opus.parameters.get("useinbandfec") == 1
        (video,) = [m for m in answer.media if m.kind == "video"]
        vp8 = video.rtp.codecs[0]
        assert vp8.name == "VP8" and any(
            f.type == "nack" and not f.parameter for f in vp8.rtcpFeedback
        )
        assert any(
            c.name == "rtx" and c.parameters.get("apt") == vp8.payloadType for c in video.rtp.codecs
        )
    finally:
        await client.close()
        await room.close()
