"""Benchmark of the media relay: one synthetic 720p30 VP8 (~1.5 Mbit/s) + Opus publisher that
also sends the light layer (320x180 at 15 fps, ~160 kbit/s: /api §4's two layers), N
receivers in separate processes, the server in a process of its own whose CPU is measured alone.
Receivers start on the light layer and climb to the full one (they send no RTCP: healthy); each
size is measured once all of them are on the full layer.

    python bench/relay.py            # full sweep (minutes), for the closing note
    python bench/relay.py --small    # CI: a few sizes, under ~2 minutes
    python bench/relay.py --workers 2   # also the same sweep with peers in 2 media workers

With ``--workers N`` the forwarding sweep runs twice in the same run: every peer in the server
process, then peers spread over N worker processes (rtc_workers=N); server CPU is then the sum
of the main process and its workers, and each process's share is printed.

For each N it prints the server's CPU, the video frames/s delivered to the worst and the median
receiver against the source's, packets/s, the server's memory and its CPU per forwarded packet;
then the largest N keeping >= 95 % of source frames at every receiver, and the CPU per receiver
against aiortc's stock MediaRelay (which re-encodes for every receiver) measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import relay_receivers
import relay_server
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from relay_media import FPS, audio_track, light_track, video_track

from rtc.aiortc_hooks import use_host_addresses

TICKS = os.sysconf("SC_CLK_TCK")
HOLD = 0.95


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime, all threads


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine: other processes compete for its cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Child:
    """A process answering (command, argument) requests over a pipe."""

    def __init__(self, target: Any, *args: Any) -> None:
        self.conn, theirs = mp.Pipe()
        self.process = mp.get_context("spawn").Process(target=target, args=(theirs, *args))
        self.process.start()

    async def call(self, command: str, argument: Any = None) -> Any:
        self.conn.send((command, argument))
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.call("quit"), 20)
        except (TimeoutError, EOFError, OSError):
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()


@dataclass
class Step:
    mode: str
    n: int
    server_cpu: float  # cores
    source_fps: float
    worst_fps: float
    median_fps: float
    packets_s: float
    rss_mb: float
    receivers_cpu: float
    decoded_fps: float
    machine_busy: float  # fraction of all cores
    processes_cpu: list[float]  # the server's processes: main, then its media workers (cores)
    server_drops: float  # frames/s the server's tracks dropped (lagging receivers, key frame waits)

    @property
    def holds(self) -> bool:
        return self.worst_fps >= HOLD * self.source_fps

    @property
    def us_per_packet(self) -> float:
        return self.server_cpu / self.packets_s * 1e6 if self.packets_s else 0.0

    def line(self) -> str:
        split = ""
        if len(self.processes_cpu) > 1:
            main, *workers = (f"{c * 100:.0f}" for c in self.processes_cpu)
            split = f"(main {main} + workers {'/'.join(workers)} %)  "
        return (
            f"{self.mode:8} N={self.n:4}  server CPU {self.server_cpu * 100:6.1f} %  {split}"
            f"fps worst/median {self.worst_fps:5.1f}/{self.median_fps:5.1f} of {self.source_fps:4.1f}  "
            f"{self.packets_s:8.0f} pkt/s  {self.us_per_packet:5.1f} µs/pkt  "
            f"RSS {self.rss_mb:6.1f} MB  receivers CPU {self.receivers_cpu * 100:5.1f} %  "
            f"sample decoded {self.decoded_fps:4.1f} fps  server drops {self.server_drops:5.0f}/s  "
            f"machine busy {self.machine_busy * 100:3.0f} %  "
            f"{'ok' if self.holds else 'BELOW 95 %'}"
        )


class Bench:
    def __init__(self, mode: str, receiver_procs: int, workers: int = 0) -> None:
        self.mode = f"fwd-{workers}w" if workers else mode
        self.server = Child(relay_server.serve, mode, workers)
        self.server_pids: list[int] = []
        self.receivers = [Child(relay_receivers.run) for _ in range(receiver_procs)]
        self.per_proc = [0] * receiver_procs
        self.climb_s = 0.0
        self.publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video, self.audio, self.light = video_track(), audio_track(), light_track()
        self.two_layers = mode == "forward"  # the stock relay takes one video track

    async def start(self) -> None:
        self.server_pids = await self.server.call("pids")
        self.publisher.addTransceiver(self.video, direction="sendonly")
        self.publisher.addTransceiver(self.audio, direction="sendonly")
        if self.two_layers:  # the second video m-line: the light layer
            self.publisher.addTransceiver(self.light, direction="sendonly")
        use_host_addresses(self.publisher, ["127.0.0.1"])
        await self.publisher.setLocalDescription(await self.publisher.createOffer())
        (answer,) = await self.server.call(
            "join", [(relay_server.PUBLISHER, self.publisher.localDescription.sdp)]
        )
        await self.publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    async def grow(self, n: int, batch: int = 16) -> None:
        while sum(self.per_proc) < n:
            i = self.per_proc.index(min(self.per_proc))
            count = min(batch, n - sum(self.per_proc))
            child = self.receivers[i]
            offers = await child.call("offer", (count, i == 0 and self.per_proc[0] == 0))
            base = sum(self.per_proc)
            users = [(f"r{base + k}", offer) for k, offer in enumerate(offers)]
            await child.call("accept", await self.server.call("join", users))
            self.per_proc[i] += count
        deadline = time.monotonic() + 30 + n / 4
        while time.monotonic() < deadline:
            counts = await self.receiver_counts()
            if len(counts) == n and all(c["video_frames"] > 0 for c in counts):
                break
            await asyncio.sleep(0.5)
        else:
            print(f"  warning: not every receiver got video within the deadline at N={n}")
        # everyone starts on the light layer and climbs (hold + probe, ~10 s): measure on full
        started = time.monotonic()
        while time.monotonic() < deadline + 30:
            if (await self.server.call("counters"))["on_full"] >= n:
                self.climb_s = time.monotonic() - started
                return
            await asyncio.sleep(0.5)
        print(f"  warning: not every receiver reached the full layer at N={n}")

    async def receiver_counts(self) -> list[dict[str, Any]]:
        counts: list[dict[str, Any]] = []
        for child in self.receivers:
            counts += await child.call("counters")
        return counts

    async def measure(self, n: int, window: float) -> Step:
        pids = self.server_pids
        rpids = [c.process.pid for c in self.receivers]
        await asyncio.sleep(1.0)  # settle after the joins
        cpu0, rcpu0, t0 = [*map(cpu_seconds, pids)], sum(map(cpu_seconds, rpids)), time.monotonic()
        busy0, total0 = machine_busy()
        sent0, before = self.video.frames_sent, await self.receiver_counts()
        dropped0 = (await self.server.call("counters"))["dropped"]
        await asyncio.sleep(window)
        after = await self.receiver_counts()
        dropped1 = (await self.server.call("counters"))["dropped"]
        cpu1, rcpu1, t1 = [*map(cpu_seconds, pids)], sum(map(cpu_seconds, rpids)), time.monotonic()
        busy1, total1 = machine_busy()
        elapsed = t1 - t0
        fps = [
            (a["video_frames"] - b["video_frames"]) / elapsed
            for a, b in zip(after, before, strict=True)
        ]
        packets = sum(
            a["video_packets"] + a["audio_packets"] - b["video_packets"] - b["audio_packets"]
            for a, b in zip(after, before, strict=True)
        )
        decoded = (after[0]["decoded"] - before[0]["decoded"]) / elapsed
        processes = [(b - a) / elapsed for a, b in zip(cpu0, cpu1, strict=True)]
        return Step(
            mode=self.mode,
            n=n,
            server_cpu=sum(processes),
            source_fps=(self.video.frames_sent - sent0) / elapsed,
            worst_fps=min(fps),
            median_fps=statistics.median(fps),
            packets_s=packets / elapsed,
            receivers_cpu=(rcpu1 - rcpu0) / elapsed,
            decoded_fps=decoded,
            machine_busy=(busy1 - busy0) / max(total1 - total0, 1),
            processes_cpu=processes,
            server_drops=(dropped1 - dropped0) / elapsed,
            rss_mb=sum(map(rss_mb, pids)),
        )

    async def stop(self) -> None:
        await self.publisher.close()
        for child in [*self.receivers, self.server]:
            await child.stop()


async def sweep(
    mode: str, sizes: list[int], window: float, procs: int, workers: int = 0
) -> list[Step]:
    bench = Bench(mode, procs, workers)
    steps: list[Step] = []
    try:
        await bench.start()
        for n in sizes:
            await bench.grow(n)
            step = await bench.measure(n, window)
            print(step.line(), flush=True)
            steps.append(step)
            if not step.holds:
                break
    finally:
        await bench.stop()
    return steps


def summary(steps: list[Step]) -> Step | None:
    """Prints one forwarding sweep's figures; returns its largest N that held."""
    held = [s for s in steps if s.holds]
    best = max(held, key=lambda s: s.n) if held else None
    failed = [s for s in steps if not s.holds]
    if failed and failed[0].machine_busy > 0.9 and max(failed[0].processes_cpu) < 0.9:
        print(
            f"note ({failed[0].mode}): at N={failed[0].n} the machine was "
            f"{failed[0].machine_busy * 100:.0f} % busy while no server process used more than "
            f"{max(failed[0].processes_cpu) * 100:.0f} % of a core: the limit was the machine "
            "(receivers, other processes), not the relay"
        )
    if best is None:
        print(f"{steps[0].mode if steps else 'forwarding'}: no N kept >= 95 % of source frames")
        return None
    per_rx = best.server_cpu / best.n
    print(
        f"{best.mode}: largest N keeping >= 95 % of source frames at every receiver: {best.n} "
        f"(server {best.server_cpu * 100:.0f} % of a core in all, {best.us_per_packet:.1f} "
        f"µs/packet all in, {per_rx * 100:.2f} % of a core per receiver)"
    )
    first, last = held[0], best
    if last.packets_s > first.packets_s:
        marginal = (last.server_cpu - first.server_cpu) / (last.packets_s - first.packets_s)
        print(
            f"  marginal cost between N={first.n} and N={last.n}: {marginal * 1e6:.1f} µs of "
            f"server CPU per forwarded packet (video+audio), {1 / marginal:.0f} packets/s per core"
        )
    return best


def report(sweeps: list[list[Step]], stock: list[Step]) -> None:
    print()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    bests = [summary(steps) for steps in sweeps]
    if len(sweeps) > 1:
        # the same sizes, side by side: what the workers cost and what they spread
        by_n = [{s.n: s for s in steps} for steps in sweeps]
        for n in sorted(set.intersection(*(set(d) for d in by_n))):
            print(
                f"  N={n:4}: "
                + "  vs  ".join(
                    f"{d[n].mode} {d[n].server_cpu * 100:.0f} % "
                    f"(busiest process {max(d[n].processes_cpu) * 100:.0f} %), "
                    f"{d[n].us_per_packet:.1f} µs/pkt, worst {d[n].worst_fps:.1f} fps"
                    for d in by_n
                )
            )
    best = bests[0]
    stock_held = [s for s in stock if s.holds] or stock
    if best is not None and stock_held:
        per_rx = best.server_cpu / best.n
        ref = max(stock_held, key=lambda s: s.n)
        stock_rx = ref.server_cpu / ref.n
        print(
            f"stock MediaRelay at N={ref.n}: {ref.server_cpu * 100:.0f} % CPU, "
            f"{stock_rx * 100:.1f} % of a core per receiver"
            f"{'' if ref.holds else ' (already below 95 %)'}"
        )
        print(
            f"ratio: forwarding ({best.mode}) costs {stock_rx / per_rx:.0f}x less CPU per receiver"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a short run for CI")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--stock-sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--window", type=float)
    parser.add_argument("--procs", type=int, default=2, help="receiver processes")
    parser.add_argument(
        "--workers", type=int, default=0, help="also run the sweep with N media worker processes"
    )
    args = parser.parse_args()
    sizes = args.sizes or ([1, 8] if args.small else [1, 8, 32, 64, 128, 192, 240, 320])
    stock_sizes = args.stock_sizes or ([1] if args.small else [1, 2, 3])
    window = args.window or (2.0 if args.small else 8.0)
    print(f"source: VP8 1280x720 at {FPS} fps ~1.5 Mbit/s + Opus 20 ms; window {window:.0f} s")
    sweeps = [await sweep("forward", sizes, window, args.procs)]
    if args.workers:
        sweeps.append(await sweep("forward", sizes, window, args.procs, args.workers))
    stock = await sweep("stock", stock_sizes, window, 1) if stock_sizes != [0] else []
    report(sweeps, stock)


if __name__ == "__main__":
    asyncio.run(main())
