"""The core's part of the server: the Socket.IO transport, its actions and HTTP routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meeting import actions, http, offline, pages, realtime, views  # noqa: F401  (imports register)

if TYPE_CHECKING:
    from meeting.server import Server


def install(server: Server) -> None:
    realtime.install(server)
    server.routes.extend(http.routes())


def install_pages(server: Server) -> None:
    server.routes.extend(offline.routes())
    server.routes.extend(pages.routes())
