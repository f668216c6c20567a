"""Errors the server maps to PROTOCOL error codes."""


class InvalidOffer(ValueError):
    """The SDP is not a usable offer (garbage, an answer, no audio/video, no VP8/Opus) → ``invalid``."""
