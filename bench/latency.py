"""Login, join and push latency on loopback, against a real server process.

The server runs alone in its own process (`run.py serve`, SQLite, production argon2 cost) on a
demo province; clients are python-socketio over websocket. Prints medians and p95.

    python bench/latency.py            # 40 logins, 30 listeners, 50 pushes
    python bench/latency.py --small    # the CI size
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live import free_port  # noqa: E402

PASSWORD = "demo12345"


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def line(name: str, values: list[float]) -> str:
    return f"{name:<34} median {statistics.median(values):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms   (n={len(values)})"


async def main(small: bool) -> None:
    logins, listeners, pushes = (8, 6, 10) if small else (40, 30, 50)
    tmp = Path(tempfile.mkdtemp(prefix="hop-bench-"))
    env = {**os.environ, "DATA_DIR": str(tmp)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "run.py", "demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "run.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    clients: list[socketio.AsyncClient] = []
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)  # waiting for another process to listen
            # People in the demo province: the secretary acts, the others listen.
            names = [
                "thuky1",
                "chutich",
                "daibieu1",
                "daibieu2",
                "huyen1",
                "huyen2",
                "diemcau-tinh",
            ]
            names += [f"diemcau-{i}{j}" for i in (1, 2) for j in (1, 2, 3)]
            login_ms: list[float] = []
            tokens: dict[str, str] = {}
            for i in range(logins):
                name = names[i % len(names)]
                t0 = time.perf_counter()
                r = await http.post("/api/login", json={"username": name, "password": PASSWORD})
                login_ms.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
                tokens[name] = r.json()["token"]
            for name in names:
                if name not in tokens:
                    r = await http.post("/api/login", json={"username": name, "password": PASSWORD})
                    tokens[name] = r.json()["token"]

        async def connect(token: str) -> socketio.AsyncClient:
            c = socketio.AsyncClient(reconnection=False)
            await c.connect(url, auth={"token": token}, transports=["websocket"])
            clients.append(c)
            return c

        secretary = await connect(tokens["thuky1"])
        join_ms: list[float] = []
        arrivals: dict[int, list[float]] = {}
        complete: dict[int, asyncio.Event] = {}
        listener_names = (names[1:] * ((listeners // (len(names) - 1)) + 1))[:listeners]

        def on_push(data: dict) -> None:
            got = arrivals.setdefault(data["seq"], [])
            got.append(time.perf_counter())
            if len(got) == len(listener_names):
                complete.setdefault(data["seq"], asyncio.Event()).set()

        for name in listener_names:
            c = await connect(tokens[name])
            c.on("participants:updated", on_push)
            t0 = time.perf_counter()
            ack = await c.call("meeting:join", {"meeting_id": 1})
            join_ms.append((time.perf_counter() - t0) * 1000)
            assert ack["ok"], ack
        seq = (await secretary.call("meeting:join", {"meeting_id": 1}))["data"]["seq"]
        push_ms: list[float] = []
        ack_ms: list[float] = []
        for i in range(pushes):
            seq += 1  # each attendance change is the meeting's next change
            done = complete.setdefault(seq, asyncio.Event())
            t0 = time.perf_counter()
            ack = await secretary.call(
                "attendance:mark", {"meeting_id": 1, "user_id": 2, "present": i % 2 == 0}
            )
            ack_ms.append((time.perf_counter() - t0) * 1000)
            assert ack["ok"], ack
            await asyncio.wait_for(done.wait(), timeout=10)
            push_ms += [(t - t0) * 1000 for t in arrivals[seq]]
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"server: one process, SQLite, production argon2 cost"
        )
        print(line("login (POST /api/login)", login_ms))
        print(line(f"meeting:join ack ({len(listener_names)} sockets)", join_ms))
        print(line("action ack (attendance:mark)", ack_ms))
        print(line(f"push to {len(listener_names)} listeners (send → recv)", push_ms))
        delivered = len(push_ms) / (pushes * len(listener_names))
        print(f"pushes delivered: {delivered:.0%}")
        if delivered < 1:
            raise SystemExit("some pushes were not delivered")
    finally:
        for c in clients:
            await c.disconnect()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="the CI size")
    asyncio.run(main(ap.parse_args().small))
