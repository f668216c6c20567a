"""A publisher's track, received all the time and fanned out, still encoded, to receivers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from . import aiortc_hooks as hooks
from .frames import EncodedFrame, is_vp8_keyframe, vp8_keyframe_size
from .keyframes import KeyframeRequester

if TYPE_CHECKING:
    from .forward import ForwardTrack

log = logging.getLogger(__name__)

FORWARDABLE = {"video": "vp8", "audio": "opus"}

UserId = int | str


class Tap(Protocol):
    """Something besides local receivers that takes a source's frames (worker mode: the export
    of the main stream to the other workers, rtc/worker.py)."""

    def frame(self, frame: EncodedFrame) -> None: ...

    def restart(self) -> None: ...


class Source:
    """One publisher track. ``on_frame`` is fed by the receiver tap from the moment the track
    exists, whether or not anyone watches, so nothing queues up and a switch is instant.

    A sender's light video layer (/api §4) is a Source of its own with ``full`` set to the
    full layer's: while its key frames are larger than the full layer's have been, it is
    refused (not forwarded, and the room moves every receiver off it)."""

    def __init__(
        self,
        kind: str,
        owner: UserId,
        keyframes: KeyframeRequester | None = None,
        on_ended: Callable[[Source], None] | None = None,
        full: Source | None = None,
    ) -> None:
        self.kind = kind
        self.owner = owner
        self.full = full
        self.light: Source | None = None  # on a full layer: its light sibling, if any
        self.layer = "light" if full is not None else "full"
        self.size: tuple[int, int] | None = None  # of the last video key frame
        self.refused = False
        self.largest = 0  # on a full layer: the largest area its key frames have had
        self.muted = False
        self.ended = False
        self.frames = 0
        self.bytes = 0
        self._keyframes = keyframes
        self._on_ended = on_ended
        self._sinks: list[ForwardTrack] = []
        self._taps: list[Tap] = []
        self._picture_id = 0
        # bits/s over the last whole second (for REMB comparisons): [second, bytes], rate
        self._window = [0, 0]
        self.rate_bps = 0.0

    def packetize(self, data: bytes) -> list[bytes]:
        if self.kind == "audio":
            return [data]
        self._picture_id = (self._picture_id + 1) % (1 << 15)
        return hooks.vp8_payloads(data, self._picture_id)

    def __repr__(self) -> str:
        layer = " light" if self.full is not None else ""
        return f"Source({self.owner!r}, {self.kind}{layer})"

    @property
    def sinks(self) -> tuple[ForwardTrack, ...]:
        return tuple(self._sinks)

    def attach(self, sink: ForwardTrack) -> None:
        if sink not in self._sinks:
            self._sinks.append(sink)

    def detach(self, sink: ForwardTrack) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def add_tap(self, tap: Tap) -> None:
        if tap not in self._taps:
            self._taps.append(tap)

    def remove_tap(self, tap: Tap) -> None:
        if tap in self._taps:
            self._taps.remove(tap)

    def request_keyframe(self) -> None:
        if self.kind == "video" and self._keyframes is not None and not self.ended:
            self._keyframes.request()

    def set_muted(self, muted: bool) -> None:
        if muted == self.muted:
            return
        self.muted = muted
        if not muted and self.kind == "video":
            # receivers missed frames while muted: restart them on a fresh key frame
            for sink in self._sinks:
                sink.await_keyframe()
            for tap in self._taps:
                tap.restart()
            self.request_keyframe()

    def on_frame(self, codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
        data = frame.data
        self.frames += 1
        self.bytes += len(data)
        if codec.name.lower() != FORWARDABLE[self.kind]:
            return  # the answer only offers VP8/Opus; anything else cannot be forwarded
        key = self.kind == "audio" or is_vp8_keyframe(data)
        if key and self.kind == "video":
            self.size = vp8_keyframe_size(data)
            if self.size is not None and self.full is None:
                area = self.size[0] * self.size[1]
                self.largest = max(self.largest, area)
            # whichever of the two layers learns its size last makes the comparison
            light = self if self.full is not None else self.light
            if light is not None and not light.ended:
                light._judge_size()
        if self.refused:
            return
        self.deliver(data, frame.timestamp, key, codec.clockRate)

    def _judge_size(self) -> None:
        """A light layer larger than the largest the full one has been is refused (not
        forwarded) while it stays so. Against the largest: a browser starts its full layer
        small and grows it, and shrinks it for a while when its CPU is short."""
        assert self.full is not None
        mine = self.size
        refused = (
            mine is not None and self.full.largest > 0 and mine[0] * mine[1] > self.full.largest
        )
        if refused != self.refused:
            self.refused = refused
            if refused:
                log.warning("%r: larger than the full layer (%s): refused", self, mine)
            if self._on_ended is not None:
                self._on_ended(self)  # the room routes again (rtc/room.py _source_ended)

    def deliver(self, data: bytes, timestamp: int, key: bool, clock_rate: int) -> None:
        """Fan one frame out (also the entry point of a worker's copy of a remote source)."""
        if key and self._keyframes is not None:
            self._keyframes.keyframe_arrived()
        now = time.monotonic()
        second = int(now)
        window = self._window
        if second != window[0]:
            self.rate_bps = window[1] * 8.0 if second == window[0] + 1 else 0.0
            window[0], window[1] = second, 0
        window[1] += len(data)
        if self.muted or not (self._sinks or self._taps):
            return
        encoded = EncodedFrame(data, timestamp, key, self, clock_rate, now)
        for sink in self._sinks:
            sink.push(encoded)
        for tap in self._taps:
            tap.frame(encoded)

    def end(self) -> None:
        """The publisher's track is gone (receiver stopped, BYE, peer closed)."""
        if self.ended:
            return
        self.ended = True
        log.debug("%r ended", self)
        if self._keyframes is not None:
            self._keyframes.close()
        if self._on_ended is not None:
            self._on_ended(self)
