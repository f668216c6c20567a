"""The server side of bench/relay.py, run alone in its own process so its CPU can be measured:
either the project's forwarding Room (in this process, or with its peers spread over media
worker processes: ``workers`` > 0), or aiortc's stock MediaRelay (decode once, encode per
receiver) for comparison. Commands arrive over a multiprocessing pipe."""

from __future__ import annotations

import asyncio
import os
from multiprocessing.connection import Connection
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from rtc import Room, RtcSettings
from rtc.aiortc_hooks import use_host_addresses
from rtc.worker_room import WorkerRoom
from rtc.workers import WorkerPool

PUBLISHER = "publisher"
HOSTS = ["127.0.0.1"]


class ForwardingServer:
    def __init__(self, workers: int = 0) -> None:
        self.settings = RtcSettings(rtc_hosts=HOSTS, ice_timeout_s=120, rtc_workers=workers)
        self.pool: WorkerPool | None = None
        self.room: Room | WorkerRoom = Room("bench", PUBLISHER, self.settings)

    async def start(self) -> None:
        if self.settings.rtc_workers:
            self.pool = WorkerPool(self.settings.rtc_workers, self.settings)
            await self.pool.start()
            self.room = WorkerRoom("bench", PUBLISHER, self.settings, self.pool)

    async def join(self, user_id: str, sdp: str) -> str:
        return await self.room.join(user_id, sdp)

    async def counters(self) -> dict[str, Any]:
        if self.pool is not None:
            parts = [await self.pool.call(i, "counters") for i in sorted(self.pool.workers)]
            return {key: sum(p[key] for p in parts) for key in parts[0]}
        room = self.room
        assert isinstance(room, Room)
        tracks = [t for p in room.peers.values() for t in p.outputs.values()]
        # the main stream's receivers (bench/wall.py's halls only publish, named "hall…")
        receivers = [
            p for u, p in room.peers.items() if u != PUBLISHER and not str(u).startswith("hall")
        ]
        return {
            "peers": len(room.peers),
            "connected": sum(p.state == "connected" for p in room.peers.values()),
            "forwarded": sum(t.forwarded for t in tracks),
            "dropped": sum(t.dropped for t in tracks),
            # receivers on the full layer, settled (not probing): two layers are published
            "on_full": sum(p.layer == "full" and not p.layers.probing for p in receivers),
        }

    def pids(self) -> list[int]:
        """This process first, then the media workers."""
        return [os.getpid(), *(self.pool.pids() if self.pool is not None else [])]

    async def close(self) -> None:
        await self.room.close()
        if self.pool is not None:
            await self.pool.stop()


class StockRelayServer:
    def __init__(self) -> None:
        self.relay = MediaRelay()
        self.tracks: dict[str, MediaStreamTrack] = {}
        self.pcs: list[RTCPeerConnection] = []

    async def join(self, user_id: str, sdp: str) -> str:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        if user_id == PUBLISHER:
            pc.on("track", lambda track: self.tracks.__setitem__(track.kind, track))
        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        if user_id != PUBLISHER:
            for kind in ("video", "audio"):
                pc.addTrack(self.relay.subscribe(self.tracks[kind]))
        use_host_addresses(pc, HOSTS)
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    async def start(self) -> None:
        pass

    async def counters(self) -> dict[str, Any]:
        connected = sum(pc.connectionState == "connected" for pc in self.pcs)
        return {
            "peers": len(self.pcs),
            "connected": connected,
            "forwarded": 0,
            "dropped": 0,
            "on_full": max(len(self.pcs) - 1, 0),  # one layer: everyone gets it
        }

    def pids(self) -> list[int]:
        return [os.getpid()]

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()


async def _serve(conn: Connection, mode: str, workers: int) -> None:
    server = ForwardingServer(workers) if mode == "forward" else StockRelayServer()
    await server.start()
    loop = asyncio.get_running_loop()
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "join":
            conn.send([await server.join(user_id, sdp) for user_id, sdp in argument])
        elif command == "counters":
            conn.send(await server.counters())
        elif command == "watch":  # bench/wall.py: (owner, halls, offer) -> answer
            assert isinstance(server, ForwardingServer) and isinstance(server.room, Room)
            owner, halls, offer = argument
            conn.send(await server.room.watch(owner, halls, offer))
        elif command == "pids":
            conn.send(server.pids())
        elif command == "quit":
            await server.close()
            conn.send(None)
            return


def serve(conn: Connection, mode: str, workers: int = 0) -> None:
    asyncio.run(_serve(conn, mode, workers))
