"""A receiver's outgoing track: encoded frames from whichever Source is behind it."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from fractions import Fraction

from aiortc import RTCRtpSender, RTCRtpTransceiver
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from . import aiortc_hooks as hooks
from .frames import EncodedFrame, OutFrame
from .rtp_writer import RtpWriter
from .source import Source

log = logging.getLogger(__name__)

# The smallest timestamp step across a switch: one video frame at 30 fps, one 20 ms Opus frame.
MIN_STEP_S = {"video": 1 / 30, "audio": 0.02}


class ForwardTrack(MediaStreamTrack):
    """Feeds one RTCRtpSender with pre-encoded frames (so the sender only packetizes).

    - bounded: a receiver that falls behind (``max_frames`` queued; on the fast path, its socket
      holding more than rtp_writer.MAX_BUFFERED unsent) drops what it holds and, for video,
      waits for the next key frame (asking the source for one) instead of queueing latency;
    - video starts, and restarts after every source switch, on a key frame;
    - the output timestamps stay continuous across switches: the first frame from a new source
      follows the last one sent by the wall-clock time between them; sequence numbers are the
      track's own (its writer's, or its sender's), so they run on across a switch too;
    - ``switch_to`` (a change of layer, or of speaker) keeps forwarding the current source until
      the new one sends a key frame, so the picture never stops for the switch.

    Fast path: once bound to its transceiver and the sender has started (its first ``recv``),
    frames are written straight out by an RtpWriter as they arrive — no queue, no task wake-up,
    no per-receiver packetizing — and ``recv`` parks aiortc's sender loop for good. If the
    writer cannot be had, frames go through the queue and aiortc's sender as usual.
    """

    def __init__(self, kind: str, max_frames: int) -> None:
        super().__init__()
        self.kind = kind
        self.max_frames = max_frames
        self.forwarded = 0
        self.dropped = 0
        self._source: Source | None = None
        self._pending: Source | None = None  # switch_to's next source, until its key frame
        self.switches = 0
        self._queue: deque[EncodedFrame] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._need_key = kind == "video"
        self._origin: object = None
        self._offset = 0
        self._last_pts: int | None = None
        self._last_arrival = 0.0
        self._time_base: Fraction | None = None
        self._transceiver: RTCRtpTransceiver | None = None
        self._sender: RTCRtpSender | None = None
        self._writer: RtpWriter | None = None
        self._parked: asyncio.Future[None] | None = None
        self._redundant = False

    def set_redundant(self, redundant: bool) -> None:
        """Send each packet twice (audio for a hall on a short link; rtc/rtp_writer.py)."""
        self._redundant = redundant
        if self._writer is not None:
            self._writer.redundant = redundant

    def bind(self, transceiver: RTCRtpTransceiver) -> None:
        """Allow the fast path through this transceiver's sender."""
        self._transceiver = transceiver
        self._sender = transceiver.sender

    @property
    def writer(self) -> RtpWriter | None:
        """The fast path's writer, once there is one (its counters say how the link fares)."""
        return self._writer

    @property
    def source(self) -> Source | None:
        return self._source

    @property
    def pending(self) -> Source | None:
        return self._pending

    def switch_to(self, source: Source | None) -> None:
        """Like set_source, but the current source stays on until ``source`` sends a key frame
        (asked for now, rate-limited by the source). Stopping (None), starting from nothing and
        audio switch at once."""
        if source is self._pending and source is not None:
            return
        if source is self._source or source is None or self._source is None or self.kind != "video":
            self.set_source(source)
            return
        self._drop_pending()
        self._pending = source
        source.attach(self)
        source.request_keyframe()

    def _drop_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and pending is not self._source:
            pending.detach(self)

    def set_source(self, source: Source | None) -> None:
        """Put ``source`` behind this track (None: send nothing). No renegotiation needed."""
        self._drop_pending()
        if source is self._source:
            return
        self.switches += 1
        if self._source is not None:
            self._source.detach(self)
        self._source = source
        if source is not None:
            self.await_keyframe()
            source.attach(self)
            source.request_keyframe()

    def await_keyframe(self) -> None:
        if self.kind == "video":
            self._need_key = True

    def request_keyframe(self) -> None:
        """The receiver reported picture loss (PLI/FIR): pass it on to the publisher."""
        if self._source is not None:
            self._source.request_keyframe()

    def push(self, frame: EncodedFrame) -> None:
        pending = self._pending
        if pending is not None:
            if frame.origin is pending:
                if not frame.keyframe:
                    return  # not yet: the current source is still on
                # the new source's key frame: it takes over from here
                self._pending = None
                if self._source is not None:
                    self._source.detach(self)
                self._source = pending
                self.switches += 1
                self._need_key = False
            elif frame.origin is not self._source:
                return
        if self._need_key:
            if not frame.keyframe:
                self.dropped += 1
                return
            self._need_key = False
        if self._writer is not None:
            if self._writer.write(frame.payloads(), self._pts(frame), frame.keyframe):
                self.forwarded += 1
            else:  # not connected or lagging: skip to the next key frame
                self.dropped += 1
                self._need_key = True
                self.request_keyframe()
            return
        if len(self._queue) >= self.max_frames:
            # lagging: what we hold is stale; restart from a key frame rather than add latency
            self.dropped += len(self._queue)
            self._queue.clear()
            if not frame.keyframe:
                self.dropped += 1
                self._need_key = True
                self.request_keyframe()
                return
        self._queue.append(frame)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def recv(self) -> OutFrame:  # type: ignore[override]
        if self._transceiver is not None and self._writer is None and self.readyState == "live":
            await self._try_fast_path()
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        if self.readyState != "live":
            raise MediaStreamError
        frame = self._queue.popleft()
        self.forwarded += 1
        return OutFrame(frame.data, self._pts(frame), self._time_base_for(frame), frame.keyframe)

    async def _try_fast_path(self) -> None:
        assert self._transceiver is not None
        wire = hooks.open_wire(self._transceiver)
        self._transceiver = None  # one attempt
        if wire is None:
            log.warning("%s track: fast path unavailable, using aiortc's sender", self.kind)
            return
        assert self._sender is not None
        self._writer = RtpWriter(wire, self._sender, self.kind)
        self._writer.redundant = self._redundant
        self._writer.on_unrecoverable = self.request_keyframe
        self._queue.clear()
        self.await_keyframe()
        self.request_keyframe()
        self._parked = asyncio.get_running_loop().create_future()
        await self._parked  # until stop(): aiortc's sender loop never gets a frame from us
        raise MediaStreamError

    def _pts(self, frame: EncodedFrame) -> int:
        if frame.origin is not self._origin:
            if self._last_pts is None:
                start = 0
            else:
                gap = max(frame.arrival - self._last_arrival, MIN_STEP_S[self.kind])
                start = self._last_pts + round(gap * frame.clock_rate)
            self._offset = start - frame.timestamp
            self._origin = frame.origin
        pts = frame.timestamp + self._offset
        self._last_pts = pts
        self._last_arrival = frame.arrival
        return pts

    def _time_base_for(self, frame: EncodedFrame) -> Fraction:
        if self._time_base is None or self._time_base.denominator != frame.clock_rate:
            self._time_base = Fraction(1, frame.clock_rate)
        return self._time_base

    def stop(self) -> None:
        self.set_source(None)
        super().stop()
        for waiter in (self._waiter, self._parked):
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
