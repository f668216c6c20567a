"""A staff wall as a real aiortc client: one receive-only video m-line per hall (rtc:watch), each
tile decoded and its colour and size kept."""

from __future__ import annotations

import asyncio

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from rtc import aiortc_hooks
from tests.rtc.rtc_peers import close_to, frame_colour


class WallClient:
    def __init__(self, tiles: int) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.transceivers = [
            self.pc.addTransceiver("video", direction="recvonly") for _ in range(tiles)
        ]
        self.seen: list[tuple[tuple[int, int, int], tuple[int, int]] | None] = [None] * tiles
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
        index = next(i for i, t in enumerate(self.transceivers) if t.receiver.track is track)
        self._tasks.append(asyncio.ensure_future(self._read(index, track)))

    async def _read(self, index: int, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                async with self._changed:
                    self.seen[index] = (frame_colour(frame), (frame.width, frame.height))
                    self._changed.notify_all()
        except MediaStreamError:
            pass

    async def wait_tiles(
        self, want: dict[int, tuple[tuple[int, int, int], tuple[int, int]]], within: float = 10.0
    ) -> None:
        """Until each tile named (by index) shows that colour at that size."""

        def shown() -> bool:
            return all(
                (s := self.seen[i]) is not None and close_to(s[0], colour) and s[1] == size
                for i, (colour, size) in want.items()
            )

        try:
            async with asyncio.timeout(within):
                async with self._changed:
                    await self._changed.wait_for(shown)
        except TimeoutError:
            raise AssertionError(f"tiles {self.seen}, expected {want}") from None

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()
