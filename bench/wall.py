"""Benchmark of the wall (/api §4 rtc:watch): the server's CPU while N receivers take the
main stream (bench/relay.py's setup: one 720p30 + light + Opus publisher, light receivers in
separate processes) — first alone, then with two staff screens each watching one wall page of 16
halls' light layers. The halls publish two layers of a light clip (320x180 at 15 fps, ~160
kbit/s; what they send as their full layer is received in both phases alike, so the difference
is the walls' forwarding only).

    python bench/wall.py            # N=240 receivers, 16 halls, 2 walls
    python bench/wall.py --small    # CI: N=16, short windows

It prints the server's CPU without and with the walls, the difference (in % of a core and per
forwarded wall packet), and the frames/s each wall tile gets (worst/median) against the light
layer's 15 fps. Figures are of one run on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import wall_receivers
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from relay import Bench, Child, cpu_seconds
from relay_media import LIGHT, light_track

from rtc.aiortc_hooks import use_host_addresses

TILES = 16
WALLS = 2


async def open_halls(bench: Bench, count: int) -> list[RTCPeerConnection]:
    """``count`` halls publishing two layers (sendonly), joined to the bench's server."""
    pcs, offers = [], []
    for i in range(count):
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver(light_track(), direction="sendonly")  # "full"
        pc.addTransceiver(light_track(), direction="sendonly")  # light
        use_host_addresses(pc, ["127.0.0.1"])
        await pc.setLocalDescription(await pc.createOffer())
        pcs.append(pc)
        offers.append((f"hall{i}", pc.localDescription.sdp))
    answers = await bench.server.call("join", offers)
    for pc, answer in zip(pcs, answers, strict=True):
        await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    return pcs


async def server_cpu(bench: Bench, window: float) -> float:
    pids = bench.server_pids
    cpu0, t0 = sum(map(cpu_seconds, pids)), time.monotonic()
    await asyncio.sleep(window)
    return (sum(map(cpu_seconds, pids)) - cpu0) / (time.monotonic() - t0)


async def tile_rates(walls: Child, window: float) -> tuple[list[float], float]:
    before = await walls.call("counters")
    t0 = time.monotonic()
    await asyncio.sleep(window)
    after = await walls.call("counters")
    elapsed = time.monotonic() - t0
    rates: list[float] = []
    for b, a in zip(before, after, strict=True):
        tiles = [(a["frames"].get(s, 0) - b["frames"].get(s, 0)) / elapsed for s in a["frames"]]
        rates += tiles + [0.0] * (TILES - len(tiles))  # a tile that never got a frame
    packets = sum(a["packets"] - b["packets"] for b, a in zip(before, after, strict=True))
    return rates, packets / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a short run for CI")
    parser.add_argument("--receivers", type=int)
    parser.add_argument("--window", type=float)
    args = parser.parse_args()
    n = args.receivers or (8 if args.small else 240)
    window = args.window or (2.0 if args.small else 8.0)
    print(
        f"{n} receivers of the main stream, {TILES} halls ({LIGHT[0]}x{LIGHT[1]} at {LIGHT[2]} fps), "
        f"{WALLS} walls of {TILES} tiles; window {window:.0f} s"
    )
    bench = Bench("forward", 2)
    walls = Child(wall_receivers.run)
    halls: list[RTCPeerConnection] = []
    try:
        await bench.start()
        halls = await open_halls(bench, TILES)
        await bench.grow(n)
        await asyncio.sleep(1.0)
        alone = await server_cpu(bench, window)
        print(f"without walls: server CPU {alone * 100:.1f} % of a core", flush=True)
        for w in range(WALLS):
            offer = await walls.call("offer", TILES)
            owner = f"staff{w}"
            answer = await bench.server.call(
                "watch", (owner, [f"hall{i}" for i in range(TILES)], offer)
            )
            await walls.call("accept", answer)
        # every tile waits for its hall's next key frame (asked for at once)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            counters = await walls.call("counters")
            if all(len(c["frames"]) >= TILES for c in counters):
                break
            await asyncio.sleep(0.5)
        else:
            print("  warning: not every tile got frames within 20 s")
        await asyncio.sleep(1.0)
        rates_task = asyncio.ensure_future(tile_rates(walls, window))
        with_walls = await server_cpu(bench, window)
        rates, wall_packets = await rates_task
        step = await bench.measure(n, window)
        print(step.line())
        extra = with_walls - alone
        print(f"with {WALLS} walls: server CPU {with_walls * 100:.1f} % of a core")
        print(
            f"walls cost: {extra * 100:+.1f} % of a core for {wall_packets:.0f} wall packets/s "
            f"({extra / wall_packets * 1e6 if wall_packets else 0:.1f} µs per wall packet; "
            f"main stream {step.packets_s:.0f} packets/s at {step.us_per_packet:.1f} µs each)"
        )
        print(
            f"wall tiles: {len(rates)} tiles, fps worst/median {min(rates):.1f}/"
            f"{statistics.median(rates):.1f} of {LIGHT[2]}; main stream worst/median "
            f"{step.worst_fps:.1f}/{step.median_fps:.1f} of {step.source_fps:.1f} fps "
            f"({'ok' if step.holds else 'BELOW 95 %'})"
        )
    finally:
        for pc in halls:
            await pc.close()
        await walls.stop()
        await bench.stop()


if __name__ == "__main__":
    asyncio.run(main())
