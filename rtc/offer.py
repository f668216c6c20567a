"""Checking a client's SDP offer before aiortc sees it, so every bad one is an InvalidOffer."""

from __future__ import annotations

from aiortc import sdp

from .errors import InvalidOffer
from .source import FORWARDABLE

MAX_SDP_BYTES = 64 * 1024


def parse_offer(
    text: object, sdp_type: str = "offer", max_video: int = 2, max_bytes: int = MAX_SDP_BYTES
) -> sdp.SessionDescription:
    """``max_video``: the video m-lines allowed (a wall's offer has one per hall, so it may
    also be larger: ``max_bytes``)."""
    if sdp_type != "offer":
        raise InvalidOffer(f"expected an SDP offer, got type {sdp_type!r}")
    if not isinstance(text, str) or not text.strip():
        raise InvalidOffer("the SDP is empty")
    if len(text) > max_bytes:
        raise InvalidOffer("the SDP is too large")
    try:
        description = sdp.SessionDescription.parse(text)
    except Exception as exc:  # aiortc's parser raises whatever the text makes it raise
        raise InvalidOffer(f"unreadable SDP: {exc}") from exc
    media = [m for m in description.media if m.kind in FORWARDABLE]
    if not media:
        raise InvalidOffer("the offer has no audio or video")
    if max_video == 2 and sum(m.kind == "video" for m in media) > 2:
        # /api §4: at most a full and a light layer, in that order
        raise InvalidOffer("at most two video m-lines: the full layer, then the light one")
    for m in media:
        if m.dtls is None or m.dtls.role != "auto":
            # JSEP: an offer says a=setup:actpass; active/passive means this is an answer
            raise InvalidOffer("not an offer (a=setup must be actpass)")
        if not m.ice.usernameFragment or not m.ice.password:
            raise InvalidOffer("ICE credentials are missing")
        names = {c.name.lower() for c in m.rtp.codecs}
        if FORWARDABLE[m.kind] not in names:
            raise InvalidOffer(f"{m.kind} must offer {FORWARDABLE[m.kind].upper()}")
    return description
