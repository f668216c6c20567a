"""Media plane: encoded-frame forwarding of the main stream to every participant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import RtcSettings
from .errors import InvalidOffer
from .room import Room

if TYPE_CHECKING:
    from meeting.server import Server

__all__ = ["InvalidOffer", "Room", "RtcSettings", "install"]


def install(server: Server) -> None:
    from rtc import actions  # noqa: F401  (imports register the actions and signal handlers)
    from rtc.service import points_service

    server.services.append(points_service)
