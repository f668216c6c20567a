"""What clients see of the core's records: the shapes of pushes and of the snapshot.
One function per shape, used by actions, pushes and snapshot alike."""

from __future__ import annotations

from typing import Any

from meeting.config import Settings
from meeting.hub import Context, snapshot_part
from meeting.models import VOTERS, AgendaItem, ItemStatus, Meeting, Participant, Response, User
from meeting.seats import halls_of, unit_parents


def meeting_view(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "description": m.description,
        "location": m.location,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "status": m.status,
        "chair_id": m.chair_id,  # type: ignore[attr-defined]
        "created_by": m.created_by_id,  # type: ignore[attr-defined]
        "cancel_reason": m.cancel_reason,
    }


def item_view(item: AgendaItem, names: dict[int, str]) -> dict[str, Any]:
    presenter = item.presenter_id  # type: ignore[attr-defined]
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
    ids = {i.presenter_id for i in items if i.presenter_id}  # type: ignore[attr-defined]
    names = dict(await User.filter(id__in=ids).values_list("id", "full_name")) if ids else {}
    return [item_view(i, names) for i in items]


def participant_view(p: Participant, hall_id: int | None = None) -> dict[str, Any]:
    u = p.user
    return {
        "user_id": p.user_id,  # type: ignore[attr-defined]
        "username": u.username,
        "full_name": u.full_name,
        "title": u.title,
        "unit_id": u.unit_id,  # type: ignore[attr-defined]
        "point": u.is_point,
        "role": p.role,
        "response": p.response,
        "note": p.note,
        "substitute_for": p.substitute_for_id,  # type: ignore[attr-defined]
        "invited_at": p.invited_at,
        "responded_at": p.responded_at,
        "present": p.present,
        "checked_in_at": p.checked_in_at,
        # participant:seat: the hall staff chose (null: the default), and the hall in effect
        "seat_id": p.seat_id,  # type: ignore[attr-defined]
        "hall_id": hall_id,
    }


def summary(parts: list[Participant], settings: Settings) -> dict[str, Any]:
    counts = {r.value: 0 for r in Response}
    for p in parts:
        counts[p.response] += 1
    # Quorum counts the voting members (chair, delegates, points); one who sent a deputy is
    # replaced by the deputy, so is not counted twice.
    members = [p for p in parts if p.role in VOTERS and p.response != Response.DELEGATED]
    present_members = sum(1 for p in members if p.present)
    return {
        "invited": len(parts),
        **counts,
        "present": sum(1 for p in parts if p.present),
        "members": len(members),
        "members_present": present_members,
        "quorum_met": bool(members) and present_members > settings.quorum_fraction * len(members),
    }


async def participants_payload(meeting: Meeting, settings: Settings) -> dict[str, Any]:
    parts = await Participant.filter(meeting=meeting).select_related("user").order_by("id").all()
    halls = halls_of(parts, await unit_parents())
    return {
        "participants": [participant_view(p, halls.get(p.user_id)) for p in parts],  # type: ignore[attr-defined]
        "summary": summary(parts, settings),
    }


async def push_participants(ctx: Context) -> dict[str, Any]:
    """Push `participants:updated` — and the polls whose eligible count follows attendance —
    as part of the current change. Returns the payload (actions answer with it)."""
    from meeting.floor_views import push_live_polls  # polls sit on top of participants

    assert ctx.meeting is not None
    payload = await participants_payload(ctx.meeting, ctx.server.settings)
    ctx.push("participants:updated", payload)
    await push_live_polls(ctx)
    return payload


async def push_meeting(ctx: Context) -> None:
    assert ctx.meeting is not None
    ctx.push("meeting:updated", meeting_view(ctx.meeting))


@snapshot_part("meeting", merge=True)
async def _snapshot_meeting(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    return meeting_view(meeting)


@snapshot_part("participants", merge=True)
async def _snapshot_participants(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    return await participants_payload(meeting, ctx.server.settings)
