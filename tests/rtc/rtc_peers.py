"""Real aiortc client peers for the relay tests: they send a solid colour and report the colour
they receive (decoded by aiortc's stock receiver)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

from rtc import aiortc_hooks

# colours as YUV (BT.601), so no numpy is needed to make or check them
RED = (81, 90, 240)
GREEN = (145, 54, 34)
BLUE = (41, 240, 110)
WHITE = (235, 128, 128)


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until ``condition()`` holds. For counters kept by aiortc or the relay, which signal
    nothing, so polling is the only way to await them."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


class SolidColourTrack(VideoStreamTrack):
    """A camera that films one colour (30 fps, small, so encoding costs little)."""

    def __init__(self, yuv: tuple[int, int, int], width: int = 160, height: int = 120) -> None:
        super().__init__()
        self.yuv = yuv
        self.size = (width, height)

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(*self.size, "yuv420p")
        for plane, value in zip(frame.planes, self.yuv, strict=True):
            plane.update(bytes([value]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


def frame_colour(frame: VideoFrame) -> tuple[int, int, int]:
    """Mean of the middle row of each plane."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    values = []
    for i, plane in enumerate(frame.planes):
        width = frame.width if i == 0 else frame.width // 2
        row = (frame.height if i == 0 else frame.height // 2) // 2
        data = bytes(plane)[row * plane.line_size : row * plane.line_size + width]
        values.append(sum(data) // len(data))
    return values[0], values[1], values[2]


def close_to(a: Sequence[int], b: Sequence[int], tolerance: int = 24) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


class Client:
    """A hall: sends ``colour`` (and silence), decodes what it receives. With ``light`` (a size)
    it also publishes a light layer of the same colour (/api §4: the second video m-line).
    ``tracks`` replaces what it sends (e.g. pre-encoded clips, bench/relay_media.py)."""

    def __init__(
        self,
        colour: tuple[int, int, int],
        audio: bool = True,
        light: tuple[int, int] | None = None,
        tracks: Sequence[MediaStreamTrack] | None = None,
    ) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        if tracks is not None:
            for track in tracks:
                self.pc.addTrack(track)
        else:
            self.pc.addTrack(SolidColourTrack(colour))
            if light is not None:
                self.pc.addTrack(SolidColourTrack(colour, *light))
            if audio:
                self.pc.addTrack(AudioStreamTrack())
        self.colour: tuple[int, int, int] | None = None
        self.size: tuple[int, int] | None = None
        # (time.monotonic(), width, height, RTP timestamp) of every decoded video frame
        self.frame_log: list[tuple[float, int, int, int]] = []
        self.audio_log: list[float] = []
        self.frames = 0
        self.audio_frames = 0
        self._changed = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    async def offer(self) -> str:
        aiortc_hooks.use_host_addresses(self.pc, ["127.0.0.1"])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer_sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))

    def _on_track(self, track: MediaStreamTrack) -> None:
        reader = self._read_video if track.kind == "video" else self._read_audio
        self._tasks.append(asyncio.ensure_future(reader(track)))

    async def _read_video(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                colour = frame_colour(frame)
                self.frame_log.append((time.monotonic(), frame.width, frame.height, frame.pts))
                async with self._changed:
                    self.frames += 1
                    self.colour = colour
                    self.size = (frame.width, frame.height)
                    self._changed.notify_all()
        except MediaStreamError:
            pass

    async def _read_audio(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                await track.recv()
                self.audio_frames += 1
                self.audio_log.append(time.monotonic())
        except MediaStreamError:
            pass

    async def wait_colour(self, colour: tuple[int, int, int], within: float = 5.0) -> None:
        async def seen() -> None:
            async with self._changed:
                await self._changed.wait_for(
                    lambda: self.colour is not None and close_to(self.colour, colour)
                )

        try:
            await asyncio.wait_for(seen(), within)
        except TimeoutError:
            raise AssertionError(f"expected colour {colour}, still {self.colour}") from None

    def fps(self, since: float, until: float, size: tuple[int, int] | None = None) -> float:
        """Decoded video frames per second between two monotonic times (of ``size`` only)."""
        n = sum(
            1
            for t, w, h, _ in self.frame_log
            if since <= t < until and (size is None or (w, h) == size)
        )
        return n / (until - since)

    def sizes(self, since: float, until: float) -> set[tuple[int, int]]:
        return {(w, h) for t, w, h, _ in self.frame_log if since <= t < until}

    def audio_share(self, since: float, until: float) -> float:
        """Audio frames received between the two times, as a share of the 50/s sent."""
        n = sum(1 for t in self.audio_log if since <= t < until)
        return n / ((until - since) * 50)

    async def wait_size(self, size: tuple[int, int], within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(lambda: self.size == size)

    async def wait_frames(self, count: int, within: float = 5.0) -> None:
        target = self.frames + count
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(lambda: self.frames >= target)

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()


# A chair and two halls, each sending its own colour: the cast of the room tests.
CHAIR, HALL1, HALL2 = 1, 2, 3


async def connect(room: Any, user_id: int, colour: tuple[int, int, int]) -> Client:
    """Join `room` (a Room or a WorkerRoom) as `user_id`, sending `colour`."""
    client = Client(colour)
    await client.accept(await room.join(user_id, await client.offer()))
    return client


@contextlib.asynccontextmanager
async def chair_and_two_halls(room: Any) -> AsyncIterator[dict[int, Client]]:
    """The chair (red), hall 1 (green) and hall 2 (blue) joined to `room`; all closed after."""
    clients = {
        CHAIR: await connect(room, CHAIR, RED),
        HALL1: await connect(room, HALL1, GREEN),
        HALL2: await connect(room, HALL2, BLUE),
    }
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.close()
        await room.close()


async def joins_with(live: Any, who: Any, meeting_id: int, peer: Client) -> Any:
    """``who`` joins the meeting and connects ``peer`` through ``rtc:join`` (the real signalling
    path); returns their socket."""
    socket = await live.client(who)
    await socket.ok("meeting:join", {"meeting_id": meeting_id})
    ack = await socket.ok(
        "rtc:join", {"meeting_id": meeting_id, "type": "offer", "sdp": await peer.offer()}
    )
    await peer.accept(ack["sdp"])
    return socket


async def chair_publishes(
    live: Any, chair: Any, meeting_id: int, tracks: list[Any]
) -> tuple[Any, Client]:
    """The chair publishes ``tracks``; returns the chair's socket and the publishing peer (close
    it after)."""
    publisher = Client(RED, tracks=tracks)
    return await joins_with(live, chair, meeting_id, publisher), publisher
