"""A meeting's media: every participant's session, and the main stream routed to all of them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from .config import RtcSettings
from .peer import Peer
from .source import FORWARDABLE, Source, UserId

log = logging.getLogger(__name__)


class Room:
    """Routes the main stream — the floor holder when connected, else the chair — to everyone.

    ``on_main(user_id | None)`` is called whenever the effective main stream changes;
    ``on_state(user_id, state)`` whenever a participant's media state changes.
    """

    def __init__(
        self,
        meeting_id: Any,
        chair_id: UserId | None,
        settings: RtcSettings | None = None,
        on_main: Callable[[UserId | None], None] | None = None,
        on_state: Callable[[UserId, str], None] | None = None,
    ) -> None:
        self.meeting_id = meeting_id
        self.chair_id = chair_id
        self.settings = settings or RtcSettings()
        self.peers: dict[UserId, Peer] = {}
        self.lost: dict[UserId, str] = {}  # dropped sessions, kept so their state can be shown
        self._on_main = on_main
        self._on_state = on_state
        self._floor: UserId | None = None
        self._main: UserId | None = None
        self._muted: dict[UserId, set[str]] = {}
        self._watchdogs: dict[UserId, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def main(self) -> UserId | None:
        return self._main

    async def join(self, user_id: UserId, offer_sdp: str, sdp_type: str = "offer") -> str:
        """Start (or replace) ``user_id``'s session; returns the SDP answer. InvalidOffer if bad."""
        peer = Peer(user_id, self.settings, self._peer_state, self._source_ended)
        try:
            answer = await peer.answer(offer_sdp, sdp_type)
        except BaseException:
            await peer.close()
            raise
        old = self.peers.get(user_id)
        if old is not None:
            await self._discard(old)
        self.peers[user_id] = peer
        self.lost.pop(user_id, None)
        for kind in self._muted.get(user_id, ()):
            if kind in peer.sources:
                peer.sources[kind].set_muted(True)
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
        """The floor holder (None: nobody, so the chair). Returns the effective main stream."""
        self._floor = user_id
        self._route()
        return self._main

    def set_chair(self, chair_id: UserId | None) -> None:
        self.chair_id = chair_id
        self._route()

    def mute(self, user_id: UserId, kind: str, muted: bool) -> None:
        if kind not in FORWARDABLE:
            raise ValueError(f"kind must be audio or video, not {kind!r}")
        """Stop (or resume) forwarding a participant's audio or video. Kept across their
        reconnections, and may be set before they connect."""
        kinds = self._muted.setdefault(user_id, set())
        (kinds.add if muted else kinds.discard)(kind)
        peer = self.peers.get(user_id)
        source = peer.sources.get(kind) if peer is not None else None
        if source is not None:
            source.set_muted(muted)

    def muted(self, user_id: UserId) -> list[str]:
        return sorted(self._muted.get(user_id, ()))

    async def stats(self) -> list[dict[str, Any]]:
        figures = [await peer.stats() for peer in list(self.peers.values())]
        for f in figures:
            f["muted"] = self.muted(f["user_id"])
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

    # --- internals ---------------------------------------------------------------------------

    def _effective_main(self) -> UserId | None:
        for candidate in (self._floor, self.chair_id):
            peer = self.peers.get(candidate) if candidate is not None else None
            if peer is not None and any(not s.ended for s in peer.sources.values()):
                return candidate
        return None

    def _route(self) -> None:
        main = self._effective_main()
        main_peer = self.peers.get(main) if main is not None else None
        for peer in self.peers.values():
            for kind, track in peer.outputs.items():
                source: Source | None = main_peer.sources.get(kind) if main_peer else None
                if source is not None and source.ended:
                    source = None
                if kind == "audio" and main_peer is peer:
                    source = None  # the speaker does not hear themself back
                track.set_source(source)
        if main != self._main:
            log.info("meeting %s: main %s -> %s", self.meeting_id, self._main, main)
            self._main = main
            if self._on_main is not None:
                self._on_main(main)

    async def _watch_ice(self, peer: Peer) -> None:
        try:
            await asyncio.wait_for(peer.connected.wait(), self.settings.ice_timeout_s)
        except TimeoutError:
            log.warning(
                "%s: not connected after %ss, dropped", peer.user_id, self.settings.ice_timeout_s
            )
            await self._drop(peer, "failed")

    async def _drop(self, peer: Peer, state: str) -> None:
        if self.peers.get(peer.user_id) is peer:
            await self._discard(peer)
            self.lost[peer.user_id] = state
            self._report(peer.user_id, state)
            self._route()

    async def _discard(self, peer: Peer) -> None:
        if self.peers.get(peer.user_id) is peer:
            del self.peers[peer.user_id]
            watchdog = self._watchdogs.pop(peer.user_id, None)
            if watchdog is not None and watchdog is not asyncio.current_task():
                watchdog.cancel()
        await peer.close()

    def _peer_state(self, peer: Peer) -> None:
        if self.peers.get(peer.user_id) is not peer:
            return  # a replaced or discarded session
        self._report(peer.user_id, peer.state)
        if peer.state in ("failed", "closed"):
            self._spawn(self._drop(peer, peer.state))

    def _source_ended(self, source: Source) -> None:
        peer = self.peers.get(source.owner)
        if peer is not None and peer.sources.get(source.kind) is source:
            self._route()

    def _report(self, user_id: UserId, state: str) -> None:
        if self._on_state is not None:
            self._on_state(user_id, state)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
