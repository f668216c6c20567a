"""The fast path's packets, byte by byte, against a fake wire (no network)."""

from __future__ import annotations

import struct
from typing import Any

from aiortc.rtp import RtpPacket

from rtc import aiortc_hooks as hooks
from rtc.rtp_writer import (
    KEY_AFTER_LOSS_S,
    MAX_BUFFERED,
    MAX_BUFFERED_AUDIO,
    RTX_GAP_S,
    RTX_TRIES,
    RtpWriter,
)


class FakeTransport:
    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.buffered = 0

    def sendto(self, data: bytes, addr: Any) -> None:
        self.sent.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered


class FakeWire(hooks.Wire):
    def __init__(self, transport: FakeTransport, rtx_payload_type: int | None = 97) -> None:
        super().__init__(
            ssrc=1111,
            payload_type=96,
            rtx_ssrc=2222,
            rtx_payload_type=rtx_payload_type,
            extension=struct.pack("!HH", 0xBEDE, 1) + b"\x10" + b"0" + b"\x00\x00",  # mid "0"
            protect=lambda data: data,  # no SRTP here
            _dtls=None,
            _connection=None,
        )
        self.transport = transport

    def route(self) -> tuple[Any, Any]:
        return self.transport, ("127.0.0.1", 9)


class FakeSender:
    def __init__(self) -> None:
        self._RTCRtpSender__packet_count = 0
        self._RTCRtpSender__octet_count = 0
        self._RTCRtpSender__rtp_timestamp = 0
        self._RTCRtpSender__ntp_timestamp = 0

    async def _retransmit(self, seq: int) -> None:
        raise AssertionError("the hook should have replaced this")


def parse(data: bytes) -> RtpPacket:
    return RtpPacket.parse(data)


async def test_a_frame_becomes_packets_with_one_marker_and_the_senders_counters() -> None:
    transport, sender = FakeTransport(), FakeSender()
    writer = RtpWriter(FakeWire(transport), sender)  # type: ignore[arg-type]
    assert writer.write([b"a" * 100, b"b" * 100, b"c" * 50], pts=3000)
    packets = [parse(d) for d in transport.sent]
    assert [p.payload for p in packets] == [b"a" * 100, b"b" * 100, b"c" * 50]
    assert [p.marker for p in packets] == [0, 0, 1]
    assert {(p.ssrc, p.payload_type, p.timestamp) for p in packets} == {
        (1111, 96, packets[0].timestamp)
    }
    seqs = [p.sequence_number for p in packets]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]
    assert packets[0].extensions.mid is None  # parsed without a map; the bytes are there:
    assert transport.sent[0][12:16] == b"\xbe\xde\x00\x01"
    assert sender._RTCRtpSender__packet_count == 3
    assert sender._RTCRtpSender__octet_count == 250
    assert writer.write([b"d"], pts=6000)
    assert parse(transport.sent[-1]).timestamp - packets[0].timestamp == 3000


async def test_nack_is_answered_with_rtx() -> None:
    transport, sender = FakeTransport(), FakeSender()
    writer = RtpWriter(FakeWire(transport), sender)  # type: ignore[arg-type]
    writer.write([b"x" * 10, b"y" * 10], pts=0)
    lost = parse(transport.sent[1])
    await sender._retransmit(lost.sequence_number)  # what aiortc calls on a NACK
    rtx = parse(transport.sent[-1])
    assert (rtx.ssrc, rtx.payload_type, rtx.timestamp) == (2222, 97, lost.timestamp)
    assert rtx.payload == struct.pack("!H", lost.sequence_number) + b"y" * 10
    await sender._retransmit(lost.sequence_number + 100)  # unknown: nothing sent
    assert len(transport.sent) == 3
    # NACKed again at once (receivers repeat every gap they still have with each packet): not
    # resent, so a short link is not flooded with copies of what it has just lost...
    await sender._retransmit(lost.sequence_number)
    assert len(transport.sent) == 3
    # ...but a round trip later, if still missing, yes; and never more than RTX_TRIES times
    for _ in range(RTX_TRIES + 2):
        writer._resent[lost.sequence_number] = (
            writer._resent[lost.sequence_number][0] - RTX_GAP_S,
            writer._resent[lost.sequence_number][1],
        )
        await sender._retransmit(lost.sequence_number)
    assert len(transport.sent) == 2 + RTX_TRIES


async def test_a_full_socket_refuses_the_frame() -> None:
    transport = FakeTransport()
    writer = RtpWriter(FakeWire(transport), FakeSender())  # type: ignore[arg-type]
    transport.buffered = MAX_BUFFERED + 1
    assert not writer.write([b"z"], pts=0)
    assert transport.sent == []


async def test_audio_goes_out_where_video_is_already_refused() -> None:
    """Audio first: on a hall's filling socket the video stops before the audio does."""
    transport = FakeTransport()
    video = RtpWriter(FakeWire(transport), FakeSender())  # type: ignore[arg-type]
    audio = RtpWriter(FakeWire(transport), FakeSender(), "audio")  # type: ignore[arg-type]
    transport.buffered = MAX_BUFFERED + 1
    assert not video.write([b"v"], pts=0)
    assert audio.write([b"a"], pts=0) and len(transport.sent) == 1
    transport.buffered = MAX_BUFFERED_AUDIO + 1
    assert not audio.write([b"a"], pts=960)


async def test_redundant_audio_sends_each_packet_again_one_packet_later() -> None:
    transport = FakeTransport()
    audio = RtpWriter(FakeWire(transport), FakeSender(), "audio")  # type: ignore[arg-type]
    audio.write([b"one"], pts=0)
    assert len(transport.sent) == 1
    audio.redundant = True
    audio.write([b"two"], pts=960)
    audio.write([b"three"], pts=1920)
    payloads = [parse(d).payload for d in transport.sent]
    assert payloads == [b"one", b"two", b"three", b"two"]
    # the copy is the very same bytes (same SRTP index: the receiver keeps one of the two)
    assert transport.sent[1] == transport.sent[3]


async def test_a_hole_no_resend_can_fill_asks_for_a_key_frame_once_a_while() -> None:
    transport, sender = FakeTransport(), FakeSender()
    writer = RtpWriter(FakeWire(transport), sender)  # type: ignore[arg-type]
    asked: list[int] = []
    writer.on_unrecoverable = lambda: asked.append(1)
    writer.write([b"k" * 10], pts=0, key=True)
    writer.write([b"x" * 10, b"y" * 10], pts=3000)
    lost = parse(transport.sent[-1]).sequence_number
    # resent while it can be: no key frame needed
    await sender._retransmit(lost)
    assert asked == []
    # every try NACKed again a round trip later: the receiver's picture is stuck on that hole
    for _ in range(RTX_TRIES):  # the other tries, then once more
        last, tries = writer._resent[lost]
        writer._resent[lost] = (last - 2 * RTX_GAP_S, tries)
        await sender._retransmit(lost)
    assert asked == [1] and writer.unrecoverable == 1
    # gone from the history (wrapped): asked again, but not more often than KEY_AFTER_LOSS_S
    await sender._retransmit((lost + 1) & 0xFFFF)
    assert asked == [1]
    writer._asked_key -= KEY_AFTER_LOSS_S
    await sender._retransmit((lost + 1) & 0xFFFF)
    assert asked == [1, 1]
    # a key frame sent since restarts the receiver: holes before it ask for nothing
    writer._asked_key -= KEY_AFTER_LOSS_S
    writer.write([b"k" * 10], pts=6000, key=True)
    await sender._retransmit(lost)
    assert asked == [1, 1]
