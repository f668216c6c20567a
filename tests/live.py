"""A real server on a free loopback port, and real clients to talk to it.

The server runs in the test's event loop (uvicorn.Server), so a test can inject a ManualClock
and reach the server object; everything else goes over HTTP and Socket.IO like any client.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import socketio
import uvicorn

from meeting.clock import Clock
from meeting.config import Settings
from meeting.models import User
from meeting.server import Server
from meeting.users import NewUser, create_user

_ids = itertools.count(1)
RUN_TAG = f"{os.getpid()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One data directory (and SQLite file) for the whole test run, as one PostgreSQL database is
# when TEST_DATABASE_URL is set: every test server and the test's own direct queries then see
# the same database. A test that needs a database of its own passes `data_dir`.
SESSION_DIR = Path(tempfile.mkdtemp(prefix="hop-test-"))


def make_settings(data_dir: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a test server: the configured test database and Redis (CI sets them), else
    an SQLite file; argon2 at its cheapest (a setting, never lowered in production)."""
    data_dir = data_dir or SESSION_DIR
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": os.environ.get("TEST_DATABASE_URL", "")
        or f"sqlite://{data_dir / 'test.sqlite3'}",
        "redis_url": os.environ.get("TEST_REDIS_URL", ""),
        # One channel per test run, so parallel runs on one Redis never see each other's pushes.
        "redis_channel": f"hop-test-{RUN_TAG}",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "public_url": "http://127.0.0.1",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Person:
    user: User
    token: str

    @property
    def id(self) -> int:
        return self.user.id


class Live:
    """A running server and the means to make people and clients for it."""

    def __init__(self, server: Server, url: str) -> None:
        self.server = server
        self.url = url
        self.clients: list[Client] = []

    def http(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30)

    async def person(
        self, label: str = "u", *, password: str = "matkhau123", **flags: Any
    ) -> Person:
        """A new user with a unique username; flags as meeting.users.NewUser takes them
        (admin, organizer, point, unit_id, full_name, email...)."""
        full_name = flags.pop("full_name", f"Người {label} {next(_ids)}")
        username = f"{label}{next(_ids)}_{RUN_TAG}"
        with self.db():
            new = NewUser(username, full_name, **flags)
            user = await create_user(self.server.identity.passwords, new, password)
            token = await self.server.identity.issue_token(user)
        return Person(user, token)

    def db(self) -> contextlib.AbstractContextManager[Any]:
        """`with live.db():` — query this server's database directly (checks on stored rows)."""
        assert self.server.db_context is not None, "server not started"
        return self.server.db_context

    async def client(self, who: Person | str, **kw: Any) -> Client:
        token = who if isinstance(who, str) else who.token
        c = Client(self.url, token)
        await c.connect(**kw)
        self.clients.append(c)
        return c

    async def close_clients(self) -> None:
        for c in self.clients:
            await c.close()
        self.clients.clear()


class Client:
    """A python-socketio client that records every push it receives."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.pushes: list[tuple[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._cursor = 0
        self.sio.on("*", self._on_push)

    async def _on_push(self, event: str, data: Any = None) -> None:
        async with self._arrived:
            self.pushes.append((event, data))
            self._arrived.notify_all()

    async def connect(self, transports: list[str] | None = None) -> None:
        await self.sio.connect(
            self.url,
            auth={"token": self.token},
            transports=transports or ["websocket"],
            wait_timeout=10,
        )

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    async def call(self, event: str, data: Any = None, timeout: float = 15) -> dict[str, Any]:
        if data is None:
            data = {}
        return await self.sio.call(event, data, timeout=timeout)

    async def ok(self, event: str, data: Any = None) -> Any:
        ack = await self.call(event, data)
        assert ack.get("ok") is True, f"{event} {data} -> {ack}"
        return ack["data"]

    async def error(self, event: str, data: Any, code: str) -> dict[str, Any]:
        ack = await self.call(event, data)
        assert ack.get("ok") is False and ack["error"]["code"] == code, f"{event} {data} -> {ack}"
        return ack["error"]

    def mark(self) -> None:
        """Forget pushes received so far: `push` then only looks at later ones."""
        self._cursor = len(self.pushes)

    async def push(
        self, event: str, where: Callable[[Any], bool] = lambda d: True, timeout: float = 10
    ) -> Any:
        """Wait for the next push `event` (after the cursor) matching `where`; consume it."""

        def find() -> Any:
            for i in range(self._cursor, len(self.pushes)):
                ev, data = self.pushes[i]
                if ev == event and where(data):
                    self._cursor = i + 1
                    return (data,)
            return None

        async with asyncio.timeout(timeout):
            async with self._arrived:
                found = find()
                while found is None:
                    await self._arrived.wait()
                    found = find()
        return found[0]

    def seen(self, event: str) -> list[Any]:
        return [d for ev, d in self.pushes if ev == event]


class _InProcessServer(uvicorn.Server):
    """uvicorn, minus its SIGINT/SIGTERM handlers: inside the test process they would swallow
    the signal that stops a hung test run."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def running(
    settings: Settings | None = None,
    clock: Clock | None = None,
    build: Callable[..., Server] | None = None,
) -> AsyncIterator[Live]:
    """Start the real ASGI app under uvicorn on a free loopback port; stop it after."""
    if build is None:
        from run import build_server as build
    server = build(settings or make_settings(), clock=clock)
    port = free_port()
    config = uvicorn.Config(
        server.asgi,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws="websockets-sansio",
    )
    uv = _InProcessServer(config)
    task = asyncio.create_task(uv.serve())
    while not uv.started:
        if task.done():
            task.result()  # raises the start-up error
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.02)  # uvicorn offers a flag, not an event, for "listening"
    live = Live(server, f"http://127.0.0.1:{port}")
    try:
        yield live
    finally:
        await live.close_clients()
        uv.should_exit = True
        await task


async def meeting_with(
    live: Live,
    *,
    publish: bool = True,
    start: bool = False,
    delegates: int = 1,
    points: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    """A meeting made through the real actions: a secretary (organizer) creates it with a chair,
    invites delegates and points, and publishes/starts it. Returns people, clients and ids."""
    from datetime import UTC, datetime, timedelta

    secretary = await live.person("thuky", organizer=True)
    chair = await live.person("chutich")
    dels = [await live.person("daibieu") for _ in range(delegates)]
    pts = [await live.person("diemcau", point=True) for _ in range(points)]
    sec_c = await live.client(secretary)
    starts = datetime.now(UTC) + timedelta(days=1)
    m = await sec_c.ok(
        "meeting:create",
        {
            "title": fields.pop("title", "Họp thường kỳ"),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "chair_id": chair.id,
            **fields,
        },
    )
    if dels:
        await sec_c.ok(
            "participant:add",
            {"meeting_id": m["id"], "role": "delegate", "user_ids": [d.id for d in dels]},
        )
    if pts:
        await sec_c.ok(
            "participant:add",
            {"meeting_id": m["id"], "role": "point", "user_ids": [p.id for p in pts]},
        )
    if publish or start:
        await sec_c.ok("meeting:publish", {"meeting_id": m["id"]})
    if start:
        await sec_c.ok("meeting:start", {"meeting_id": m["id"]})
    return {
        "meeting_id": m["id"],
        "secretary": secretary,
        "chair": chair,
        "delegates": dels,
        "points": pts,
        "secretary_client": sec_c,
    }
