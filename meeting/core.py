"""The core feature: meetings, invitations and seats, attendance, users and units,
notifications; its HTTP API; and the pages, mounted last."""

from __future__ import annotations

from starlette.routing import BaseRoute

from meeting import http, offline, pages, views
from meeting.actions import (
    attendance,
    meetings,
    notifications,
    participants,
    seats,
    units,
    users,
)
from meeting.fanout import fanout_service
from meeting.feature import Feature

CORE = Feature(
    "core",
    modules=[
        views,
        meetings,
        participants,
        attendance,
        seats,
        users,
        units,
        notifications,
    ],
    routes=http.routes(),
    services=[fanout_service],
    state=[views.ListCache],
)


def page_routes() -> list[BaseRoute]:
    """The app shell, the login and API pages and the static files: a catch-all, so the server
    mounts them after every feature's routes."""
    return [*offline.routes(), *pages.routes()]
