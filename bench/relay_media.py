"""Synthetic media for bench/relay.py (and the layer tests): a pre-encoded 720p30 VP8 clip
(~1.5 Mbit/s, a key frame every second), a light one (320x180 at 15 fps, ~150 kbit/s) and 20 ms
Opus frames, looped by tracks that only pace them out. Encoding happens once (cached), so the
publisher costs almost nothing at run time."""

from __future__ import annotations

import asyncio
import fractions
import math
import os
import pickle
import random
import time
from pathlib import Path

import av
from aiortc.mediastreams import MediaStreamTrack

if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rtc.frames import OutFrame

WIDTH, HEIGHT, FPS, GOP, BITRATE = 1280, 720, 30, 30, 1_500_000
CLIP_FRAMES = 90
# /api §4's light layer
LIGHT = (320, 180, 15, 120_000)


def _cache(width: int, height: int, fps: int, bitrate: int) -> Path:
    name = f"bench-relay-vp8-{width}x{height}-{fps}-{bitrate}.pkl"
    return Path(os.environ.get("TMPDIR", "/tmp")) / name


def _picture(index: int, rng: random.Random, width: int, height: int) -> av.VideoFrame:
    """A moving gradient with a moving block of noise: enough detail to need the bit rate."""
    frame = av.VideoFrame(width, height, "yuv420p")
    y, u, v = frame.planes
    shift = index * 8
    row = bytes((x + shift) % 256 for x in range(y.line_size))
    luma = bytearray(row * height)
    bw, bh = width * 3 // 20, height * 3 // 20  # 192x108 at 720p: the same share at any size
    bx, by = (index * 12) % (width - bw), (index * 5) % (height - bh)
    for r in range(by, by + bh):
        luma[r * y.line_size + bx : r * y.line_size + bx + bw] = rng.randbytes(bw)
    y.update(bytes(luma))
    u.update(bytes([96 + int(32 * math.sin(index / 15))]) * u.buffer_size)
    v.update(bytes([160]) * v.buffer_size)
    return frame


def vp8_clip(
    width: int = WIDTH, height: int = HEIGHT, fps: int = FPS, bitrate: int = BITRATE
) -> list[tuple[bytes, bool]]:
    """[(frame, is_keyframe)]: 3 s with a key frame every second, encoded once and cached."""
    cache = _cache(width, height, fps, bitrate)
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.bit_rate, codec.gop_size = bitrate, fps
    codec.framerate = fractions.Fraction(fps, 1)
    codec.time_base = fractions.Fraction(1, fps)
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    rng = random.Random(1)
    clip = []
    for i in range(3 * fps):
        picture = _picture(i, rng, width, height)
        picture.pts = i
        for packet in codec.encode(picture):
            clip.append((bytes(packet), bool(packet.is_keyframe)))
    for packet in codec.encode(None):
        clip.append((bytes(packet), bool(packet.is_keyframe)))
    cache.write_bytes(pickle.dumps(clip))
    return clip


def opus_clip() -> list[bytes]:
    """One second of a 440 Hz tone as 20 ms Opus frames."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "stereo", "s16"
    codec.bit_rate = 32000
    frames = []
    for i in range(50):
        samples = bytearray()
        for n in range(960):
            value = int(8000 * math.sin(2 * math.pi * 440 * (i * 960 + n) / 48000))
            samples += value.to_bytes(2, "little", signed=True) * 2
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.planes[0].update(bytes(samples))
        frame.sample_rate, frame.pts = 48000, i * 960
        frames.extend(bytes(p) for p in codec.encode(frame))
    return frames


class LoopTrack(MediaStreamTrack):
    """Paces a pre-encoded clip out in real time, forever; aiortc's sender only packetizes it."""

    def __init__(self, kind: str, frames: list[bytes], rate: int, step: int) -> None:
        super().__init__()
        self.kind = kind
        self.frames_sent = 0
        self._frames = frames
        self._time_base = fractions.Fraction(1, rate)
        self._step = step
        self._period = step / rate
        self._start: float | None = None

    async def recv(self) -> OutFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.frames_sent * self._period
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        data = self._frames[self.frames_sent % len(self._frames)]
        frame = OutFrame(data, self.frames_sent * self._step, self._time_base, False)
        self.frames_sent += 1
        return frame


def video_track(
    width: int = WIDTH, height: int = HEIGHT, fps: int = FPS, bitrate: int = BITRATE
) -> LoopTrack:
    clip = vp8_clip(width, height, fps, bitrate)
    return LoopTrack("video", [data for data, _ in clip], 90000, 90000 // fps)


def light_track() -> LoopTrack:
    return video_track(*LIGHT)


def audio_track() -> LoopTrack:
    return LoopTrack("audio", opus_clip(), 48000, 960)


if __name__ == "__main__":
    for width, height, fps, bitrate in [(WIDTH, HEIGHT, FPS, BITRATE), LIGHT]:
        started = time.monotonic()
        clip = vp8_clip(width, height, fps, bitrate)
        size = sum(len(d) for d, _ in clip)
        print(
            f"{width}x{height}@{fps}: {len(clip)} frames, {sum(k for _, k in clip)} key, "
            f"{size * 8 / (len(clip) / fps) / 1e6:.2f} Mbit/s, {time.monotonic() - started:.1f} s"
        )
