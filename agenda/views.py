"""What clients see of the agenda: an item's shape, the list pushed as `agenda:updated`, and the
snapshot's "agenda" part. One function per shape, used by actions, pushes and snapshot alike."""

from __future__ import annotations

from typing import Any

from agenda.models import AgendaItem, ItemStatus
from meeting.hub import Context, MeetingContext, snapshot_part
from meeting.models import Meeting, User


def item_view(item: AgendaItem, names: dict[int, str]) -> dict[str, Any]:
    presenter = item.presenter_id
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "presenter_id": presenter,
        "presenter_name": names.get(presenter) if presenter else None,
        "duration_min": item.duration_min,
        "status": item.status,
        "active": item.status == ItemStatus.ACTIVE,
    }


async def agenda_items(meeting: Meeting) -> list[dict[str, Any]]:
    items = await AgendaItem.filter(meeting=meeting).order_by("position", "id")
    ids = {i.presenter_id for i in items if i.presenter_id}
    names = dict(await User.filter(id__in=ids).values_list("id", "full_name")) if ids else {}
    return [item_view(i, names) for i in items]


async def push_agenda(ctx: MeetingContext) -> list[dict[str, Any]]:
    items = await agenda_items(ctx.meeting)
    ctx.push("agenda:updated", {"items": items})
    return items


@snapshot_part("agenda")
async def _snapshot_agenda(ctx: Context, meeting: Meeting) -> list[dict[str, Any]]:
    return await agenda_items(meeting)
