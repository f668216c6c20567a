"""Media links between worker processes: one unix socket per pair of workers, opened on first use.

Every worker listens on ``<dir>/worker-<index>.sock``. The first worker that needs to talk to
another connects and greets it with its index; after that either side writes on the same
connection (frames one way, key frame requests the other). A link that breaks (its worker died
and was restarted) is forgotten and reopened at the next send, so a restarted worker needs no
introduction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from . import ipc

log = logging.getLogger(__name__)

# A link holding this much unsent data is behind (its worker is overloaded): frames to it are
# dropped until the next key frame rather than queued (~0.5 s of a 720p stream).
MAX_BUFFERED = 256 * 1024
RETRY_S = 0.5  # after a failed connect, wait this long before trying that worker again


def socket_path(directory: str, worker: int) -> str:
    return str(Path(directory) / f"worker-{worker}.sock")


def remove_stale(path: str) -> str:
    Path(path).unlink(missing_ok=True)  # a predecessor's (this worker was restarted)
    return path


class Link(asyncio.Protocol):
    def __init__(self, links: Links, peer: int | None = None) -> None:
        self.links = links
        self.peer = peer  # the other worker's index; learnt from its hello when we accepted
        self.transport: asyncio.Transport | None = None
        self._reader = ipc.MediaReader(self._message)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.links.lost(self)

    def send(self, data: bytes) -> bool:
        """False when the link is not usable now (closed, or too much unsent)."""
        transport = self.transport
        if transport is None or transport.get_write_buffer_size() > MAX_BUFFERED:
            return False
        transport.write(data)
        return True

    def _message(
        self, kind_type: int, kind: str, key: bool, stream: int, timestamp: int, data: bytes
    ) -> None:
        if kind_type == ipc.HELLO:
            self.peer = stream
            self.links.register(self)
        else:
            try:
                self.links.on_message(kind_type, kind, key, stream, timestamp, data)
            except Exception:  # a bug in one frame's fan-out must not close the link
                log.exception(
                    "worker %s: message from worker %s failed", self.links.index, self.peer
                )


class Links:
    """This worker's links to the others, keyed by worker index."""

    def __init__(self, index: int, directory: str, on_message: ipc.MediaHandler) -> None:
        self.index = index
        self.directory = directory
        self.on_message = on_message
        self._links: dict[int, Link] = {}
        self._connecting: dict[int, asyncio.Task[None]] = {}
        self._failed_at: dict[int, float] = {}
        self._server: asyncio.AbstractServer | None = None

    async def listen(self) -> None:
        path = remove_stale(socket_path(self.directory, self.index))
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(lambda: Link(self), path)

    def send(self, worker: int, data: bytes) -> bool:
        """Send to ``worker``; False (and a connection attempt started) if there is no link yet."""
        link = self._links.get(worker)
        if link is not None:
            return link.send(data)
        self._connect(worker)
        return False

    def register(self, link: Link) -> None:
        assert link.peer is not None
        self._links[link.peer] = link  # both ends may have connected at once: the newer wins

    def lost(self, link: Link) -> None:
        if link.peer is not None and self._links.get(link.peer) is link:
            del self._links[link.peer]

    def _connect(self, worker: int) -> None:
        if (
            worker in self._connecting
            or time.monotonic() - self._failed_at.get(worker, -1e9) < RETRY_S
        ):
            return
        task = asyncio.ensure_future(self._open(worker))
        self._connecting[worker] = task
        task.add_done_callback(lambda _: self._connecting.pop(worker, None))

    async def _open(self, worker: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, link = await loop.create_unix_connection(
                lambda: Link(self, worker), socket_path(self.directory, worker)
            )
        except OSError as exc:  # not listening (yet, or any more)
            self._failed_at[worker] = time.monotonic()
            log.debug("worker %s: no link to worker %s: %s", self.index, worker, exc)
            return
        link.send(ipc.pack_hello(self.index))
        self.register(link)

    async def close(self) -> None:
        for task in list(self._connecting.values()):
            task.cancel()
        for link in list(self._links.values()):
            if link.transport is not None:
                link.transport.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            remove_stale(socket_path(self.directory, self.index))
