"""Receivers for bench/relay.py, many per process.

A light receiver is a real aiortc peer for ICE and DTLS (so the server sees a normal client), but
its RTP never reaches aiortc: a per-socket hook reads the clear RTP header (SRTP encrypts only
the payload), counts packets and frames (the marker bit ends a video frame) and drops it — no
decryption, no jitter buffer, no decoding. So hundreds of them cost the machine little. A sample
receiver decodes everything with aiortc's stock receiver, to show the frames are good."""

from __future__ import annotations

import asyncio
from multiprocessing.connection import Connection
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, sdp
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from rtc.aiortc_hooks import use_host_addresses

HOSTS = ["127.0.0.1"]


class LightReceiver:
    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        self.video_pt = self.audio_pt = -1
        self.counts = {"video_frames": 0, "video_packets": 0, "audio_packets": 0, "decoded": 0}

    async def offer(self) -> str:
        use_host_addresses(self.pc, HOSTS)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        transport = self.pc.getTransceivers()[0].receiver.transport.transport
        for protocol in transport._connection._protocols:
            protocol.datagram_received = self._wrap(protocol.datagram_received)
        return self.pc.localDescription.sdp

    def _wrap(self, original: Any, deliver: bool = False) -> Any:
        counts = self.counts

        def datagram_received(data: bytes, addr: Any) -> None:
            # RTP: version 2 (first byte 128-191) and not RTCP (RFC 5761: types 192-223)
            if 127 < data[0] < 192 and not 191 < data[1] < 224:
                pt = data[1] & 0x7F
                if pt == self.video_pt:
                    counts["video_packets"] += 1
                    if data[1] & 0x80 and not deliver:
                        counts["video_frames"] += 1
                elif pt == self.audio_pt:
                    counts["audio_packets"] += 1
                if not deliver:
                    return
            original(data, addr)  # STUN, DTLS, RTCP: as usual

        return datagram_received

    async def accept(self, answer: str) -> None:
        for media in sdp.SessionDescription.parse(answer).media:
            if media.kind == "video":
                self.video_pt = media.rtp.codecs[0].payloadType
            elif media.kind == "audio":
                self.audio_pt = media.rtp.codecs[0].payloadType
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))


class SampleReceiver(LightReceiver):
    """Decodes like a real client (aiortc's stock receiver); counts decoded video frames."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[asyncio.Task[None]] = []
        self.pc.on(
            "track", lambda track: self.tasks.append(asyncio.ensure_future(self._read(track)))
        )

    async def offer(self) -> str:
        use_host_addresses(self.pc, HOSTS)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        transport = self.pc.getTransceivers()[0].receiver.transport.transport
        for protocol in transport._connection._protocols:  # count packets, deliver them too
            protocol.datagram_received = self._wrap(protocol.datagram_received, deliver=True)
        return self.pc.localDescription.sdp

    async def _read(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.counts["decoded"] += 1
                    self.counts["video_frames"] += 1
                    self.counts["size"] = f"{frame.width}x{frame.height}"
        except MediaStreamError:
            pass


async def _run(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    receivers: list[LightReceiver] = []
    pending: list[LightReceiver] = []
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "offer":  # argument: (how many, with a sample receiver first?)
            count, sample = argument
            pending = [
                SampleReceiver() if sample and i == 0 else LightReceiver() for i in range(count)
            ]
            conn.send([await r.offer() for r in pending])
        elif command == "accept":
            for receiver, answer in zip(pending, argument, strict=True):
                await receiver.accept(answer)
            receivers += pending
            pending = []
            conn.send(None)
        elif command == "counters":
            conn.send([dict(r.counts) for r in receivers])
        elif command == "quit":
            for receiver in receivers:
                await receiver.pc.close()
            conn.send(None)
            return


def run(conn: Connection) -> None:
    asyncio.run(_run(conn))
