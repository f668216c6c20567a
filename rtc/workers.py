"""The media worker processes, seen from the main process (``rtc_workers`` > 0).

One process per core owns peer connections; the main process keeps signaling and every
meeting's state (rtc/worker_room.py) and talks to the workers over one control socket each
(rtc/ipc.py). Frames never pass through here: workers send them to each other (rtc/links.py).

A worker that dies is logged; the rooms drop the halls it held (their clients see the failure
and rejoin), and a fresh worker takes its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing as mp
import shutil
import socket
import tempfile
import time
from typing import Any, Protocol

from . import ipc, worker
from .config import RtcSettings
from .errors import InvalidOffer

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0  # a spawned worker imports aiortc and av before it is ready
CALL_TIMEOUT_S = 30.0
RESTART_DELAY_S = 1.0


class WorkerGone(RuntimeError):
    """The worker died (or was stopped) before it answered."""


class Listener(Protocol):
    """What a room must handle: its peers' events, and the loss of a worker."""

    def peer_event(self, session: int, event: str, value: Any) -> None: ...

    def worker_gone(self, index: int) -> None: ...


class WorkerProcess:
    def __init__(self, index: int, process: Any, reader: Any, writer: Any) -> None:
        self.index = index
        self.process = process
        self.reader: asyncio.StreamReader = reader
        self.writer: asyncio.StreamWriter = writer
        self.ready = asyncio.Event()
        self.alive = True
        self.started = time.monotonic()
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.reading: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid


class WorkerPool:
    def __init__(self, count: int, settings: RtcSettings) -> None:
        if count < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.count = count
        self.settings = settings
        self.workers: dict[int, WorkerProcess] = {}
        self.sessions: dict[int, tuple[int, int]] = {}  # session -> (room number, worker)
        self._rooms: dict[int, Listener] = {}
        self._ids = itertools.count(1)
        self._dir = ""
        self._stopping = False
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- life ----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="rtc-")  # the workers' link sockets
        for index in range(self.count):
            await self._spawn(index)
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                for w in list(self.workers.values()):
                    await w.ready.wait()
        except TimeoutError:
            await self.stop()
            raise RuntimeError("rtc workers did not start") from None
        log.info("rtc: %d media workers, pids %s", self.count, self.pids())

    async def stop(self) -> None:
        self._stopping = True
        for task in list(self._tasks):
            task.cancel()
        for w in list(self.workers.values()):
            if w.alive:
                with contextlib.suppress(WorkerGone, TimeoutError, ConnectionError):
                    await self.call(w.index, "stop", limit_s=10)
            w.alive = False
            w.writer.close()
            await asyncio.get_running_loop().run_in_executor(None, w.process.join, 5)
            if w.process.is_alive():
                log.warning("rtc worker %d did not stop, killed", w.index)
                w.process.kill()
                await asyncio.get_running_loop().run_in_executor(None, w.process.join, 5)
            if w.reading is not None:
                w.reading.cancel()
        self.workers.clear()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers.values() if w.pid is not None]

    async def _spawn(self, index: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = mp.get_context("spawn").Process(
            target=worker.run,
            args=(index, theirs, self._dir, self.settings, logging.getLogger().getEffectiveLevel()),
            name=f"rtc-worker-{index}",
            daemon=True,  # never outlives this process, even if it is not stopped cleanly
        )
        process.start()
        theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        w = WorkerProcess(index, process, reader, writer)
        self.workers[index] = w
        w.reading = asyncio.ensure_future(self._read(w))

    async def _read(self, w: WorkerProcess) -> None:
        try:
            while True:
                message = await ipc.read_message(w.reader)
                if message[0] == "reply":
                    _, call_id, status, result = message
                    future = w.pending.pop(call_id, None)
                    if future is not None and not future.done():
                        future.set_result((status, result))
                elif message[0] == "ready":
                    w.ready.set()
                else:  # ("state" | "ended", session, value)
                    event, session, value = message
                    room = self._room_of(session)
                    if room is not None:
                        try:
                            room.peer_event(session, event, value)
                        except Exception:  # the room's bug, not the worker's
                            log.exception("rtc: %s event of session %s failed", event, session)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception:
            log.exception("rtc worker %d: bad message", w.index)
        await self._gone(w)

    async def _gone(self, w: WorkerProcess) -> None:
        w.alive = False
        w.writer.close()
        for future in w.pending.values():
            if not future.done():
                future.set_exception(WorkerGone(f"rtc worker {w.index} is gone"))
        w.pending.clear()
        if self._stopping or self.workers.get(w.index) is not w:
            return
        log.error(
            "rtc worker %d (pid %s) died: its halls are dropped and will rejoin", w.index, w.pid
        )
        for session, (_, index) in list(self.sessions.items()):
            if index == w.index:
                del self.sessions[session]
        for room in list(self._rooms.values()):
            try:
                room.worker_gone(w.index)
            except Exception:
                log.exception("rtc: dropping the halls of worker %d failed", w.index)
        task = asyncio.ensure_future(self._restart(w.index))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, index: int) -> None:
        old = self.workers[index]
        await asyncio.get_running_loop().run_in_executor(None, old.process.join, 2)
        log.warning("rtc worker %d exit code: %s", index, old.process.exitcode)
        await asyncio.sleep(RESTART_DELAY_S)  # a worker that dies at once must not spin
        await self._spawn(index)
        try:
            await asyncio.wait_for(self.workers[index].ready.wait(), START_TIMEOUT_S)
        except TimeoutError:
            log.error("rtc worker %d did not restart", index)
            return
        log.info("rtc worker %d restarted (pid %s)", index, self.workers[index].pid)

    # --- rooms, sessions, placement ------------------------------------------------------------

    def add_room(self, room: Listener) -> int:
        number = next(self._ids)
        self._rooms[number] = room
        return number

    def remove_room(self, number: int) -> None:
        self._rooms.pop(number, None)
        self.cast_all("route", number, None)

    def place(self) -> int:
        """The ready worker with the fewest sessions."""
        load = {i: 0 for i, w in self.workers.items() if w.alive and w.ready.is_set()}
        if not load:
            raise WorkerGone("no rtc worker is running")
        for _, index in self.sessions.values():
            if index in load:
                load[index] += 1
        return min(load, key=lambda i: (load[i], i))

    def is_ready(self, index: int) -> bool:
        w = self.workers.get(index)
        return w is not None and w.alive and w.ready.is_set()

    def open_session(self, room: int, index: int) -> int:
        session = next(self._ids)
        self.sessions[session] = (room, index)
        return session

    def close_session(self, session: int) -> None:
        self.sessions.pop(session, None)

    def _room_of(self, session: int) -> Listener | None:
        entry = self.sessions.get(session)
        return self._rooms.get(entry[0]) if entry is not None else None

    # --- messages ------------------------------------------------------------------------------

    async def call(
        self, index: int, method: str, *args: Any, limit_s: float = CALL_TIMEOUT_S
    ) -> Any:
        """Run ``method`` in worker ``index`` and return its result (InvalidOffer passes through)."""
        w = self.workers.get(index)
        if w is None or not w.alive:
            raise WorkerGone(f"rtc worker {index} is not running")
        call_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        w.pending[call_id] = future
        ipc.write_message(w.writer, ("call", call_id, method, args))
        try:
            status, result = await asyncio.wait_for(future, limit_s)
        finally:
            w.pending.pop(call_id, None)
        if status == "invalid":
            raise InvalidOffer(result)
        if status != "ok":
            raise RuntimeError(f"rtc worker {index}: {method}: {result}")
        return result

    def cast(self, index: int, method: str, *args: Any) -> None:
        """Tell worker ``index`` to apply something now; no answer (ordered with other messages)."""
        w = self.workers.get(index)
        if w is not None and w.alive:
            ipc.write_message(w.writer, ("cast", method, args))

    def cast_all(self, method: str, *args: Any) -> None:
        for index in list(self.workers):
            self.cast(index, method, *args)
