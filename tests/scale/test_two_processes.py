"""Two server processes on one PostgreSQL and one Redis: an action on one reaches a client
connected to the other, and `seq` (kept in the database) stays one sequence across both."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.live import RUN_TAG, Client, free_port

ROOT = Path(__file__).resolve().parents[2]
DB = os.environ.get("TEST_DATABASE_URL", "")
REDIS = os.environ.get("TEST_REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not (DB.startswith("postgres") and REDIS),
    reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL; .ci/run sets both",
)


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB,
        "REDIS_URL": REDIS,
        "REDIS_CHANNEL": f"hop-two-{RUN_TAG}",
        "DATA_DIR": str(tmp),
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "64",
    }


def _start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "run.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def _healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{log.read_text()}")
            try:
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # polling a process we do not control: no event to await
    raise RuntimeError(f"server did not become healthy:\n{log.read_text()}")


@pytest.fixture
async def two_servers(tmp_path: Path) -> AsyncIterator[tuple[str, str, Path]]:
    """Both processes start at once: the migration lock lets one migrate while the other waits."""
    env = _env(tmp_path)
    ports = free_port(), free_port()
    logs = tmp_path / "a.log", tmp_path / "b.log"
    procs = [_start(p, env, log) for p, log in zip(ports, logs, strict=True)]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url, proc, log in zip(urls, procs, logs, strict=True):
            await _healthy(url, proc, log)
        yield urls[0], urls[1], tmp_path
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)


@pytest.fixture
async def clients_ab() -> AsyncIterator[list[Client]]:
    made: list[Client] = []
    yield made
    for c in made:
        await c.close()


async def test_action_on_one_process_reaches_a_client_on_the_other(
    two_servers: tuple[str, str, Path], clients_ab: list[Client]
) -> None:
    url_a, url_b, tmp = two_servers
    admin = f"admin{RUN_TAG}x{int(time.time() * 1000)}"
    subprocess.run(
        [
            sys.executable,
            "run.py",
            "user",
            "add",
            admin,
            "--name",
            "Quản trị",
            "--admin",
            "--organizer",
        ],
        cwd=ROOT,
        env=_env(tmp),
        input=b"matkhau-quantri\n",
        check=True,
        capture_output=True,
    )
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{url_a}/api/login", json={"username": admin, "password": "matkhau-quantri"}
        )
        assert r.status_code == 200, r.text
        admin_token = r.json()["token"]
    a = Client(url_a, admin_token)
    await a.connect()
    clients_ab.append(a)
    delegate = await a.ok(
        "user:create",
        {"username": f"{admin}-d", "password": "matkhau-daibieu", "full_name": "Đại biểu Hai"},
    )
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{url_b}/api/login", json={"username": f"{admin}-d", "password": "matkhau-daibieu"}
        )
        delegate_token = r.json()["token"]
    b = Client(url_b, delegate_token)  # the delegate is connected to the OTHER process
    await b.connect()
    clients_ab.append(b)

    starts = datetime.now(UTC) + timedelta(days=1)
    m = await a.ok(
        "meeting:create",
        {
            "title": "Họp hai máy chủ",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "chair_id": delegate["id"],
        },
    )
    # The delegate is the chair here, so the draft is visible to them on process B.
    await a.ok("meeting:publish", {"meeting_id": m["id"]})
    note = await b.push("notification", lambda n: n["meeting_id"] == m["id"])
    assert note["kind"] == "invitation"

    snap = await b.ok("meeting:join", {"meeting_id": m["id"]})
    sent = time.perf_counter()
    await a.ok(
        "attendance:mark", {"meeting_id": m["id"], "user_id": delegate["id"], "present": True}
    )
    push = await b.push("participants:updated", lambda d: d["meeting_id"] == m["id"])
    latency_ms = (time.perf_counter() - sent) * 1000
    print(f"cross-process push latency: {latency_ms:.1f} ms")
    assert push["seq"] == snap["seq"] + 1
    assert push["summary"]["present"] == 1
    seat = next(p for p in push["participants"] if p["user_id"] == delegate["id"])
    assert seat["present"] is True

    # A change made through process B continues the same sequence, seen on process A.
    await a.ok("meeting:join", {"meeting_id": m["id"]})
    a.mark()
    await b.ok("meeting:update", {"meeting_id": m["id"], "location": "Phòng họp số 2"})
    upd = await a.push("meeting:updated", lambda d: d["meeting_id"] == m["id"])
    assert upd["seq"] == push["seq"] + 1 and upd["location"] == "Phòng họp số 2"

    # Removed on process A, the delegate's socket on process B stops getting the meeting's
    # pushes, and so does a session logged out on A.
    observer = await a.ok(
        "user:create",
        {"username": f"{admin}-o", "password": "matkhau-quansat", "full_name": "Quan sát viên"},
    )
    await a.ok(
        "participant:add", {"meeting_id": m["id"], "role": "observer", "user_ids": [observer["id"]]}
    )
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{url_b}/api/login", json={"username": f"{admin}-o", "password": "matkhau-quansat"}
        )
        observer_token = r.json()["token"]
    o = Client(url_b, observer_token)
    await o.connect()
    clients_ab.append(o)
    await o.ok("meeting:join", {"meeting_id": m["id"]})
    # The delegate chairs this meeting: hand the chair to the admin, then remove the delegate.
    me = await a.ok("user:me", {})
    await a.ok("meeting:update", {"meeting_id": m["id"], "chair_id": me["id"]})
    b.mark()
    await a.ok("participant:remove", {"meeting_id": m["id"], "user_id": delegate["id"]})
    # The removed delegate is told, personally (through Redis: it may land after the ack);
    # from then on nothing about the meeting reaches their socket.
    await b.push("notification", lambda d: d.get("kind") == "uninvited")
    b.mark()
    await a.ok("meeting:update", {"meeting_id": m["id"], "location": "Phòng họp số 3"})
    await o.push("meeting:updated", lambda d: d["location"] == "Phòng họp số 3")
    await b.ok("user:me", {})  # an ack after that push: anything sent to b before it is in
    assert [
        e
        for e, d in b.pushes[b._cursor :]
        if isinstance(d, dict) and d.get("meeting_id") == m["id"]
    ] == []

    dropped = asyncio.Event()
    o.sio.on("disconnect", lambda *args: dropped.set())
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{url_a}/api/logout", headers={"Authorization": f"Bearer {observer_token}"}
        )
        assert r.status_code == 200
    await asyncio.wait_for(dropped.wait(), timeout=10)
