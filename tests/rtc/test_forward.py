"""Source → ForwardTrack without any network: key frames, bounds, switches, timestamps."""

from __future__ import annotations

import asyncio
from fractions import Fraction

from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from rtc.forward import ForwardTrack
from rtc.frames import is_vp8_keyframe
from rtc.keyframes import KeyframeRequester
from rtc.source import Source
from tests.rtc.rtc_peers import eventually

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)
KEY = b"\x10\x02\x00\x9d\x01\x2a" + b"k" * 20  # frame tag bit 0 = 0 and the start code
DELTA = b"\x11\x02\x00" + b"d" * 20


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> None:
        self.count += 1


def video_source(owner: str = "a") -> tuple[Source, Counter]:
    plis = Counter()
    return Source("video", owner, KeyframeRequester(plis, 0.0)), plis


def test_vp8_keyframe_detection() -> None:
    assert is_vp8_keyframe(KEY) and not is_vp8_keyframe(DELTA) and not is_vp8_keyframe(b"")


async def test_receiver_starts_on_a_keyframe_and_asks_for_one() -> None:
    source, plis = video_source()
    track = ForwardTrack("video", 10)
    track.set_source(source)
    await asyncio.sleep(0)  # let the PLI task run
    assert plis.count == 1
    source.on_frame(VP8, JitterFrame(DELTA, 0))
    source.on_frame(VP8, JitterFrame(KEY, 3000))
    source.on_frame(VP8, JitterFrame(DELTA, 6000))
    first, second = await track.recv(), await track.recv()
    assert bytes(first) == KEY and first.keyframe and first.pts == 0
    assert bytes(second) == DELTA and second.pts == 3000
    assert first.time_base == Fraction(1, 90000)
    assert track.dropped == 1


async def test_lagging_receiver_drops_to_the_next_keyframe() -> None:
    source, plis = video_source()
    track = ForwardTrack("video", 3)
    track.set_source(source)
    source.on_frame(VP8, JitterFrame(KEY, 0))
    for i in range(1, 4):
        source.on_frame(VP8, JitterFrame(DELTA, 3000 * i))  # the 4th frame overflows
    await asyncio.sleep(0)
    assert plis.count == 2  # on attach, and on overflow
    source.on_frame(VP8, JitterFrame(DELTA, 12000))  # still waiting for a key frame
    source.on_frame(VP8, JitterFrame(KEY, 15000))
    frame = await track.recv()
    assert frame.keyframe and track.dropped == 5


async def test_switch_keeps_timestamps_continuous() -> None:
    a, _ = video_source("a")
    b, _ = video_source("b")
    track = ForwardTrack("video", 10)
    track.set_source(a)
    a.on_frame(VP8, JitterFrame(KEY, 500_000))
    a.on_frame(VP8, JitterFrame(DELTA, 503_000))
    assert [(await track.recv()).pts for _ in range(2)] == [0, 3000]
    track.set_source(b)
    a.on_frame(VP8, JitterFrame(DELTA, 506_000))  # detached: not forwarded
    b.on_frame(VP8, JitterFrame(DELTA, 7_000))  # not a key frame: dropped
    b.on_frame(VP8, JitterFrame(KEY, 10_000))
    b.on_frame(VP8, JitterFrame(DELTA, 13_000))
    after_switch, next_one = await track.recv(), await track.recv()
    assert after_switch.keyframe
    assert 3000 + 3000 <= after_switch.pts < 3000 + 90000  # follows on, by the wall-clock gap
    assert next_one.pts - after_switch.pts == 3000
    assert a.sinks == () and b.sinks == (track,)


async def test_audio_is_forwarded_without_waiting() -> None:
    source = Source("audio", "a")
    track = ForwardTrack("audio", 5)
    track.set_source(source)
    source.on_frame(OPUS, JitterFrame(b"opus", 960))
    frame = await track.recv()
    assert bytes(frame) == b"opus" and frame.time_base == Fraction(1, 48000)


async def test_muted_source_forwards_nothing_and_restarts_on_a_keyframe() -> None:
    source, plis = video_source()
    track = ForwardTrack("video", 10)
    track.set_source(source)
    source.on_frame(VP8, JitterFrame(KEY, 0))
    source.set_muted(True)
    source.on_frame(VP8, JitterFrame(KEY, 3000))
    source.set_muted(False)
    source.on_frame(VP8, JitterFrame(DELTA, 6000))
    source.on_frame(VP8, JitterFrame(KEY, 9000))
    assert [(await track.recv()).pts for _ in range(2)] == [0, 9000]
    assert source.frames == 4 and source.bytes > 0


async def test_keyframe_requests_are_rate_limited_but_not_lost() -> None:
    plis = Counter()
    requester = KeyframeRequester(plis, 0.05)
    for _ in range(100):
        requester.request()
    await asyncio.sleep(0)
    assert plis.count == 1
    await eventually(lambda: plis.count == 2)  # the requests inside the window: sent once, later
    requester.request()
    assert requester.pending
    requester.keyframe_arrived()  # a key frame came anyway: the deferred request is dropped
    await eventually(lambda: not requester.pending)  # the window ended and it was decided
    assert requester.sent == 2 and plis.count == 2
    requester.close()


async def test_stopped_track_ends_the_sender_loop() -> None:
    source, _ = video_source()
    track = ForwardTrack("video", 10)
    track.set_source(source)
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    track.stop()
    try:
        await waiting
    except Exception as exc:
        assert type(exc).__name__ == "MediaStreamError"
    else:
        raise AssertionError("recv() returned after stop()")
    assert source.sinks == ()
