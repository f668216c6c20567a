"""Media plane: encoded-frame forwarding of the main stream to every participant. The feature
is rtc.feature.RTC; this package's root stays free of the server (worker processes import it)."""

from __future__ import annotations

from .config import RtcSettings
from .errors import InvalidOffer
from .room import Room

__all__ = ["InvalidOffer", "Room", "RtcSettings"]
