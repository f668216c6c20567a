"""Agenda items, the calendar feed and invitations (.ics), and reminders before the start."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meeting.server import Server


def install(server: Server) -> None:
    from agenda import actions, calendar, reminders  # noqa: F401  (imports register)

    server.routes.extend(calendar.routes())
    server.services.append(reminders.reminder_service)
