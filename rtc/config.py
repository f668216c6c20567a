"""Media settings (the server fills them from RTC_HOSTS / RTC_ICE_SERVERS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer


@dataclass(frozen=True)
class RtcSettings:
    # ICE host candidates to offer; None = every non-loopback interface (aioice's default)
    rtc_hosts: list[str] | None = None
    # STUN/TURN URLs; a TURN URL may carry credentials: turn:USER:PASS@host:3478?transport=udp
    rtc_ice_servers: list[str] = field(default_factory=list)
    # a peer that is not connected this long after its offer is dropped
    ice_timeout_s: float = 20.0
    # at most one key frame request per publisher per this interval
    keyframe_interval_s: float = 0.5
    # per-receiver queue bounds (frames): ~0.3 s of video, ~0.5 s of audio
    video_queue_frames: int = 10
    audio_queue_frames: int = 25
    # write RTP straight to SRTP + UDP (rtc/rtp_writer.py) instead of through aiortc's sender
    fast_path: bool = True
    # media worker processes (rtc/workers.py); 0: every peer connection in the server process
    rtc_workers: int = 0

    def rtc_configuration(self) -> RTCConfiguration:
        # iceServers=[] matters: aiortc's default is a public Google STUN server.
        # max-bundle: with aiortc's default (balanced), a second video m-line (the light layer)
        # in an offer whose first m-line is audio (a browser's) is left on a transport that the
        # BUNDLE step then discards, so its packets were dropped unseen.
        return RTCConfiguration(
            iceServers=[parse_ice_server(u) for u in self.rtc_ice_servers],
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
        )


def parse_ice_server(url: str) -> RTCIceServer:
    scheme, _, rest = url.partition(":")
    if scheme in ("turn", "turns") and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        username, _, password = credentials.partition(":")
        return RTCIceServer(
            urls=f"{scheme}:{host}", username=unquote(username), credential=unquote(password)
        )
    return RTCIceServer(urls=url)
