"""One participant's media session: a peer connection that publishes and receives the main stream."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

from . import aiortc_hooks as hooks
from .config import RtcSettings
from .errors import InvalidOffer
from .forward import ForwardTrack
from .keyframes import KeyframeRequester
from .layers import LayerChooser, Report
from .offer import parse_offer
from .source import FORWARDABLE, Source, UserId

log = logging.getLogger(__name__)


def forwardable_codecs(kind: str) -> list[RTCRtpCodecCapability]:
    """VP8 (+RTX) or Opus only: every publisher and every receiver must share the codec, since
    frames are forwarded as they were encoded."""
    wanted = FORWARDABLE[kind]
    codecs = RTCRtpSender.getCapabilities(kind).codecs
    return [c for c in codecs if c.name.lower() in (wanted, "rtx")]


# how often a peer's layer is looked at without a report (silence counts as health)
LAYER_TICK_S = 0.5


class Peer:
    """``on_layer(peer)`` is called when the layer this peer should get changes (rtc/layers.py);
    without it (worker mode, which forwards the full layer only) the layer stays ``full``.
    ``light`` is its own second video layer when its offer has one (/api §4)."""

    def __init__(
        self,
        user_id: UserId,
        settings: RtcSettings,
        on_state: Callable[[Peer], None],
        on_source_ended: Callable[[Source], None],
        on_layer: Callable[[Peer], None] | None = None,
    ) -> None:
        self.user_id = user_id
        self.settings = settings
        self.pc = RTCPeerConnection(settings.rtc_configuration())
        self.sources: dict[str, Source] = {}
        self.light: Source | None = None
        self.layers = LayerChooser(time.monotonic, rate_of=self._rate_of)
        self.shown: Peer | None = None  # whose stream it is sent now (set by the room)
        self._on_layer = on_layer
        self._ticker: asyncio.Task[None] | None = None
        self.outputs: dict[str, ForwardTrack] = {}
        self.state = "new"
        self.connected = asyncio.Event()
        self.closed = False
        self._on_state = on_state
        self._on_source_ended = on_source_ended
        self._last_sample: tuple[float, int, int, int] | None = None  # t, bytes, received, lost
        self._connected_at: float | None = None
        self._figures = {"bitrate_kbps": 0.0, "loss_pct": 0.0}
        self.pc.on("connectionstatechange", self._state_changed)

    def __repr__(self) -> str:
        return f"Peer({self.user_id!r}, {self.state})"

    async def answer(self, offer_sdp: str, sdp_type: str = "offer") -> str:
        description = parse_offer(offer_sdp, sdp_type)
        settings = self.settings
        # One sendrecv transceiver per kind, created BEFORE the offer is applied so that aiortc
        # pairs them with the offer's m-lines and negotiates only the forwardable codec.
        for kind in dict.fromkeys(m.kind for m in description.media if m.kind in FORWARDABLE):
            queue = settings.video_queue_frames if kind == "video" else settings.audio_queue_frames
            track = ForwardTrack(kind, queue)
            transceiver = self.pc.addTransceiver(track, direction="sendrecv")
            transceiver.setCodecPreferences(forwardable_codecs(kind))
            hooks.on_keyframe_request(transceiver.sender, track.request_keyframe)
            clock_rate = 90000 if kind == "video" else 48000
            hooks.on_rtcp_report(transceiver.sender, clock_rate, self._rtcp_report)
            if settings.fast_path:
                track.bind(transceiver)
            self.outputs[kind] = track
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        except Exception as exc:  # aiortc raises ValueError, OperationError, ... on bad offers
            raise InvalidOffer(f"offer refused: {exc}") from exc

        for transceiver in self.pc.getTransceivers():
            if transceiver.kind == "audio":
                hooks.ask_opus_fec(transceiver)  # /api §4: audio first; FEC for lossy links
            receiver = transceiver.receiver
            if receiver.track is None:
                continue  # the client does not send this m-line
            kind = transceiver.kind
            full = self.sources.get(kind)
            if full is not None and (kind != "video" or self.light is not None):
                # an extra audio track: read and discard it, never decode
                hooks.tap_encoded_frames(receiver, lambda c, f: None, lambda: None)
                continue
            requester = None
            if kind == "video":
                requester = KeyframeRequester(
                    lambda r=receiver: hooks.send_pli(r), settings.keyframe_interval_s
                )
            # the second video m-line is the light layer of the same camera
            source = Source(kind, self.user_id, requester, self._on_source_ended, full)
            hooks.tap_encoded_frames(receiver, source.on_frame, source.end)
            if full is None:
                self.sources[kind] = source
            else:
                self.light = full.light = source

        if settings.rtc_hosts is not None:
            hooks.use_host_addresses(self.pc, settings.rtc_hosts)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        for transceiver in self.pc.getTransceivers():
            track = transceiver.sender.track
            if (
                isinstance(track, ForwardTrack)
                and self.outputs.get(track.kind) is track
                and transceiver.currentDirection not in ("sendrecv", "sendonly")
            ):
                # the client receives nothing of this kind (a send-only offer): nothing to
                # forward, and frames pushed into an unstarted sender would only pile up
                del self.outputs[track.kind]
                track.stop()
        self._set_state("connecting")
        return self.pc.localDescription.sdp

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for track in self.outputs.values():
            track.stop()
        for source in self.published():
            source.end()
        if self._ticker is not None:
            self._ticker.cancel()
        await self.pc.close()
        self._set_state("closed")

    def _state_changed(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            if self._connected_at is None:
                self._connected_at = time.monotonic()
                if self._on_layer is not None:
                    self._ticker = asyncio.ensure_future(self._tick_layers())
            self.connected.set()
        self._set_state(state)

    def _set_state(self, state: str) -> None:
        if state == self.state or (self.closed and state != "closed"):
            return
        log.info("%s: %s -> %s", self.user_id, self.state, state)
        self.state = state
        self._on_state(self)

    def published(self) -> list[Source]:
        """Every track it sends us: its audio and video and, if any, its light layer."""
        return [*self.sources.values(), *([self.light] if self.light is not None else [])]

    # --- its layer (rtc/layers.py) ---------------------------------------------------------------

    @property
    def layer(self) -> str:
        return self.layers.layer

    def _rtcp_report(self, report: Report) -> None:
        if self._on_layer is None:
            return
        before = self.layers.layer
        if self.layers.report(report) != before:
            self._layer_changed(before)

    async def _tick_layers(self) -> None:
        while not self.closed:
            await asyncio.sleep(LAYER_TICK_S)
            before = self.layers.layer
            if self.layers.tick() != before:
                self._layer_changed(before)

    def _layer_changed(self, before: str) -> None:
        moves = self.layers.moves
        why = moves[-1] if moves else f"{before} -> {self.layers.layer}"
        log.info("%s: layer %s", self.user_id, why)
        if self._on_layer is not None and not self.closed:
            self._on_layer(self)

    def _rate_of(self, layer: str) -> float:
        """Bits/s the layer ``layer`` of what this peer is shown sends (0: unknown)."""
        shown = self.shown
        if shown is None:
            return 0.0
        audio = shown.sources.get("audio")
        rate = audio.rate_bps if audio is not None else 0.0
        video = shown.sources.get("video") if layer == "full" else shown.light
        if layer != "audio" and video is not None:
            rate += video.rate_bps
        return rate

    async def stats(self) -> dict[str, Any]:
        """Link figures for ``rtc:points``: bitrate in (what the hall sends us), loss % (the worse
        of upstream loss we measure and downstream loss the hall reports in its RTCP RR), RTT (from
        the RR of what we send it)."""
        received = lost = 0
        rtt: float | None = None
        down_loss = 0.0
        for transceiver in self.pc.getTransceivers():
            for report in (await transceiver.receiver.getStats()).values():
                if report.type == "inbound-rtp":
                    received += report.packetsReceived
                    lost += max(report.packetsLost, 0)
            if transceiver.sender.track is not None:
                for report in (await transceiver.sender.getStats()).values():
                    if report.type == "remote-inbound-rtp":
                        down_loss = max(down_loss, report.fractionLost / 256 * 100)
                        if report.roundTripTime is not None:
                            rtt = max(rtt or 0.0, report.roundTripTime)
        now = time.monotonic()
        total = sum(s.bytes for s in self.published())
        gap = 0.5  # between samples, so that a figure is not the noise of a few packets
        if self._last_sample is None and self._connected_at is not None:
            # The first report since connecting counts from then (nothing arrives before), so
            # it is not 0 for want of an earlier sample.
            self._last_sample, gap = (self._connected_at, 0, 0, 0), 0.0
        sample = self._last_sample
        if sample is not None and now - sample[0] >= gap and now > sample[0]:
            t0, bytes0, received0, lost0 = sample
            self._figures["bitrate_kbps"] = round((total - bytes0) * 8 / (now - t0) / 1000, 1)
            d_received, d_lost = received - received0, lost - lost0
            up_loss = d_lost / (d_received + d_lost) * 100 if d_received + d_lost > 0 else 0.0
            self._figures["loss_pct"] = round(max(up_loss, down_loss), 1)
        if sample is not None and now - sample[0] >= 0.5:
            self._last_sample = (now, total, received, lost)
        return {
            "user_id": self.user_id,
            "state": self.state,
            **self._figures,
            "rtt_ms": round(rtt * 1000, 1) if rtt is not None else None,
            "layer": self.layers.layer,
        }
