"""A staff member's wall (/api §4 ``rtc:watch``): a second peer connection that receives the
light layers of up to 16 halls, one receive-only video m-line per hall in the order asked.

Each tile is one ForwardTrack fed by the hall's light layer (its full layer when it publishes no
light one), so a wall costs the server the forwarding of those frames only: no decoding, no
mixing. The room re-points the tiles whenever its halls come, go or stop sending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiortc import RTCPeerConnection, RTCSessionDescription

from . import aiortc_hooks as hooks
from .config import RtcSettings
from .errors import InvalidOffer
from .forward import ForwardTrack
from .offer import parse_offer
from .peer import forwardable_codecs
from .source import Source, UserId

log = logging.getLogger(__name__)

MAX_TILES = 16
# a browser's offer lists every codec it has on each of the 16 m-lines (~5 KB each)
MAX_WALL_SDP_BYTES = MAX_TILES * 8 * 1024


class Wall:
    def __init__(self, owner: UserId, halls: list[UserId], settings: RtcSettings) -> None:
        self.owner = owner
        self.halls = list(halls)
        self.settings = settings
        self.pc = RTCPeerConnection(settings.rtc_configuration())
        self.tiles: list[ForwardTrack] = []
        self.connected = asyncio.Event()
        self.closed = False
        self.on_closed: Callable[[Wall], None] | None = None
        self.pc.on("connectionstatechange", self._state_changed)

    async def answer(self, offer_sdp: str, sdp_type: str = "offer") -> str:
        description = parse_offer(
            offer_sdp, sdp_type, max_video=MAX_TILES, max_bytes=MAX_WALL_SDP_BYTES
        )
        videos = [m for m in description.media if m.kind == "video"]
        if len(videos) != len(self.halls) or len(description.media) != len(videos):
            raise InvalidOffer(
                f"a wall's offer has one video m-line per hall ({len(self.halls)}) and nothing else"
            )
        for _ in self.halls:
            track = ForwardTrack("video", self.settings.video_queue_frames)
            transceiver = self.pc.addTransceiver(track, direction="sendonly")
            transceiver.setCodecPreferences(forwardable_codecs("video"))
            hooks.on_keyframe_request(transceiver.sender, track.request_keyframe)
            if self.settings.fast_path:
                track.bind(transceiver)
            self.tiles.append(track)
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        except Exception as exc:
            raise InvalidOffer(f"offer refused: {exc}") from exc
        if self.settings.rtc_hosts is not None:
            hooks.use_host_addresses(self.pc, self.settings.rtc_hosts)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    def show(self, sources: list[Source | None]) -> None:
        """Put each hall's layer (None: it sends no picture) behind its tile."""
        for track, source in zip(self.tiles, sources, strict=True):
            track.switch_to(source)

    def _state_changed(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            self.connected.set()
        elif state in ("failed", "closed") and not self.closed:
            asyncio.ensure_future(self.close())

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for track in self.tiles:
            track.set_source(None)
            track.stop()
        await self.pc.close()
        if self.on_closed is not None:
            self.on_closed(self)


def wall_layer(sources: dict[str, Source], light: Source | None) -> Source | None:
    """What a tile shows of a hall: its light layer, else its full one; None if neither runs."""
    if light is not None and not light.ended and not light.refused:
        return light
    video = sources.get("video")
    return video if video is not None and not video.ended else None
