"""A media worker process: owns the peer connections of the halls placed on it (rtc/workers.py).

It does what a Room does for its own peers — receive every upstream, forward the main stream —
except that the main stream may live in another worker. Then it gets that stream's encoded
frames over a link (rtc/links.py) into a local copy of the source (a "mirror"), which its
ForwardTracks follow exactly like a local Source: same key frame start, bounds and timestamp
rebasing. The worker whose peer publishes the main stream sends each frame once to every other
worker with halls in that meeting ("export"); key frame requests go back the same way.

Which stream is main is decided by the main process and arrives as one ``route`` message per
meeting; the worker only applies it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from typing import Any

from . import ipc
from .config import RtcSettings
from .errors import InvalidOffer
from .export import Export
from .ipc import Route
from .keyframes import KeyframeRequester
from .links import Links
from .peer import Peer
from .source import Source

log = logging.getLogger(__name__)


class WorkerMedia:
    def __init__(self, index: int, settings: RtcSettings, link_dir: str, events: Any) -> None:
        self.index = index
        self.settings = settings
        self.events = events  # callable(message): to the main process
        self.links = Links(index, link_dir, self._media_message)
        self.peers: dict[int, Peer] = {}  # session -> peer
        self.room_of: dict[int, int] = {}  # session -> room number
        self.routes: dict[int, Route | None] = {}  # room number -> its main stream
        self.mirrors: dict[int, tuple[int, Source]] = {}  # stream -> (room, copy of remote source)
        self.exports: dict[int, tuple[int, Export]] = {}  # stream -> (room, export)

    # --- requests from the main process ------------------------------------------------------

    async def join(
        self, room: int, session: int, user_id: Any, sdp: str, sdp_type: str, muted: list[str]
    ) -> tuple[str, list[str]]:
        peer = Peer(
            user_id,
            self.settings,
            lambda p: self.events(("state", session, p.state)),
            lambda s: self.events(("ended", session, s.kind)),
        )
        try:
            answer = await peer.answer(sdp, sdp_type)
        except BaseException:
            await peer.close()
            raise
        for kind in muted:
            if kind in peer.sources:
                peer.sources[kind].set_muted(True)
        self.peers[session] = peer
        self.room_of[session] = room
        self._apply(room)
        return answer, sorted(peer.sources)

    async def leave(self, session: int) -> None:
        peer = self.peers.pop(session, None)
        room = self.room_of.pop(session, None)
        if peer is None:
            return
        await peer.close()
        if room is not None:
            self._apply(room)

    def route(self, room: int, route: Route | None) -> None:
        self.routes[room] = route
        self._apply(room)
        if route is None and not any(r == room for r in self.room_of.values()):
            del self.routes[room]  # the meeting has nothing here any more

    def mute(self, session: int, kind: str, muted: bool) -> None:
        peer = self.peers.get(session)
        if peer is not None and kind in peer.sources:
            peer.sources[kind].set_muted(muted)

    async def stats(self, room: int) -> list[dict[str, Any]]:
        figures = []
        for session, peer in list(self.peers.items()):
            if self.room_of.get(session) == room:
                figures.append({**await peer.stats(), "session": session})
        return figures

    async def counters(self) -> dict[str, int]:
        tracks = [t for p in self.peers.values() for t in p.outputs.values()]
        return {
            "peers": len(self.peers),
            "connected": sum(p.state == "connected" for p in self.peers.values()),
            "forwarded": sum(t.forwarded for t in tracks),
            "dropped": sum(t.dropped for t in tracks),
        }

    async def close(self) -> None:
        for session in list(self.peers):
            await self.leave(session)
        for room in list(self.routes):
            self.route(room, None)
        await self.links.close()

    # --- routing -------------------------------------------------------------------------------

    def _apply(self, room: int) -> None:
        """Put the room's main stream behind every local receiver; export or mirror it."""
        route = self.routes.get(room)
        local_main = None
        if route is not None and route.worker == self.index:
            local_main = self.peers.get(route.session)
        wanted_mirrors: set[int] = set()
        for session, peer in self.peers.items():
            if self.room_of.get(session) != room:
                continue
            for kind, track in peer.outputs.items():
                source: Source | None = None
                if route is None or session == route.session:
                    # nothing to show; or the main stream's own peer, never sent itself back
                    # (in worker mode it gets nothing rather than the chair's stream)
                    source = None
                elif local_main is not None:
                    source = local_main.sources.get(kind)
                    if source is not None and source.ended:
                        source = None
                elif route.worker != self.index and kind in route.streams:
                    stream = route.streams[kind]
                    source = self._mirror(room, stream, kind, route)
                    wanted_mirrors.add(stream)
                track.set_source(source)
        for stream, (owner, mirror) in list(self.mirrors.items()):
            if owner == room and stream not in wanted_mirrors:
                del self.mirrors[stream]
                mirror.end()

        wanted_exports: set[int] = set()
        if local_main is not None and route is not None:
            targets = tuple(w for w in route.feed if w != self.index)
            for kind, stream in route.streams.items():
                source = local_main.sources.get(kind)
                if source is None or not targets:
                    continue
                entry = self.exports.get(stream)
                if entry is None:
                    export = Export(stream, source, self.links)
                    self.exports[stream] = (room, export)
                    source.add_tap(export)
                else:
                    export = entry[1]
                export.set_targets(targets)
                wanted_exports.add(stream)
        for stream, (owner, export) in list(self.exports.items()):
            if owner == room and stream not in wanted_exports:
                del self.exports[stream]
                export.source.remove_tap(export)

    def _mirror(self, room: int, stream: int, kind: str, route: Route) -> Source:
        entry = self.mirrors.get(stream)
        if entry is not None:
            return entry[1]
        requester = None
        if kind == "video":
            request = ipc.pack_keyframe_request(stream)
            worker = route.worker

            async def ask() -> None:
                self.links.send(worker, request)

            requester = KeyframeRequester(ask, self.settings.keyframe_interval_s)
        mirror = Source(kind, route.user_id, requester)
        self.mirrors[stream] = (room, mirror)
        return mirror

    def _media_message(
        self, kind_type: int, kind: str, key: bool, stream: int, timestamp: int, data: bytes
    ) -> None:
        if kind_type == ipc.FRAME:
            entry = self.mirrors.get(stream)
            if entry is not None:  # else: a stream this worker no longer (or not yet) shows
                entry[1].deliver(data, timestamp, key, ipc.CLOCK_RATE[kind])
        elif kind_type == ipc.KEYFRAME_REQUEST:
            export = self.exports.get(stream)
            if export is not None:
                export[1].source.request_keyframe()


# --- the process ---------------------------------------------------------------------------------


def run(
    index: int, control: socket.socket, link_dir: str, settings: RtcSettings, level: int
) -> None:
    """Process entry point (multiprocessing, spawn)."""
    # Ctrl-C reaches the whole process group: the main process decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(
        level=level, format=f"%(asctime)s rtc-worker-{index} %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_serve(index, control, link_dir, settings))


async def _serve(index: int, control: socket.socket, link_dir: str, settings: RtcSettings) -> None:
    reader, writer = await asyncio.open_unix_connection(sock=control)
    media = WorkerMedia(index, settings, link_dir, lambda event: ipc.write_message(writer, event))
    await media.links.listen()
    ipc.write_message(writer, ("ready",))
    tasks: set[asyncio.Task[None]] = set()
    stop_id: int | None = None

    async def answer(call_id: int, method: str, args: tuple[Any, ...]) -> None:
        try:
            result = await getattr(media, method)(*args)
            reply: tuple[Any, ...] = ("reply", call_id, "ok", result)
        except InvalidOffer as exc:
            reply = ("reply", call_id, "invalid", str(exc))
        except Exception as exc:
            log.exception("%s failed", method)
            reply = ("reply", call_id, "error", f"{type(exc).__name__}: {exc}")
        ipc.write_message(writer, reply)

    try:
        while True:
            try:
                message = await ipc.read_message(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                log.info("main process gone")
                break
            if message[0] == "call":  # ("call", id, method, args): may take time, runs alongside
                _, call_id, method, args = message
                if method == "stop":
                    stop_id = call_id
                    break
                task = asyncio.ensure_future(answer(call_id, method, args))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            else:  # ("cast", method, args): applied at once, in the order sent
                _, method, args = message
                try:
                    getattr(media, method)(*args)
                except Exception:
                    log.exception("%s failed", method)
    finally:
        for task in tasks:
            task.cancel()
        await media.close()
        try:
            if stop_id is not None:  # answered once every peer is closed
                ipc.write_message(writer, ("reply", stop_id, "ok", None))
            await writer.drain()
            writer.close()
        except ConnectionError:
            pass
