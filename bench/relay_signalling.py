"""The relay through the real server: halls join with ``rtc:join`` over Socket.IO (as a kiosk
does), the chair publishes the two layers (bench/relay_media.py), and each hall measures the
video it gets: frames per second, and the delay the relay adds (from the moment the publisher
hands a frame to its sender to the arrival of the frame's last packet at the hall).

Everything runs in one process (uvicorn, the python-socketio clients, the aiortc peers) on
127.0.0.1 and a throwaway SQLite database, so the delay includes this process's own queueing.

    python bench/relay_signalling.py            # 24 halls, 10 s window
    python bench/relay_signalling.py --small    # CI: 4 halls, 4 s

How a frame is matched to its source without a clock in the packets: within one layer the relay
keeps the source's timestamp steps, so a hall's n-th frame after its first is the source's
(k0 + n)-th; k0 is the largest offset that makes no frame arrive before it was sent (a frame
period, 33 ms, is far more than the loopback's delay, so only one offset fits).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from bench.relay_media import FPS, LoopTrack, audio_track, light_track, video_track
from bench.relay_receivers import LightReceiver
from rtc.aiortc_hooks import use_host_addresses
from rtc.service import media_of
from tests.live import make_settings, meeting_with, running

STEP = 90000 // FPS


class StampedTrack(LoopTrack):
    """The full layer, noting when each frame goes to the sender."""

    def __init__(self, inner: LoopTrack) -> None:
        super().__init__("video", inner._frames, 90000, STEP)
        self.sent_at: list[float] = []

    async def recv(self) -> Any:
        frame = await super().recv()
        self.sent_at.append(time.monotonic())
        return frame


class TimedReceiver(LightReceiver):
    """Counts like bench/relay_receivers.py, and notes (arrival, RTP timestamp) of each frame's
    last video packet (the marker bit)."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[tuple[float, int]] = []

    def _wrap(self, original: Any, deliver: bool = False) -> Any:
        counting = super()._wrap(original, deliver)

        def datagram_received(data: bytes, addr: Any) -> None:
            if 127 < data[0] < 192 and (data[1] & 0x7F) == self.video_pt and data[1] & 0x80:
                self.frames.append((time.monotonic(), int.from_bytes(data[4:8], "big")))
            counting(data, addr)

        return datagram_received


def delays(frames: list[tuple[float, int]], sent_at: list[float]) -> list[float]:
    """Each frame's delay, matched to its source frame (see the module's note)."""
    if not frames:
        return []
    ts0 = frames[0][1]
    rel = [((ts - ts0) & 0xFFFFFFFF) // STEP for _, ts in frames]
    k0 = min(bisect.bisect_right(sent_at, t) - 1 - n for (t, _), n in zip(frames, rel, strict=True))
    return [t - sent_at[k0 + n] for (t, _), n in zip(frames, rel, strict=True) if k0 + n >= 0]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(halls: int, window: float) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-signalling-"))
    async with running(make_settings(data_dir=data, rtc_hosts=["127.0.0.1"])) as live:
        m = await meeting_with(live, start=True, points=halls)
        mid = m["meeting_id"]
        chair = await live.client(m["chair"])
        await chair.ok("meeting:join", {"meeting_id": mid})
        publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        full = StampedTrack(video_track(640, 360, FPS, 800_000))
        for track in (full, audio_track(), light_track()):
            publisher.addTransceiver(track, direction="sendonly")
        use_host_addresses(publisher, ["127.0.0.1"])
        await publisher.setLocalDescription(await publisher.createOffer())
        ack = await chair.ok(
            "rtc:join", {"meeting_id": mid, "type": "offer", "sdp": publisher.localDescription.sdp}
        )
        await publisher.setRemoteDescription(RTCSessionDescription(ack["sdp"], "answer"))

        receivers: list[TimedReceiver] = []
        started = time.monotonic()
        join_s = []
        for point in m["points"]:
            socket = await live.client(point)
            await socket.ok("meeting:join", {"meeting_id": mid})
            receiver = TimedReceiver()
            t0 = time.monotonic()
            ack = await socket.ok(
                "rtc:join", {"meeting_id": mid, "type": "offer", "sdp": await receiver.offer()}
            )
            join_s.append(time.monotonic() - t0)
            await receiver.accept(ack["sdp"])
            receivers.append(receiver)
        room = media_of(live.server).rooms[mid]
        # everyone starts on the light layer and climbs to full (they send no RTCP: healthy)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            peers = [room.peers.get(p.id) for p in m["points"]]
            if all(p is not None and p.layer == "full" and not p.layers.probing for p in peers):
                break
            await asyncio.sleep(0.5)
        else:
            print("  warning: not every hall reached the full layer")
        ready_s = time.monotonic() - started

        for r in receivers:
            r.frames.clear()
        start = time.monotonic()
        await asyncio.sleep(window)
        end = time.monotonic()
        fps = [len([f for f in r.frames if start <= f[0] < end]) / (end - start) for r in receivers]
        every = [d for r in receivers for d in delays(r.frames, full.sent_at)]
        print(
            f"{halls} halls through rtc:join over Socket.IO (one process, loopback): "
            f"rtc:join ack p50 {statistics.median(join_s) * 1000:.0f} ms, all on the full layer "
            f"{ready_s:.1f} s after the first join"
        )
        print(
            f"  video fps worst/median {min(fps):.1f}/{statistics.median(fps):.1f} of {FPS}; "
            f"relay delay (publisher's sender to the hall) p50 {pct(every, 0.5) * 1000:.1f} ms, "
            f"p95 {pct(every, 0.95) * 1000:.1f} ms, max {max(every) * 1000:.1f} ms "
            f"over {len(every)} frames  (target p95 <= 40 ms)"
        )
        for r in receivers:
            await r.pc.close()
        await publisher.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a short run for CI")
    parser.add_argument("--halls", type=int)
    parser.add_argument("--window", type=float)
    args = parser.parse_args()
    await run(args.halls or (4 if args.small else 24), args.window or (4.0 if args.small else 10.0))


if __name__ == "__main__":
    asyncio.run(main())
