"""Reminders: a notification to every participant `reminder_minutes` before a meeting starts.

One service per process sleeps on the server's clock until the next reminder is due (or a
meeting changes). Claiming a meeting is one conditional UPDATE, so with several processes each
reminder still goes out once, and a restart loses none (the claim is in the database).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from meeting.models import Meeting, MeetingStatus, Participant, Response
from meeting.notify import store_notifications
from meeting.signals import MeetingChanged
from meeting.when import when_where

if TYPE_CHECKING:
    from meeting.server import Server

IDLE = timedelta(minutes=5)  # re-check now and then even when nothing is due


class Wake:
    """Per-server state: set when a meeting changes, so the service looks again at once."""

    def __init__(self, server: Server) -> None:
        self.event = asyncio.Event()


async def meeting_changed(server: Server, signal: MeetingChanged) -> None:
    server.state(Wake).event.set()


async def send_due(server: Server) -> None:
    now = server.clock.now()
    lead = timedelta(minutes=server.settings.reminder_minutes)
    due = await Meeting.filter(
        status=MeetingStatus.SCHEDULED,
        reminded_at=None,
        starts_at__lte=now + lead,
        starts_at__gt=now,
    )
    for m in due:
        claimed = await Meeting.filter(id=m.id, reminded_at=None).update(reminded_at=now)
        if not claimed:
            continue  # another process sent it
        text = f"Nhắc lịch: {m.title} bắt đầu lúc {when_where(m, date=False)}"
        seats = (
            await Participant.filter(meeting=m)
            .exclude(response__in=[Response.DECLINED, Response.DELEGATED])
            .values_list("user_id", flat=True)
        )
        # No transaction holds these rows: they are committed as they are stored.
        stored = await store_notifications(seats, "reminder", text, meeting=m, at=now)
        await server.notifier.deliver(stored)


async def next_due(server: Server):  # noqa: ANN201 - a datetime
    lead = timedelta(minutes=server.settings.reminder_minutes)
    now = server.clock.now()
    m = (
        await Meeting.filter(status=MeetingStatus.SCHEDULED, reminded_at=None, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    fallback = now + IDLE
    if m is None:
        return fallback
    return min(max(m.starts_at - lead, now), fallback)


async def reminder_service(server: Server) -> None:
    wake = server.state(Wake).event
    while True:
        wake.clear()
        await send_due(server)
        await server.clock.sleep_until(await next_due(server), wake)
