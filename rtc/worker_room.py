"""A meeting's media when peers live in worker processes (``rtc_workers`` > 0).

Same interface and same rules as Room (rtc/room.py), which stays the in-process implementation:
the main stream is the floor holder when connected, else the chair; a peer not connected within
``ice_timeout_s`` is dropped; mutes outlive reconnections. What differs is where things run:
here are only the decisions. Each peer connection is in one worker (``place``); a switch is one
``route`` message to every worker, which then forwards locally or over links (rtc/worker.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from .config import RtcSettings
from .ipc import Route
from .source import FORWARDABLE, UserId
from .workers import WorkerGone, WorkerPool

log = logging.getLogger(__name__)


class RemotePeer:
    """What the main process knows of a peer held by a worker."""

    def __init__(self, user_id: UserId, session: int, worker: int) -> None:
        self.user_id = user_id
        self.session = session
        self.worker = worker
        self.state = "new"
        self.kinds: set[str] = set()  # its sources that have not ended
        self.ended: set[str] = set()
        self.connected = asyncio.Event()
        self.closed = False

    def __repr__(self) -> str:
        return f"RemotePeer({self.user_id!r}, worker {self.worker}, {self.state})"


class WorkerRoom:
    """``place(user_id)`` may pin a participant to a worker (None: the least loaded one)."""

    def __init__(
        self,
        meeting_id: Any,
        chair_id: UserId | None,
        settings: RtcSettings,
        pool: WorkerPool,
        on_main: Callable[[UserId | None], None] | None = None,
        on_state: Callable[[UserId, str], None] | None = None,
        place: Callable[[UserId], int | None] | None = None,
    ) -> None:
        self.meeting_id = meeting_id
        self.chair_id = chair_id
        self.settings = settings
        self.pool = pool
        self.number = pool.add_room(self)
        self.peers: dict[UserId, RemotePeer] = {}
        self.lost: dict[UserId, str] = {}
        self._on_main = on_main
        self._on_state = on_state
        self._place = place
        self._floor: UserId | None = None
        self._main: UserId | None = None
        self._muted: dict[UserId, set[str]] = {}
        self._watchdogs: dict[UserId, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._sessions: dict[int, RemotePeer] = {}  # every session started here, current or not

    @property
    def main(self) -> UserId | None:
        return self._main

    async def join(self, user_id: UserId, offer_sdp: str, sdp_type: str = "offer") -> str:
        pinned = self._place(user_id) if self._place is not None else None
        index = pinned if pinned is not None and self.pool.is_ready(pinned) else self.pool.place()
        session = self.pool.open_session(self.number, index)
        peer = RemotePeer(user_id, session, index)
        self._sessions[session] = peer
        muted = sorted(self._muted.get(user_id, ()))
        try:
            answer, kinds = await self.pool.call(
                index, "join", self.number, session, user_id, offer_sdp, sdp_type, muted
            )
        except BaseException:
            await self._close_session(peer)
            raise
        # an "ended" may have been read before this resumed
        peer.kinds.update(set(kinds) - peer.ended)
        old = self.peers.get(user_id)
        if old is not None:
            await self._discard(old)
        self.peers[user_id] = peer
        self.lost.pop(user_id, None)
        self._watchdogs[user_id] = asyncio.ensure_future(self._watch_ice(peer))
        self._route()
        return answer

    async def leave(self, user_id: UserId) -> None:
        self.lost.pop(user_id, None)
        peer = self.peers.get(user_id)
        if peer is not None:
            await self._discard(peer)
            self._route()

    def set_main(self, user_id: UserId | None) -> UserId | None:
        self._floor = user_id
        self._route()
        return self._main

    def set_chair(self, chair_id: UserId | None) -> None:
        self.chair_id = chair_id
        self._route()

    def mute(self, user_id: UserId, kind: str, muted: bool) -> None:
        if kind not in FORWARDABLE:
            raise ValueError(f"kind must be audio or video, not {kind!r}")
        kinds = self._muted.setdefault(user_id, set())
        (kinds.add if muted else kinds.discard)(kind)
        peer = self.peers.get(user_id)
        if peer is not None:
            self.pool.cast(peer.worker, "mute", peer.session, kind, muted)

    def muted(self, user_id: UserId) -> list[str]:
        return sorted(self._muted.get(user_id, ()))

    async def stats(self) -> list[dict[str, Any]]:
        """Asks every worker holding a peer of this meeting (in parallel)."""
        by_session = {p.session: p for p in self.peers.values()}
        workers = sorted({p.worker for p in by_session.values()})
        answers = await asyncio.gather(
            *(self.pool.call(w, "stats", self.number) for w in workers), return_exceptions=True
        )
        figures: list[dict[str, Any]] = []
        for answer in answers:
            if isinstance(answer, BaseException):
                continue  # that worker is gone: its peers are being dropped
            for f in answer:
                peer = by_session.get(f.pop("session"))
                if peer is not None:
                    f["user_id"] = peer.user_id
                    f["muted"] = self.muted(peer.user_id)
                    figures.append(f)
        for user_id, state in self.lost.items():
            figures.append(
                {
                    "user_id": user_id,
                    "state": state,
                    "bitrate_kbps": 0.0,
                    "loss_pct": 100.0,
                    "rtt_ms": None,
                    "muted": self.muted(user_id),
                }
            )
        return figures

    async def close(self) -> None:
        for peer in list(self.peers.values()):
            await self._discard(peer)
        self.lost.clear()
        self._route()
        self.pool.remove_room(self.number)

    # --- from the pool -------------------------------------------------------------------------

    def peer_event(self, session: int, event: str, value: Any) -> None:
        peer = self._sessions.get(session)
        if peer is None:
            return
        if event == "ended":
            peer.kinds.discard(value)
            peer.ended.add(value)
            if self.peers.get(peer.user_id) is peer:
                self._route()
        elif event == "state":
            peer.state = value
            if value == "connected":
                peer.connected.set()
            if self.peers.get(peer.user_id) is not peer:
                return  # a replaced or discarded session (or one still joining)
            self._report(peer.user_id, value)
            if value in ("failed", "closed"):
                self._spawn(self._drop(peer, value))

    def worker_gone(self, index: int) -> None:
        """Its peers are gone with it: shown as failed, so their halls rejoin."""
        gone = [p for p in self.peers.values() if p.worker == index]
        for peer in gone:
            peer.closed = True
            del self.peers[peer.user_id]
            self._sessions.pop(peer.session, None)
            watchdog = self._watchdogs.pop(peer.user_id, None)
            if watchdog is not None:
                watchdog.cancel()
            self.lost[peer.user_id] = "failed"
            self._report(peer.user_id, "failed")
        if gone:
            self._route()

    # --- internals -----------------------------------------------------------------------------

    def _effective_main(self) -> UserId | None:
        for candidate in (self._floor, self.chair_id):
            peer = self.peers.get(candidate) if candidate is not None else None
            if peer is not None and peer.kinds:
                return candidate
        return None

    def _route(self) -> None:
        main = self._effective_main()
        route = None
        if main is not None:
            peer = self.peers[main]
            route = Route(
                session=peer.session,
                user_id=main,
                worker=peer.worker,
                streams={k: stream_id(peer.session, k) for k in sorted(peer.kinds)},
                feed=tuple(sorted({p.worker for p in self.peers.values()})),
            )
        # to every worker, also those with no peer here any more: they drop what they held
        self.pool.cast_all("route", self.number, route)
        if main != self._main:
            log.info("meeting %s: main %s -> %s", self.meeting_id, self._main, main)
            self._main = main
            if self._on_main is not None:
                self._on_main(main)

    async def _watch_ice(self, peer: RemotePeer) -> None:
        try:
            await asyncio.wait_for(peer.connected.wait(), self.settings.ice_timeout_s)
        except TimeoutError:
            log.warning(
                "%s: not connected after %ss, dropped", peer.user_id, self.settings.ice_timeout_s
            )
            await self._drop(peer, "failed")

    async def _drop(self, peer: RemotePeer, state: str) -> None:
        if self.peers.get(peer.user_id) is peer:
            await self._discard(peer)
            self.lost[peer.user_id] = state
            self._report(peer.user_id, state)
            self._route()

    async def _discard(self, peer: RemotePeer) -> None:
        if self.peers.get(peer.user_id) is peer:
            del self.peers[peer.user_id]
            watchdog = self._watchdogs.pop(peer.user_id, None)
            if watchdog is not None and watchdog is not asyncio.current_task():
                watchdog.cancel()
        await self._close_session(peer)

    async def _close_session(self, peer: RemotePeer) -> None:
        if peer.closed:
            return
        peer.closed = True
        self._sessions.pop(peer.session, None)
        self.pool.close_session(peer.session)
        with contextlib.suppress(WorkerGone, TimeoutError):
            await self.pool.call(peer.worker, "leave", peer.session)

    def _report(self, user_id: UserId, state: str) -> None:
        if self._on_state is not None:
            self._on_state(user_id, state)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def stream_id(session: int, kind: str) -> int:
    """One id per published track: a new session (a rejoin) is a new stream, so every receiver
    rebases its timestamps and waits for a key frame."""
    return session * 2 + (0 if kind == "video" else 1)
