"""(to be written)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meeting.server import Server


def install(server: Server) -> None:
    pass
