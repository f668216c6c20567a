"""A meeting's time as people read it: in the province's time zone (PROVINCE_TIMEZONE, set once
at start by meeting/jsonable.set_zone), written the one Vietnamese way, "08:00 ngày 05/03/2025"."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from meeting.jsonable import zone

if TYPE_CHECKING:
    from meeting.models import Meeting


def local(at: datetime) -> datetime:
    """`at` in the province's time zone."""
    return at.astimezone(zone())


def clock_text(at: datetime) -> str:
    """ "08:00": the time of day in the province."""
    return local(at).strftime("%H:%M")


def when_text(at: datetime) -> str:
    """ "08:00 ngày 05/03/2025" (fixed width: a viewer's stamped copy keeps its length)."""
    return local(at).strftime("%H:%M ngày %d/%m/%Y")


def when_where(m: Meeting, *, date: bool = True) -> str:
    """When and where a meeting starts, as invitations and reminders say it: "08:00 ngày
    05/03/2025, tại Hội trường A" (`date=False`: "08:00, tại Hội trường A")."""
    text = when_text(m.starts_at) if date else clock_text(m.starts_at)
    return f"{text}, tại {m.location}" if m.location else text
