"""What every room does, wherever its peer connections live: who is connected, who was lost,
the main stream and its changes, the ICE watchdog, mutes, the link figures for ``rtc:points``.

Room (rtc/room.py) holds its peers in this process; WorkerRoom (rtc/worker_room.py) in worker
processes. They differ only in how a session is closed, whether a peer still publishes, how a
routing decision and a mute reach the media, and how a peer's link figures are read.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from .config import RtcSettings
from .source import FORWARDABLE, UserId

log = logging.getLogger(__name__)

# A user's muted kinds ("audio", "video"). Rooms may share one with whoever outlives them (the
# server keeps a meeting's mutes while its room comes and goes).
Mutes = dict[UserId, set[str]]


class Session(Protocol):
    """What the room needs of a peer, local or remote."""

    user_id: UserId
    state: str
    connected: asyncio.Event


P = TypeVar("P", bound=Session)


class RoomBase(ABC, Generic[P]):
    """Routes the main stream to everyone: the floor holder when connected, else the chair —
    each through their hall when they send no media of their own (/api §4; ``set_seats``).

    ``on_main(source_id | None)`` is called whenever the effective main stream changes (whose
    media it is, or whom it stands for: ``speaker``); ``on_state(user_id, state)`` whenever a
    participant's media state changes.
    """

    def __init__(
        self,
        meeting_id: Any,
        chair_id: UserId | None,
        settings: RtcSettings,
        on_main: Callable[[UserId | None], None] | None = None,
        on_state: Callable[[UserId, str], None] | None = None,
        muted: Mutes | None = None,
    ) -> None:
        self.meeting_id = meeting_id
        self.chair_id = chair_id
        self.settings = settings
        self.peers: dict[UserId, P] = {}
        self.lost: dict[UserId, str] = {}  # dropped sessions, kept so their state can be shown
        # sessions that ended (left, or lost then left) since the last points(): reported once,
        # so a console can tell "left" from "lost"
        self.departed: dict[UserId, str] = {}
        self._on_main = on_main
        self._on_state = on_state
        self._floor: UserId | None = None
        self._main: UserId | None = None  # whose media everyone gets
        self._speaker: UserId | None = None  # whom it stands for: the floor holder, or the chair
        self.seats: dict[UserId, UserId | None] = {}  # person -> their hall (a point's user id)
        self.walls: dict[UserId, Any] = {}  # staff user -> their wall (rtc/wall.py; Room only)
        self._muted: Mutes = muted if muted is not None else {}
        self._watchdogs: dict[UserId, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def main(self) -> UserId | None:
        """Whose camera and microphone everyone now gets (``rtc:main``'s ``source_id``)."""
        return self._main

    @property
    def speaker(self) -> UserId | None:
        """Whom the main stream stands for (``rtc:main``'s ``user_id``): the floor holder, or
        the chair; None when nobody's media reaches the room."""
        return self._speaker

    def set_seats(self, seats: dict[UserId, UserId | None]) -> None:
        """Who sits in which hall (meeting/seats.py); the main stream follows."""
        self.seats = dict(seats)
        self._route()

    async def leave(self, user_id: UserId) -> None:
        if self.lost.pop(user_id, None) is not None or user_id in self.peers:
            self.departed[user_id] = "left"
        peer = self.peers.get(user_id)
        if peer is not None:
            await self._discard(peer)
            self._route()

    def set_main(self, user_id: UserId | None) -> UserId | None:
        """The floor holder (None: nobody, so the chair). Returns the effective main stream."""
        self._floor = user_id
        self._route()
        return self._main

    def set_chair(self, chair_id: UserId | None) -> None:
        self.chair_id = chair_id
        self._route()

    def mute(self, user_id: UserId, kind: str, muted: bool) -> None:
        """Stop (or resume) forwarding a participant's audio or video. Kept across their
        reconnections, and may be set before they connect."""
        if kind not in FORWARDABLE:
            raise ValueError(f"kind must be audio or video, not {kind!r}")
        kinds = self._muted.setdefault(user_id, set())
        (kinds.add if muted else kinds.discard)(kind)
        if not kinds:
            del self._muted[user_id]
        peer = self.peers.get(user_id)
        if peer is not None:
            self._apply_mute(peer, kind, muted)

    def muted(self, user_id: UserId) -> list[str]:
        return sorted(self._muted.get(user_id, ()))

    async def stats(self) -> list[dict[str, Any]]:
        """The ``rtc:points`` entries now (see ``points``)."""
        return self.points(await self.peer_stats())

    def points(self, figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``rtc:points`` entries: ``figures`` (from peer_stats) of the peers still connected,
        one per lost session, and — once: this forgets them — one per session that ended since
        the last call."""
        figures = [f for f in figures if f["user_id"] in self.peers]
        for f in figures:
            f["muted"] = self.muted(f["user_id"])
        gone = [*self.lost.items(), *self.departed.items()]
        self.departed = {}
        for user_id, state in gone:
            figures.append(
                {
                    "user_id": user_id,
                    "state": state,
                    "bitrate_kbps": 0.0,
                    "loss_pct": 0.0 if state == "left" else 100.0,
                    "rtt_ms": None,
                    "muted": self.muted(user_id),
                    "layer": None,
                }
            )
        return figures

    async def close(self) -> None:
        """Ends every session; the next points() reports each as left."""
        for user_id in [*self.peers, *self.lost]:
            self.departed[user_id] = "left"
        for peer in list(self.peers.values()):
            await self._discard(peer)
        self.lost.clear()
        self._route()

    # --- what the two rooms do differently -----------------------------------------------------

    @abstractmethod
    async def _close(self, peer: P) -> None:
        """End ``peer``'s session (once; it may be called again)."""

    @abstractmethod
    def _publishes(self, peer: P) -> bool:
        """Whether ``peer`` still sends a stream that has not ended."""

    @abstractmethod
    def _apply_route(self, main: UserId | None) -> None:
        """Make every peer receive ``main``'s stream (nothing when None)."""

    @abstractmethod
    def _apply_mute(self, peer: P, kind: str, muted: bool) -> None:
        """Stop (or resume) forwarding the ``kind`` stream of the connected ``peer``."""

    @abstractmethod
    async def peer_stats(self) -> list[dict[str, Any]]:
        """The link figures of the connected peers (``user_id``, ``state``, ``bitrate_kbps``,
        ``loss_pct``, ``rtt_ms``, ``layer``)."""

    # --- internals -----------------------------------------------------------------------------

    async def _admit(self, peer: P) -> None:
        """``peer``'s session, answered, becomes its user's (replacing an older one)."""
        old = self.peers.get(peer.user_id)
        if old is not None:
            await self._discard(old)
        self.peers[peer.user_id] = peer
        self.lost.pop(peer.user_id, None)
        self.departed.pop(peer.user_id, None)
        self._watchdogs[peer.user_id] = asyncio.ensure_future(self._watch_ice(peer))
        self._route()

    def _source_of(self, user_id: UserId | None) -> UserId | None:
        """Whose media stands for ``user_id``: their own when they send any, else their hall's
        when it does; None when neither."""
        for candidate in (user_id, self.seats.get(user_id) if user_id is not None else None):
            peer = self.peers.get(candidate) if candidate is not None else None
            if peer is not None and self._publishes(peer):
                return candidate
        return None

    def _effective_main(self) -> tuple[UserId | None, UserId | None]:
        """(speaker, source): the floor holder's media (or hall's), else the chair's."""
        for candidate in (self._floor, self.chair_id):
            source = self._source_of(candidate)
            if source is not None:
                return candidate, source
        return None, None

    def _chair_source(self, main: UserId | None) -> UserId | None:
        """What the hall on the main stream gets instead of itself: the chair's media (or the
        chair's hall's); None when that is the main stream itself."""
        source = self._source_of(self.chair_id)
        return None if source == main else source

    def _route(self) -> None:
        speaker, main = self._effective_main()
        self._apply_route(main)
        if (speaker, main) != (self._speaker, self._main):
            log.info(
                "meeting %s: main %s (%s) -> %s (%s)",
                self.meeting_id,
                self._main,
                self._speaker,
                main,
                speaker,
            )
            self._main, self._speaker = main, speaker
            if self._on_main is not None:
                self._on_main(main)

    async def _watch_ice(self, peer: P) -> None:
        try:
            await asyncio.wait_for(peer.connected.wait(), self.settings.ice_timeout_s)
        except TimeoutError:
            log.warning(
                "%s: not connected after %ss, dropped", peer.user_id, self.settings.ice_timeout_s
            )
            await self._drop(peer, "failed")

    def _state_changed(self, peer: P, state: str) -> None:
        if self.peers.get(peer.user_id) is not peer:
            return  # a replaced or discarded session (or one still joining)
        self._report(peer.user_id, state)
        if state in ("failed", "closed"):
            self._spawn(self._drop(peer, state))

    async def _drop(self, peer: P, state: str) -> None:
        # Lost the moment it leaves `peers`, before the await that closes it: no one may see a
        # hall gone from the room but not yet marked lost (rtc:points would show it "left").
        if self._remove(peer):
            self._lose(peer.user_id, state)
            self._route()
            await self._close(peer)

    def _lose(self, user_id: UserId, state: str) -> None:
        self.lost[user_id] = state
        self._report(user_id, state)

    async def _discard(self, peer: P) -> None:
        self._remove(peer)
        await self._close(peer)

    def _remove(self, peer: P) -> bool:
        """Take ``peer`` out if it is still its user's session, and stop its watchdog."""
        if self.peers.get(peer.user_id) is not peer:
            return False
        del self.peers[peer.user_id]
        watchdog = self._watchdogs.pop(peer.user_id, None)
        if watchdog is not None and watchdog is not asyncio.current_task():
            watchdog.cancel()
        return True

    def _report(self, user_id: UserId, state: str) -> None:
        if self._on_state is not None:
            self._on_state(user_id, state)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
