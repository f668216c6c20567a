"""Errors the server maps to the contract's error codes (/api §3.1)."""


class InvalidOffer(ValueError):
    """The SDP is not a usable offer (garbage, an answer, no audio/video, no VP8/Opus) → ``invalid``."""
