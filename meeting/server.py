"""The composed server: settings, clock, identity, Socket.IO, the hub, and what its features
declare (actions, snapshot parts, signal handlers, routes, services, demo steps, per-server
state). run.py builds one with the features it names: `Server(settings, features=[...])`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any, TypeVar

import socketio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from tortoise import Tortoise
from tortoise.context import TortoiseContext, _current_context
from tortoise.exceptions import ConfigurationError

from meeting import realtime
from meeting.clock import Clock
from meeting.coalesce import Coalescer
from meeting.config import Settings
from meeting.db import CORE_APPS, Apps, migrate_database, secure_data_dir, tortoise_config
from meeting.demo import seed_if_empty
from meeting.errors import ActionError
from meeting.fanout import Fanout
from meeting.feature import Composition, Feature
from meeting.http import SameOrigin, action_error_handler
from meeting.hub import Hub
from meeting.identity import Identity
from meeting.jsonable import WireJson, set_zone
from meeting.notify import Notifier
from meeting.outbox import OutboxServer
from meeting.signals import Signal

log = logging.getLogger("hop.server")

T = TypeVar("T")


class Server:
    def __init__(
        self,
        settings: Settings,
        *,
        apps: Apps = CORE_APPS,
        features: Sequence[Feature] = (),
        clock: Clock | None = None,
    ) -> None:
        from meeting import core  # the core's own feature, and its pages

        self.settings = settings
        self.clock = clock or Clock()
        set_zone(settings.province_timezone)
        self.db_config = tortoise_config(settings.db_url, apps)
        self.identity = Identity(settings, self.clock)
        manager = None
        if settings.redis_url:
            # Every push goes through Redis, so sockets on any process receive it.
            manager = socketio.AsyncRedisManager(settings.redis_url, channel=settings.redis_channel)
        self.sio = OutboxServer(
            async_mode="asgi",
            client_manager=manager,
            transports=["polling", "websocket"],
            max_http_buffer_size=2_000_000,
            json=WireJson,
        )
        self.hub = Hub(self)
        self.notifier = Notifier(self)
        self.fanout = Fanout(self)
        self.coalescer = Coalescer(self)
        self.fanout_ready = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.ready = asyncio.Event()
        realtime.install(self)  # the Socket.IO transport: connect, disconnect, every event
        self.composition = Composition([core.CORE, *features])
        self._state: dict[type[Any], Any] = {
            cls: cls(self) for cls in self.composition.state_classes()
        }
        # Mounted last: the catch-all static/page routes must not shadow the API.
        routes = [*self.composition.routes, *core.page_routes()]
        self.starlette = Starlette(
            routes=routes,
            lifespan=self._lifespan,
            exception_handlers={ActionError: action_error_handler},
            middleware=[Middleware(SameOrigin, public_url=settings.public_url)],
        )
        self.starlette.state.server = self
        self.db_context: TortoiseContext | None = None
        self._app = socketio.ASGIApp(self.sio, other_asgi_app=self.starlette)

    @property
    def asgi(self) -> Server:
        return self

    def state(self, kind: type[T]) -> T:
        """This server's instance of a feature's per-server state class."""
        return self._state[kind]  # type: ignore[no-any-return]

    def extensions(self, kind: type[T]) -> list[T]:
        """What the features offer for another's extension point, e.g. MailAttachment."""
        return self.composition.extensions_of(kind)

    async def fire(self, signal: Signal) -> None:
        """Announce something that happened outside an action (a socket went away)."""
        await self.hub.fire(signal)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """The ASGI entry point. Every HTTP and WebSocket call runs in this server's database
        context, and so do the Socket.IO handler tasks started from it: two servers in one
        process (tests) each keep their own database."""
        if self.db_context is not None:
            # Set, never reset: uvicorn runs each call in a task of its own, whose context ends
            # with it. (TortoiseContext's own `with` keeps ONE token per context object, which
            # concurrent calls would overwrite.)
            _current_context.set(self.db_context)
        await self._app(scope, receive, send)

    async def emit(self, event: str, data: Any, room: str) -> None:
        await self.sio.emit(event, data, room=room)

    def spawn(self, coro: Awaitable[Any], name: str = "") -> asyncio.Task[Any]:
        """Start a task the server holds (and cancels on shutdown); its failure is logged."""
        task = asyncio.ensure_future(coro)
        task.set_name(name or repr(coro))
        self._tasks.add(task)

        def _done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("task %s failed", t.get_name(), exc_info=t.exception())

        task.add_done_callback(_done)
        return task

    async def _stop_pubsub(self) -> None:
        """Stop python-socketio's Redis listener before closing its client: closed first, the
        listener reconnects with a new client and outlives the server."""
        manager = self.sio.manager
        listener = getattr(manager, "thread", None) if self.sio.manager_initialized else None
        if isinstance(listener, asyncio.Task) and not listener.done():
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        client = getattr(manager, "redis", None)
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        secure_data_dir(self.settings.data_dir)
        await migrate_database(self.db_config)
        # The first server in a process also serves as Tortoise's global fallback (command-line
        # tools and tests reach the models through it); requests always use db_context.
        try:
            ctx = await Tortoise.init(config=self.db_config, _enable_global_fallback=True)
        except ConfigurationError:  # another server in this process holds the fallback
            ctx = await Tortoise.init(config=self.db_config, _enable_global_fallback=False)
        self.db_context = ctx
        try:
            # Background services inherit this server's database through their task's context.
            outer = _current_context.set(ctx)
            try:
                if self.settings.demo_enabled:  # an empty embedded database starts as a demo
                    await seed_if_empty(self.identity, self.composition.demo)
                for service in self.composition.services:
                    self.spawn(service(self), name=service.__name__)
            finally:
                _current_context.reset(outer)
            if self.settings.redis_url:
                # Serve only once control messages from other processes are heard.
                await asyncio.wait_for(self.fanout_ready.wait(), timeout=10)
            self.ready.set()
            yield
        finally:
            tasks = list(self._tasks)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._stop_pubsub()
            self.db_context = None
            await ctx.close_connections()
