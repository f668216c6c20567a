"""Benchmark of halls on weak links (/api §4's layers): a chair publishing a full layer
(640x360 at 30 fps, ~0.8 Mbit/s) and a light one (320x180 at 15 fps, ~160 kbit/s) with Opus;
healthy halls on plain loopback and weak halls each behind an impairing UDP relay
(tests/rtc/impaired_link.py: 300 kbit/s token bucket, 5 % loss, 80 ms each way), all on
127.0.0.1. The server Room and the relays are this process; the chair and each hall (real aiortc
peers that decode what they get) a process of its own (bench/weak_links_halls.py says why).

    python bench/weak_links.py            # 3 weak + 3 healthy halls
    python bench/weak_links.py --small    # CI: 1 + 1, shorter windows
    python bench/weak_links.py --stock    # weak halls with aiortc's own video jitter buffer

The weak halls' video receivers recover from loss as a browser's do (a key frame drops older
holes: tests/rtc/browser_jitter.py); with --stock they wait ~512 packets on any hole no resend
filled (a picture frozen for ~15 s after a good link turns bad, whatever the server does).

Prints, per weak hall, the fps of the light layer and the share of audio frames it gets on the
bad link (and its longest freeze), the time to climb back to full once its link heals, the time
to step down when a good link turns bad and the picture after that; and the healthy halls' fps
of the full layer meanwhile, with the machine's load and UDP receive overflows. Targets (issue 9):
>= 10 fps light, >= 85 % audio, down within 5 s, back to full within 30 s, healthy untouched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import weak_links_halls
from bench.relay_media import LIGHT
from rtc import Room, RtcSettings
from tests.rtc.impaired_link import ImpairedLink, Impairment

FULL_CLIP = weak_links_halls.FULL_CLIP
FULL_SIZE, LIGHT_SIZE = FULL_CLIP[:2], LIGHT[:2]
BAD_DAY = Impairment(rate_bps=300_000, loss=0.05, delay_s=0.080)
GOOD_DAY = Impairment(delay_s=0.080)
CHAIR = 1


class Seen:
    """What one hall decoded, as its process reported it (bench/weak_links_halls.py)."""

    def __init__(self, log: tuple[list, list, int]) -> None:  # type: ignore[type-arg]
        self.frame_log, self.audio_log, self.restarts = log

    def fps(self, since: float, until: float, size: tuple[int, int] | None = None) -> float:
        n = sum(
            1 for t, w, h, _ in self.frame_log if since <= t < until and (size in (None, (w, h)))
        )
        return n / (until - since)

    def sizes(self, since: float, until: float) -> set[tuple[int, int]]:
        return {(w, h) for t, w, h, _ in self.frame_log if since <= t < until}

    def audio_share(self, since: float, until: float) -> float:
        """Audio frames received, as a share of the 50/s sent."""
        return sum(1 for t in self.audio_log if since <= t < until) / ((until - since) * 50)


async def seen(halls: weak_links_halls.Halls) -> dict[int, Seen]:
    return {user: Seen(log) for user, log in (await halls.call("logs")).items()}


def udp_drops() -> int:
    """The machine's UDP receive buffer overflows so far (/proc/net/snmp RcvbufErrors)."""
    lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines()]
    udp = [line for line in lines if line[0] == "Udp:"]
    return int(udp[1][udp[0].index("RcvbufErrors")])


async def until(condition, within: float) -> float | None:  # type: ignore[no-untyped-def]
    """Seconds until ``condition()`` holds (polled: the layer is a plain attribute), or None."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    return None


async def since(origin: float, conditions: list, within: float) -> list[float | None]:  # type: ignore[type-arg]
    """For each condition, seconds from ``origin`` until it held (None: not within)."""
    out: list[float | None] = []
    for condition in conditions:
        waited = await until(condition, max(within - (time.monotonic() - origin), 0.1))
        out.append(None if waited is None else time.monotonic() - origin)
    return out


def unfilled(room: Room, user: int) -> int:
    writer = room.peers[user].outputs["video"].writer
    return writer.unrecoverable if writer is not None else 0


def longest_gap(hall: Seen, start: float, end: float) -> float:
    """The longest time without a decoded frame in [start, end] (a frozen picture)."""
    times = [start, *(t for t, *_ in hall.frame_log if start <= t <= end), end]
    return max(b - a for a, b in zip(times, times[1:], strict=False))


def settled_full(room: Room, user_id: int) -> bool:
    peer = room.peers.get(user_id)
    return peer is not None and peer.layer == "full" and not peer.layers.probing


def conditions() -> str:
    """What else the machine does: the load, and UDP the kernel dropped (a process too slow to
    read its sockets: this one's loop, the halls', or someone else's)."""
    return f"machine load {os.getloadavg()[0]:.2f}, UDP receive overflows {udp_drops()}"


async def run(weak_n: int, healthy_n: int, window: float, stock: bool = False) -> None:
    room = Room("bench-weak", CHAIR, RtcSettings(rtc_hosts=["127.0.0.1"], ice_timeout_s=20))
    halls = weak_links_halls.Halls()
    links: dict[int, ImpairedLink] = {}
    try:
        offer = await halls.call("offer", (CHAIR, "chair"))
        await halls.call("accept", (CHAIR, await room.join(CHAIR, offer)))
        healthy = [100 + i for i in range(healthy_n)]
        for user in healthy:
            offer = await halls.call("offer", (user, "healthy"))
            await halls.call("accept", (user, await room.join(user, offer)))
        weak = [200 + i for i in range(weak_n)]
        for user in weak:
            link = links[user] = ImpairedLink(down=BAD_DAY, up=BAD_DAY, seed=user)
            await link.start()
            offer = await halls.call("offer", (user, "stock" if stock else "weak"))
            answer = await room.join(user, link.offer(offer))
            await halls.call("accept", (user, link.answer(answer)))
        for user in healthy:
            if await until(lambda u=user: settled_full(room, u), 30) is None:
                print(f"  healthy hall {user} never reached the full layer")
        await asyncio.sleep(2)  # the weak halls' links settle on the light layer

        # 1. a steady window on the bad day
        print(f"  ({conditions()})")
        start = time.monotonic()
        layers: dict[int, set[str]] = {u: set() for u in weak}
        while time.monotonic() - start < window:
            for u in weak:
                layers[u].add(room.peers[u].layer)
            await asyncio.sleep(0.2)
        end = time.monotonic()
        got = await seen(halls)
        print(f"bad day ({window:.0f} s window; 300 kbit/s, 5 % loss, 80 ms each way):")
        for u in weak:
            c = got[u]
            print(
                f"  weak hall {u}: layers {sorted(layers[u])}, "
                f"{c.fps(start, end, LIGHT_SIZE):5.1f} fps light, "
                f"{c.audio_share(start, end) * 100:5.1f} % audio frames  (target >= 10 fps, >= 85 %); "
                f"longest freeze {longest_gap(c, start, end):.1f} s, "
                f"holes the server could not fill {unfilled(room, u)}, "
                f"picture restarts on a key frame {c.restarts}"
            )
        healthy_fps = [got[u].fps(start, end, FULL_SIZE) for u in healthy]
        print(
            f"  healthy halls: fps of the full layer min {min(healthy_fps):.1f} / median "
            f"{statistics.median(healthy_fps):.1f} of 30; all on full: "
            f"{all(settled_full(room, u) for u in healthy)}"
        )

        # 2. the links heal: back to full
        for link in links.values():
            link.set(Impairment())
        climbs = await since(
            time.monotonic(), [lambda u=u: settled_full(room, u) for u in weak], 60
        )
        print(
            "healed: back to full after "
            + ", ".join("never" if s is None else f"{s:.1f} s" for s in climbs)
            + "  (target <= 30 s)"
        )

        # 3. good links turn bad: step down
        for link in links.values():
            link.set(GOOD_DAY, GOOD_DAY)
        await asyncio.sleep(2)
        print(f"  ({conditions()})")
        for link in links.values():
            link.set(BAD_DAY, BAD_DAY)
        downs = await since(
            time.monotonic(), [lambda u=u: room.peers[u].layer != "full" for u in weak], 20
        )
        print(
            "turned bad: stepped down after "
            + ", ".join("never" if s is None else f"{s:.1f} s" for s in downs)
            + "  (target <= 5 s)"
        )
        # 4. after the step down: the picture goes on (the holes the flood left cannot all be
        # filled; a key frame restarts it)
        await asyncio.sleep(3)
        start = time.monotonic()
        await asyncio.sleep(window)
        end = time.monotonic()
        got = await seen(halls)
        for u in weak:
            c = got[u]
            print(
                f"  then weak hall {u} on {room.peers[u].layer}: "
                f"{c.fps(start, end, LIGHT_SIZE):5.1f} fps light, "
                f"{c.audio_share(start, end) * 100:5.1f} % audio, "
                f"longest freeze {longest_gap(c, start, end):.1f} s"
            )
        print(
            f"healthy halls untouched: {all(got[u].sizes(start, end) == {FULL_SIZE} for u in healthy)}; "
            f"their layer changes (one climb at the start each): "
            f"{[room.peers[u].layers.changes for u in healthy]}"
        )
        print(f"  ({conditions()})")
    finally:
        await halls.stop()
        await room.close()
        for link in links.values():
            link.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a short run for CI")
    parser.add_argument("--weak", type=int)
    parser.add_argument("--healthy", type=int)
    parser.add_argument("--window", type=float)
    parser.add_argument(
        "--stock",
        action="store_true",
        help="weak halls keep aiortc's own jitter buffer (stuck on old holes; for comparison)",
    )
    args = parser.parse_args()
    weak = args.weak or (1 if args.small else 3)
    healthy = args.healthy or (1 if args.small else 3)
    window = args.window or (6.0 if args.small else 15.0)
    print(f"{weak} weak + {healthy} healthy halls; {conditions()}")
    await run(weak, healthy, window, args.stock)


if __name__ == "__main__":
    asyncio.run(main())
