"""Work on untrusted PDFs in a child process with hard limits: a time budget (the child is killed
when it runs out), an address-space limit and a CPU-time limit (resource.setrlimit), and a bound
on how many such children run at once.

Why a process and not a thread: pypdf and pyHanko are pure Python, so a hostile file (a page
tree of 60,000 signature fields, 200 pages sharing one 70 MB content stream) would hold the GIL
and the default thread pool, and a thread cannot be stopped. A child can be killed, its memory
goes with it, and the server's event loop and its download threads never notice.

Children are forked from a `forkserver` that has already imported pypdf, pyHanko and fpdf2, so a
job starts in milliseconds, and no child inherits the server's event loop, sockets or threads.
The parent waits on the child's pipe and its sentinel with the event loop's reader callbacks:
waiting costs no thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import resource
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from meeting.errors import ActionError

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.docs.jobs")

_CTX = mp.get_context("forkserver")
# Imported once in the fork server, so every child starts with them loaded. "__main__" too (as
# multiprocessing's default does): otherwise every child would re-run the main script's imports
# (run.py: the whole server) before its job.
_CTX.set_forkserver_preload(["__main__", "docs.pdfcheck", "docs.stamp", "docs.signing"])


@dataclass(frozen=True)
class Budget:
    seconds: float
    memory_mb: int


class JobFailed(Exception):
    """The child ran out of its budget or died; `why` is "time", "memory" or "crashed"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _limit(memory_mb: int, seconds: float) -> None:
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = int(seconds) + 2  # a backstop: the parent kills on wall time first
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], budget: Budget) -> None:
    try:
        _limit(budget.memory_mb, budget.seconds)
        result: tuple[Any, ...] = ("ok", fn(*args))
    except ActionError as exc:
        result = ("error", exc.code, exc.message, exc.details)
    except MemoryError:
        result = ("failed", "memory")
    except BaseException:
        result = ("failed", "crashed", traceback.format_exc(limit=5))
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("failed", "memory"))
    finally:
        conn.close()


def _nothing() -> None:
    pass


def warm_up() -> None:
    """Start the fork server (it imports pypdf, pyHanko, fpdf2: a few seconds) with a job that
    does nothing, so that the first real check does not wait for it. Blocking: run in a thread."""
    proc = _CTX.Process(target=_nothing, daemon=True)
    proc.start()
    proc.join()
    proc.close()


def pdf_budget(settings: Any) -> Budget:
    return Budget(settings.pdf_job_seconds, settings.pdf_job_memory_mb)


def runner_for(server: Server) -> JobRunner:
    """The server's runner: one bound on children per server (the documents feature's state)."""
    return server.state(JobRunner)


class JobRunner:
    """At most PDF_JOBS children at once (the others wait their turn, on the event loop)."""

    def __init__(self, server: Server) -> None:
        self.slots = asyncio.Semaphore(max(1, server.settings.pdf_jobs))

    async def run(self, fn: Callable[..., Any], *args: Any, budget: Budget) -> Any:
        """fn(*args) in a child; its ActionError is raised here as it was raised there."""
        async with self.slots:
            return await _run(fn, args, budget)


async def _run(fn: Callable[..., Any], args: tuple[Any, ...], budget: Budget) -> Any:
    loop = asyncio.get_running_loop()
    parent, child = _CTX.Pipe(duplex=False)
    proc = _CTX.Process(target=_child, args=(child, fn, args, budget), daemon=True)
    try:
        # start() talks to the fork server (and starts it the first time): not on the loop.
        await asyncio.to_thread(proc.start)
        child.close()
        woke = loop.create_future()

        def wake() -> None:
            if not woke.done():
                woke.set_result(None)

        loop.add_reader(parent.fileno(), wake)
        loop.add_reader(proc.sentinel, wake)
        try:
            await asyncio.wait_for(woke, budget.seconds)
        except TimeoutError:
            raise JobFailed("time") from None
        finally:
            loop.remove_reader(parent.fileno())
            loop.remove_reader(proc.sentinel)
        if not parent.poll(0):
            raise JobFailed(
                "time" if proc.exitcode == -24 else "memory" if proc.exitcode == -9 else "crashed"
            )
        # The child writes its answer and exits; reading the rest of it is quick (bounded sizes).
        try:
            result = await asyncio.wait_for(asyncio.to_thread(parent.recv), budget.seconds)
        except (EOFError, OSError, TimeoutError):
            raise JobFailed("crashed") from None
    finally:
        if proc.pid is not None and proc.exitcode is None:
            proc.kill()
        await asyncio.to_thread(_reap, proc, parent)
    kind = result[0]
    if kind == "ok":
        return result[1]
    if kind == "error":
        raise ActionError(result[1], result[2], result[3])
    if len(result) > 2:
        log.warning("PDF job %s failed: %s", getattr(fn, "__name__", fn), result[2])
    raise JobFailed(result[1])


def _reap(proc: Any, conn: Connection) -> None:
    if proc.pid is None:  # never started
        conn.close()
        return
    proc.join(timeout=5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    with contextlib.suppress(OSError):
        conn.close()
    with contextlib.suppress(ValueError):
        proc.close()
