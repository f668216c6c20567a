"""Walls for bench/wall.py: staff screens each watching a page of halls (rtc:watch), in a
process of their own. Like relay_receivers' light receivers, RTP is counted from its clear header
and dropped (no decryption, no decoding): frames per SSRC, one SSRC per tile."""

from __future__ import annotations

import asyncio
from multiprocessing.connection import Connection
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from rtc.aiortc_hooks import use_host_addresses

HOSTS = ["127.0.0.1"]


class WallReceiver:
    def __init__(self, tiles: int) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        for _ in range(tiles):
            self.pc.addTransceiver("video", direction="recvonly")
        self.frames: dict[int, int] = {}  # SSRC -> video frames (marker bits)
        self.packets = 0

    async def offer(self) -> str:
        use_host_addresses(self.pc, HOSTS)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        transport = self.pc.getTransceivers()[0].receiver.transport.transport
        for protocol in transport._connection._protocols:
            protocol.datagram_received = self._wrap(protocol.datagram_received)
        return self.pc.localDescription.sdp

    def _wrap(self, original: Any) -> Any:
        def datagram_received(data: bytes, addr: Any) -> None:
            if 127 < data[0] < 192 and not 191 < data[1] < 224 and len(data) >= 12:
                self.packets += 1
                if data[1] & 0x80:
                    ssrc = int.from_bytes(data[8:12], "big")
                    self.frames[ssrc] = self.frames.get(ssrc, 0) + 1
                return
            original(data, addr)

        return datagram_received

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))


async def _run(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    walls: list[WallReceiver] = []
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "offer":  # argument: tiles; one more wall
            walls.append(WallReceiver(argument))
            conn.send(await walls[-1].offer())
        elif command == "accept":
            await walls[-1].accept(argument)
            conn.send(None)
        elif command == "counters":
            conn.send([{"frames": dict(w.frames), "packets": w.packets} for w in walls])
        elif command == "quit":
            for wall in walls:
                await wall.pc.close()
            conn.send(None)
            return


def run(conn: Connection) -> None:
    asyncio.run(_run(conn))
