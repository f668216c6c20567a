"""Encoded frames as the relay passes them around."""

from __future__ import annotations

from fractions import Fraction
from typing import Any


def is_vp8_keyframe(data: bytes) -> bool:
    """RFC 6386 §9.1: bit 0 of the frame tag is 0 for a key frame, which carries a start code."""
    return len(data) >= 6 and not data[0] & 0x01 and data[3:6] == b"\x9d\x01\x2a"


def vp8_keyframe_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a VP8 key frame's header (RFC 6386 §9.1), None for other frames."""
    if not is_vp8_keyframe(data) or len(data) < 10:
        return None
    return (
        int.from_bytes(data[6:8], "little") & 0x3FFF,
        int.from_bytes(data[8:10], "little") & 0x3FFF,
    )


class EncodedFrame:
    """One complete encoded frame from a publisher, shared by every receiver it goes to.

    ``timestamp`` is the publisher's RTP timestamp (unwrapped, starting at 0) in ``clock_rate``.
    """

    __slots__ = ("data", "timestamp", "keyframe", "origin", "clock_rate", "arrival", "_payloads")

    def __init__(
        self,
        data: bytes,
        timestamp: int,
        keyframe: bool,
        origin: Any,
        clock_rate: int,
        arrival: float,
    ) -> None:
        self.data = data
        self.timestamp = timestamp
        self.keyframe = keyframe
        self.origin = origin  # the Source it came from: a change means "rebase timestamps"
        self.clock_rate = clock_rate
        self.arrival = arrival  # time.monotonic() when it was received
        self._payloads: list[bytes] | None = None

    def payloads(self) -> list[bytes]:
        """The RTP payloads, made once for all receivers."""
        if self._payloads is None:
            self._payloads = self.origin.packetize(self.data)
        return self._payloads


class OutFrame:
    """What a ForwardTrack hands to aiortc's RTCRtpSender.

    The sender packetizes anything that is not an ``av.Frame`` with its codec's ``pack``, which for
    VP8 and Opus reads only ``bytes(frame)``, ``pts`` and ``time_base`` — so this stands in for an
    ``av.Packet`` without copying the payload per receiver.
    """

    __slots__ = ("data", "pts", "time_base", "keyframe")

    def __init__(self, data: bytes, pts: int, time_base: Fraction, keyframe: bool) -> None:
        self.data = data
        self.pts = pts
        self.time_base = time_base
        self.keyframe = keyframe

    def __bytes__(self) -> bytes:
        return self.data
