"""Agenda items as the core sees them: by id. The agenda feature (agenda/) owns the items; a
record of the core (a floor request, an opinion, a vote) only names one, and the core asks the
`AgendaItems` extension the agenda feature offers (Feature.extensions) whether an id is an item
of the meeting, and which item is under discussion. Arrows point into the core: it never
imports the agenda.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meeting.errors import invalid

if TYPE_CHECKING:
    from meeting.hub import MeetingContext
    from meeting.server import Server


@dataclass(frozen=True)
class AgendaItems:
    """An extension: `of_meeting(meeting_id, item_id)` -> is it an item of that meeting?
    `under_discussion(meeting_id)` -> the id of the item the chair opened, or None."""

    of_meeting: Callable[[int, int], Awaitable[bool]]
    under_discussion: Callable[[int], Awaitable[int | None]]


async def is_agenda_item(server: Server, meeting_id: int, item_id: int) -> bool:
    """A server without an agenda feature holds no items: no id is one."""
    found = server.extensions(AgendaItems)
    for ext in found:
        if not await ext.of_meeting(meeting_id, item_id):
            return False
    return bool(found)


async def named_item(ctx: MeetingContext, item_id: int | None) -> int | None:
    """The agenda item a payload names for a record of ctx's meeting: None, or an item of that
    meeting; any other id is refused (invalid)."""
    if item_id is not None and not await is_agenda_item(ctx.server, ctx.meeting.id, item_id):
        raise invalid(
            "Không có nội dung này trong chương trình", agenda_item_id="not this meeting's item"
        )
    return item_id


async def item_under_discussion(ctx: MeetingContext) -> int | None:
    for ext in ctx.server.extensions(AgendaItems):
        if (item_id := await ext.under_discussion(ctx.meeting.id)) is not None:
            return item_id
    return None
