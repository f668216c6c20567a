"""A meeting's media when peers live in worker processes (``rtc_workers`` > 0).

Same interface and same rules as Room (rtc/room.py), which stays the in-process implementation;
the rules themselves are RoomBase's (rtc/room_base.py): the main stream is the floor holder when
connected, else the chair; a peer not connected within ``ice_timeout_s`` is dropped; mutes outlive
reconnections. What differs is where things run: here are only the decisions. Each peer
connection is in one worker (``place``); a switch is one ``route`` message to every worker, which
then forwards locally or over links (rtc/worker.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from .config import RtcSettings
from .ipc import Route
from .room_base import Mutes, RoomBase
from .source import UserId
from .workers import WorkerGone, WorkerPool


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


class WorkerRoom(RoomBase[RemotePeer]):
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
        muted: Mutes | None = None,
    ) -> None:
        super().__init__(meeting_id, chair_id, settings, on_main, on_state, muted)
        self.pool = pool
        self.number = pool.add_room(self)
        self._place = place
        self._sessions: dict[int, RemotePeer] = {}  # every session started here, current or not

    async def join(self, user_id: UserId, offer_sdp: str, sdp_type: str = "offer") -> str:
        pinned = self._place(user_id) if self._place is not None else None
        index = pinned if pinned is not None and self.pool.is_ready(pinned) else self.pool.place()
        session = self.pool.open_session(self.number, index)
        peer = RemotePeer(user_id, session, index)
        self._sessions[session] = peer
        muted = self.muted(user_id)
        try:
            answer, kinds = await self.pool.call(
                index, "join", self.number, session, user_id, offer_sdp, sdp_type, muted
            )
        except BaseException:
            await self._close(peer)
            raise
        # an "ended" may have been read before this resumed
        peer.kinds.update(set(kinds) - peer.ended)
        await self._admit(peer)
        return answer

    async def close(self) -> None:
        await super().close()
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
            self._state_changed(peer, value)

    def worker_gone(self, index: int) -> None:
        """Its peers are gone with it: shown as failed, so their halls rejoin."""
        gone = [p for p in self.peers.values() if p.worker == index]
        for peer in gone:
            peer.closed = True
            self._remove(peer)
            self._sessions.pop(peer.session, None)
            self._lose(peer.user_id, "failed")
        if gone:
            self._route()

    # --- RoomBase ------------------------------------------------------------------------------

    async def _close(self, peer: RemotePeer) -> None:
        if peer.closed:
            return
        peer.closed = True
        self._sessions.pop(peer.session, None)
        self.pool.close_session(peer.session)
        with contextlib.suppress(WorkerGone, TimeoutError):
            await self.pool.call(peer.worker, "leave", peer.session)

    def _publishes(self, peer: RemotePeer) -> bool:
        return bool(peer.kinds)

    def _apply_route(self, main: UserId | None) -> None:
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

    def _apply_mute(self, peer: RemotePeer, kind: str, muted: bool) -> None:
        self.pool.cast(peer.worker, "mute", peer.session, kind, muted)

    async def peer_stats(self) -> list[dict[str, Any]]:
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
                    figures.append(f)
        return figures


def stream_id(session: int, kind: str) -> int:
    """One id per published track: a new session (a rejoin) is a new stream, so every receiver
    rebases its timestamps and waits for a key frame."""
    return session * 2 + (0 if kind == "video" else 1)
