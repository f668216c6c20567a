"""Media plane: encoded-frame forwarding of the main stream to every participant."""

from .config import RtcSettings
from .errors import InvalidOffer, NotInRoom
from .room import Room

__all__ = ["InvalidOffer", "NotInRoom", "Room", "RtcSettings"]
