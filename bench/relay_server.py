"""The server side of bench/relay.py, run alone in its own process so its CPU can be measured:
either the project's forwarding Room, or aiortc's stock MediaRelay (decode once, encode per
receiver) for comparison. Commands arrive over a multiprocessing pipe."""

from __future__ import annotations

import asyncio
from multiprocessing.connection import Connection
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from rtc import Room, RtcSettings
from rtc.aiortc_hooks import use_host_addresses

PUBLISHER = "publisher"
HOSTS = ["127.0.0.1"]


class ForwardingServer:
    def __init__(self) -> None:
        settings = RtcSettings(rtc_hosts=HOSTS, ice_timeout_s=120)
        self.room = Room("bench", PUBLISHER, settings)

    async def join(self, user_id: str, sdp: str) -> str:
        return await self.room.join(user_id, sdp)

    def counters(self) -> dict[str, Any]:
        tracks = [t for p in self.room.peers.values() for t in p.outputs.values()]
        return {
            "peers": len(self.room.peers),
            "connected": sum(p.state == "connected" for p in self.room.peers.values()),
            "forwarded": sum(t.forwarded for t in tracks),
            "dropped": sum(t.dropped for t in tracks),
        }

    async def close(self) -> None:
        await self.room.close()


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

    def counters(self) -> dict[str, Any]:
        connected = sum(pc.connectionState == "connected" for pc in self.pcs)
        return {"peers": len(self.pcs), "connected": connected, "forwarded": 0, "dropped": 0}

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()


async def _serve(conn: Connection, mode: str) -> None:
    server = ForwardingServer() if mode == "forward" else StockRelayServer()
    loop = asyncio.get_running_loop()
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "join":
            conn.send([await server.join(user_id, sdp) for user_id, sdp in argument])
        elif command == "counters":
            conn.send(server.counters())
        elif command == "quit":
            await server.close()
            conn.send(None)
            return


def serve(conn: Connection, mode: str) -> None:
    asyncio.run(_serve(conn, mode))
