"""A meeting's media: every participant's session, and the main stream routed to all of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .config import RtcSettings
from .peer import Peer
from .room_base import Mutes, RoomBase
from .source import Source, UserId
from .wall import Wall, wall_layer


class Room(RoomBase[Peer]):
    """The in-process room: every peer connection lives here, and routing is setting each
    output track's source. The rules are RoomBase's (rtc/room_base.py)."""

    def __init__(
        self,
        meeting_id: Any,
        chair_id: UserId | None,
        settings: RtcSettings | None = None,
        on_main: Callable[[UserId | None], None] | None = None,
        on_state: Callable[[UserId, str], None] | None = None,
        muted: Mutes | None = None,
    ) -> None:
        super().__init__(meeting_id, chair_id, settings or RtcSettings(), on_main, on_state, muted)

    async def join(self, user_id: UserId, offer_sdp: str, sdp_type: str = "offer") -> str:
        """Start (or replace) ``user_id``'s session; returns the SDP answer. InvalidOffer if bad."""
        peer = Peer(user_id, self.settings, self._peer_state, self._source_ended, self._layer)
        try:
            answer = await peer.answer(offer_sdp, sdp_type)
        except BaseException:
            await peer.close()
            raise
        for kind in self._muted.get(user_id, ()):
            self._apply_mute(peer, kind, True)
        await self._admit(peer)
        return answer

    # --- the wall (rtc:watch) ------------------------------------------------------------------

    async def watch(self, owner: UserId, halls: list[UserId], offer_sdp: str | None) -> str | None:
        """``owner``'s wall of ``halls`` (replacing their last one); no halls: it ends. Returns
        the SDP answer. InvalidOffer if bad."""
        old = self.walls.pop(owner, None)
        if old is not None:
            await old.close()
        if not halls or offer_sdp is None:
            return None
        wall = Wall(owner, halls, self.settings)
        try:
            answer = await wall.answer(offer_sdp)
        except BaseException:
            await wall.close()
            raise
        wall.on_closed = self._wall_closed
        self.walls[owner] = wall
        self._show_walls()
        return answer

    def tiles(self, owner: UserId) -> list[dict[str, Any]]:
        """What each tile of ``owner``'s wall shows: ``layer`` light|full, or None when that hall
        sends no picture now."""
        wall = self.walls.get(owner)
        out = []
        for hall in wall.halls if wall is not None else []:
            peer = self.peers.get(hall)
            source = wall_layer(peer.sources, peer.light) if peer is not None else None
            layer = None if source is None else "light" if source is peer.light else "full"  # type: ignore[union-attr]
            out.append({"user_id": hall, "publishing": source is not None, "layer": layer})
        return out

    def _show_walls(self) -> None:
        for wall in self.walls.values():
            shown = []
            for hall in wall.halls:
                peer = self.peers.get(hall)
                shown.append(wall_layer(peer.sources, peer.light) if peer is not None else None)
            wall.show(shown)

    def _wall_closed(self, wall: Wall) -> None:
        if self.walls.get(wall.owner) is wall:
            del self.walls[wall.owner]

    async def close(self) -> None:
        for wall in list(self.walls.values()):
            await wall.close()
        self.walls.clear()
        await super().close()

    # --- RoomBase ------------------------------------------------------------------------------

    async def _close(self, peer: Peer) -> None:
        await peer.close()

    def _publishes(self, peer: Peer) -> bool:
        return any(not s.ended for s in peer.sources.values())

    def _apply_route(self, main: UserId | None) -> None:
        main_peer = self.peers.get(main) if main is not None else None
        # /api §4: the hall on the main stream gets the chair's (or the chair's hall's)
        # stream instead of its own (sending a hall its own picture back cost it a write and a
        # key frame request a frame)
        alternate = self._chair_source(main)
        chair = self.peers.get(alternate) if alternate is not None else None
        for peer in self.peers.values():
            peer.shown = chair if peer is main_peer else main_peer
            self._send(peer)
        self._show_walls()  # a hall came, went or stopped sending

    def _send(self, peer: Peer) -> None:
        """Put behind ``peer``'s outputs what it is shown, in the layer its link carries."""
        shown = peer.shown
        light = shown.light if shown is not None else None
        if light is not None and (light.ended or light.refused or shown is None):
            light = None
        layer = peer.layers.set_layers(("full", "light", "audio") if light else ("full", "audio"))
        for kind, track in peer.outputs.items():
            source: Source | None = shown.sources.get(kind) if shown else None
            if kind == "video" and layer != "full":
                source = light if layer == "light" else None  # "audio": video stops
            if source is not None and source.ended:
                source = None
            if kind == "audio":
                track.set_redundant(layer != "full")  # audio first on a short link
            track.switch_to(source)

    def _apply_mute(self, peer: Peer, kind: str, muted: bool) -> None:
        for source in peer.published():
            if source.kind == kind:
                source.set_muted(muted)

    async def peer_stats(self) -> list[dict[str, Any]]:
        return [await peer.stats() for peer in list(self.peers.values())]

    # --- from the peers ------------------------------------------------------------------------

    def _peer_state(self, peer: Peer) -> None:
        self._state_changed(peer, peer.state)

    def _source_ended(self, source: Source) -> None:
        peer = self.peers.get(source.owner)
        if peer is not None and source in peer.published():
            self._route()

    def _layer(self, peer: Peer) -> None:
        if self.peers.get(peer.user_id) is peer:
            self._send(peer)
