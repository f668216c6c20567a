"""Canary for rtc/aiortc_hooks.py: each hook on a real loopback connection, no relay around it.
If aiortc changes underneath, one of these fails and names the hook."""

from __future__ import annotations

import asyncio

import aiortc
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from rtc import aiortc_hooks as hooks
from rtc.frames import is_vp8_keyframe
from tests.rtc.rtc_peers import RED, Client, SolidColourTrack, eventually


def test_written_for_this_aiortc() -> None:
    # the hooks were checked against 1.16; re-read aiortc_hooks.py before changing this
    assert aiortc.__version__.split(".")[:2] == ["1", "16"]


@pytest.fixture
async def pair():
    """A publisher (a test Client) and a bare aiortc answerer whose video receiver is tapped."""
    client = Client(RED, audio=False)
    server = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    frames: list[tuple[str, bytes, int]] = []
    ended = asyncio.Event()
    await server.setRemoteDescription(RTCSessionDescription(await client.offer(), "offer"))
    (transceiver,) = server.getTransceivers()
    hooks.tap_encoded_frames(
        transceiver.receiver, lambda c, f: frames.append((c.name, f.data, f.timestamp)), ended.set
    )
    server.addTrack(SolidColourTrack(RED))
    hooks.use_host_addresses(server, ["127.0.0.1"])
    await server.setLocalDescription(await server.createAnswer())
    await client.accept(server.localDescription.sdp)
    yield client, server, transceiver, frames, ended
    await client.close()
    await server.close()


async def test_tap_gets_encoded_frames_instead_of_the_decoder(pair) -> None:
    _, server, transceiver, frames, ended = pair
    await eventually(lambda: len(frames) >= 10)
    name, data, timestamp = frames[0]
    assert name == "VP8" and is_vp8_keyframe(data) and timestamp == 0
    assert [t for _, _, t in frames[:3]] == sorted(t for _, _, t in frames[:3])
    assert transceiver.receiver.track._queue.qsize() == 0  # nothing decoded, nothing queued
    await server.close()
    await asyncio.wait_for(ended.wait(), 5)  # the tap learns that the track ended


async def test_send_pli_makes_the_publisher_send_a_keyframe(pair) -> None:
    _, _, transceiver, frames, _ = pair
    await eventually(lambda: len(frames) >= 5)
    assert sum(is_vp8_keyframe(d) for _, d, _ in frames) == 1  # aiortc: one key frame per 3000
    assert await hooks.send_pli(transceiver.receiver)
    await eventually(lambda: sum(is_vp8_keyframe(d) for _, d, _ in frames) == 2)


async def test_keyframe_requests_reach_the_sender_hook(pair) -> None:
    client, server, _, frames, _ = pair
    requests = asyncio.Event()
    (sending,) = [t for t in server.getTransceivers() if t.sender.track is not None]
    hooks.on_keyframe_request(sending.sender, requests.set)
    await eventually(lambda: len(frames) >= 5)
    (receiving,) = [t for t in client.pc.getTransceivers() if t.kind == "video"]
    await hooks.send_pli(receiving.receiver)  # the client reports picture loss
    await asyncio.wait_for(requests.wait(), 5)


async def test_host_addresses_include_loopback(pair) -> None:
    _, server, _, _, _ = pair
    candidates = server.localDescription.sdp.count("a=candidate:")
    assert candidates >= 1
    assert "127.0.0.1" in server.localDescription.sdp
    for line in server.localDescription.sdp.splitlines():
        if line.startswith("a=candidate:"):
            assert " 127.0.0.1 " in line


async def test_wire_reaches_the_senders_srtp_and_socket(pair) -> None:
    client, server, _, frames, _ = pair
    await eventually(lambda: len(frames) >= 3)  # connected both ways
    (sending,) = [t for t in server.getTransceivers() if t.sender.track is not None]
    await eventually(lambda: hooks.open_wire(sending) is not None)
    wire = hooks.open_wire(sending)
    assert wire is not None and wire.route() is not None
    assert wire.ssrc == sending.sender._ssrc and wire.payload_type == sending._codecs[0].payloadType
    assert wire.rtx_payload_type is not None and wire.extension.startswith(b"\xbe\xde")
    assert len(wire.protect(bytes(12) + b"payload")) > 19  # SRTP adds its tag

    before = await sending.sender.getStats()
    sent = [r.packetsSent for r in before.values() if r.type == "outbound-rtp"][0]
    hooks.account(sending.sender, 5, 500, 1234)
    after = await sending.sender.getStats()
    assert [r.packetsSent for r in after.values() if r.type == "outbound-rtp"][0] >= sent + 5

    nacked: list[int] = []

    async def retransmit(seq: int) -> None:
        nacked.append(seq)

    hooks.on_nack(sending.sender, retransmit)
    (receiving,) = [t for t in client.pc.getTransceivers() if t.kind == "video"]
    ssrc = receiving.receiver.getSynchronizationSources()[0].source
    await receiving.receiver._send_rtcp_nack(ssrc, [42, 43])
    await eventually(lambda: nacked == [42, 43])


def test_vp8_payloads_carry_the_picture_id() -> None:
    payloads = hooks.vp8_payloads(b"\x00" * 3000, picture_id=7)
    assert len(payloads) == 3 and all(len(p) <= 1300 for p in payloads)
    assert payloads[0][:4] == b"\x90\x80\x80\x07"  # X|S, I, M|pid hi, pid lo


async def test_rtcp_reports_of_what_we_send_reach_the_callback(pair) -> None:
    client, _, transceiver, _, _ = pair
    reports: list[hooks.Report] = []
    hooks.on_rtcp_report(transceiver.sender, 90000, reports.append)
    await client.wait_frames(5)
    # aiortc's receiver reports about once a second; RTT needs one of our SRs answered first
    await eventually(lambda: any(r.rtt_s is not None for r in reports), within=8)
    blocks = [r for r in reports if r.loss is not None]
    assert blocks and all(0 <= r.loss <= 1 and r.jitter_s is not None for r in blocks)
    assert all(0 < r.rtt_s < 1 for r in reports if r.rtt_s is not None)
    # aiortc's receiver also sends REMB (from abs-send-time, which the stock sender stamps)
    await eventually(lambda: any(r.remb_bps for r in reports), within=8)
