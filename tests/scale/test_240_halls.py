"""Province scale (/api §3.4) with 240 connection points on one real server: they all
join at once, one hall's bytes through that storm stay within budget, every floor change
reaches every hall, and a login storm (argon2 at production cost) leaves another user's acks
fast. Figures of record come from bench/fanout.py; these bounds are what a user would notice."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from argon2 import PasswordHasher

from meeting.config import Settings
from meeting.models import User
from tests.live import RUN_TAG, Client, Live, make_settings, running

HALLS = 240
PASSWORD = "matkhau-diemcau"
STORM_BUDGET = 250_000  # bytes of JSON one hall may receive through the join storm


class Hall(Client):
    """A hall that counts the bytes of what it receives, as the server encodes it."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(url, token)
        self.received = 0
        self.floor: dict[int, asyncio.Event] = {}

    async def _on_push(self, event: str, data: Any = None) -> None:
        self.received += (
            len(json.dumps([event, data], ensure_ascii=False, separators=(",", ":")).encode()) + 2
        )
        if event == "floor:state":
            self.floor.setdefault(data["seq"], asyncio.Event()).set()

    async def call(self, event: str, data: Any = None, timeout: float = 60) -> dict[str, Any]:
        ack = await super().call(event, data, timeout)
        self.received += (
            len(json.dumps([ack], ensure_ascii=False, separators=(",", ":")).encode()) + 3
        )
        return ack


@pytest.fixture(scope="module")
async def province(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Live, list[str]]]:
    """A server whose passwords cost what they cost in production, and 240 points."""
    production = Settings(_env_file=None)  # type: ignore[call-arg]
    settings = make_settings(
        tmp_path_factory.mktemp("province"),
        argon2_time_cost=production.argon2_time_cost,
        argon2_memory_kib=production.argon2_memory_kib,
    )
    async with running(settings) as live:
        pw = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        digest = pw.hash(PASSWORD)
        names = [f"xa{i:03d}_{RUN_TAG}" for i in range(HALLS)]
        with live.db():
            await User.bulk_create(
                [
                    User(
                        username=n,
                        full_name=f"Điểm cầu xã Phước Hòa {n[2:5]}",
                        password_hash=digest,
                        is_point=True,
                    )
                    for n in names
                ]
            )
        yield live, names


async def test_240_halls_join_at_once_and_follow_the_floor(
    province: tuple[Live, list[str]],
) -> None:
    live, names = province
    sec = await live.person("thuky", organizer=True)
    chair = await live.person("chutich")
    speaker = await live.person("daibieu")
    sc, cc, dc = [await live.client(p) for p in (sec, chair, speaker)]
    with live.db():
        users = await User.filter(username__in=names).order_by("username")
        tokens = [await live.server.identity.issue_token(u) for u in users]
    starts = datetime.now(UTC) + timedelta(minutes=5)
    m = await sc.ok(
        "meeting:create",
        {
            "title": "Hội nghị trực tuyến toàn tỉnh",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "chair_id": chair.id,
        },
    )
    mid = m["id"]
    await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "point", "user_ids": [u.id for u in users]}
    )
    await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "delegate", "user_ids": [speaker.id]}
    )
    await sc.ok("meeting:publish", {"meeting_id": mid})
    await sc.ok("meeting:start", {"meeting_id": mid})

    halls = [Hall(live.url, t) for t in tokens]
    await asyncio.gather(*(h.connect() for h in halls))
    live.clients.extend(halls)
    for h in halls:
        h.received = 0  # from here: the storm, its snapshot included

    t0 = time.perf_counter()
    acks = await asyncio.gather(*(h.call("meeting:join", {"meeting_id": mid}) for h in halls))
    storm_s = time.perf_counter() - t0
    assert all(a["ok"] for a in acks)
    fresh = await sc.ok("meeting:get", {"meeting_id": mid})
    assert fresh["summary"]["present"] == HALLS  # every hall checked in
    worst = max(h.received for h in halls)
    print(f"join storm: {storm_s:.2f} s; the most one hall received: {worst / 1000:.1f} KB")
    assert worst <= STORM_BUDGET, f"a hall received {worst} bytes through the storm"

    # Every floor change reaches every hall.
    await cc.ok("meeting:join", {"meeting_id": mid})
    for _ in range(3):
        req = await dc.ok("floor:request", {"meeting_id": mid, "topic": "Ý kiến"})
        seq = (await sc.ok("meeting:get", {"meeting_id": mid}))["seq"] + 1
        t0 = time.perf_counter()
        await cc.ok("floor:grant", {"request_id": req["request_id"]})
        waits = [h.floor.setdefault(seq, asyncio.Event()).wait() for h in halls]
        async with asyncio.timeout(10):
            await asyncio.gather(*waits)
        print(f"floor change to {HALLS} halls: {(time.perf_counter() - t0) * 1000:.0f} ms")
        await cc.ok("floor:end", {"meeting_id": mid})


async def test_a_login_storm_leaves_other_users_acks_fast(province: tuple[Live, list[str]]) -> None:
    """60 halls sign in at once (argon2 at production cost); another user's acks meanwhile stay
    fast — on the event loop, argon2 froze them for seconds."""
    live, names = province
    other = await live.client(await live.person("daibieu"))
    acks: list[float] = []
    storming = True

    async def ping() -> None:
        while storming:
            t0 = time.perf_counter()
            await other.ok("user:me", {})
            acks.append(time.perf_counter() - t0)
            await asyncio.sleep(0.06)  # under the per-connection rate limit (20/s)

    pinger = asyncio.create_task(ping())
    async with live.http() as http:
        t0 = time.perf_counter()
        answers = await asyncio.gather(
            *(
                http.post("/api/login", json={"username": n, "password": PASSWORD})
                for n in names[:60]
            )
        )
        storm_s = time.perf_counter() - t0
    storming = False
    await pinger
    assert all(r.status_code == 200 for r in answers)
    acks.sort()
    p99 = acks[min(len(acks) - 1, int(0.99 * len(acks)))]
    print(
        f"60 logins in {storm_s:.1f} s; user:me p50 {acks[len(acks) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    assert len(acks) >= 10
    assert p99 < 1.0, f"acks froze during the login storm: p99 {p99:.2f} s"


async def test_websockets_are_compressed(province: tuple[Live, list[str]]) -> None:
    """permessage-deflate is negotiated with a client that offers it (browsers do)."""
    live, _ = province
    async with aiohttp.ClientSession() as session:
        url = live.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        async with session.ws_connect(url, compress=15) as ws:
            assert ws.compress > 0  # the window the server chose (websockets: 2**12)
            assert "permessage-deflate" in ws._response.headers.get("Sec-WebSocket-Extensions", "")
