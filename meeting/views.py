"""What clients see of the core's records: the shapes of pushes and of the snapshot.
One function per shape, used by actions, pushes and snapshot alike."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from meeting.config import Settings
from meeting.hooks import WhenParticipantsChange
from meeting.hub import Context, MeetingContext, snapshot_part
from meeting.jsonable import jsonable
from meeting.models import VOTERS, Meeting, Participant, Response, User
from meeting.seats import Sitter, halls_of, meeting_halls, unit_parents

if TYPE_CHECKING:
    from meeting.server import Server


def meeting_view(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "description": m.description,
        "location": m.location,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "status": m.status,
        "chair_id": m.chair_id,
        "created_by": m.created_by_id,
        "cancel_reason": m.cancel_reason,
    }


async def full_names(user_ids: Iterable[int]) -> dict[int, str]:
    """User id -> full name, for the views that show who did something."""
    ids = set(user_ids)
    if not ids:
        return {}
    return dict(await User.filter(id__in=ids).values_list("id", "full_name"))


# What a participant row holds for everyone; staff also get who/when details (username, unit,
# invited_at, responded_at) that only their screens show (API page, "What non-staff receive").
PUBLIC_PARTICIPANT_FIELDS = (
    "user_id",
    "full_name",
    "title",
    "point",
    "role",
    "response",
    "note",
    "substitute_for",
    "present",
    "checked_in_at",
    "seat_id",
    "hall_id",
)


def participant_view(
    p: Participant, hall_id: int | None = None, *, staff: bool = True
) -> dict[str, Any]:
    u = p.user
    row = {
        "user_id": p.user_id,
        "username": u.username,
        "full_name": u.full_name,
        "title": u.title,
        "unit_id": u.unit_id,
        "point": u.is_point,
        "role": p.role,
        "response": p.response,
        "note": p.note,
        "substitute_for": p.substitute_for_id,
        "invited_at": p.invited_at,
        "responded_at": p.responded_at,
        "present": p.present,
        "checked_in_at": p.checked_in_at,
        # participant:seat: the hall staff chose (null: the default), and the hall in effect
        "seat_id": p.seat_id,
        "hall_id": hall_id,
    }
    return row if staff else {k: row[k] for k in PUBLIC_PARTICIPANT_FIELDS}


def summary(parts: list[Any], settings: Settings) -> dict[str, Any]:
    """Counts over the meeting's rows (Participant objects, or anything with role, response
    and present)."""
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


@dataclass(frozen=True)
class _Seat:
    role: str
    response: str
    present: bool


async def meeting_summary(meeting: Meeting, settings: Settings) -> dict[str, Any]:
    """The summary alone, from three columns: a delta push needs it, not the whole list."""
    rows = await Participant.filter(meeting=meeting).values_list("role", "response", "present")
    return summary([_Seat(*r) for r in rows], settings)


async def participants_payload(
    meeting: Meeting, settings: Settings, *, staff: bool = True
) -> dict[str, Any]:
    parts = await Participant.filter(meeting=meeting).select_related("user").order_by("id").all()
    halls = halls_of(map(Sitter.of, parts), await unit_parents())
    return {
        "participants": [participant_view(p, halls.get(p.user_id), staff=staff) for p in parts],
        "summary": summary(parts, settings),
    }


async def participants_delta(
    meeting: Meeting,
    settings: Settings,
    changed: Iterable[int],
    removed: Iterable[int] = (),
    *,
    staff: bool = True,
) -> dict[str, Any]:
    """`participants:updated` (/api §3.2): the rows of `changed` users, whole; `removed`
    user ids; the summary. A client upserts the rows by user_id."""
    ids = set(changed)
    rows = (
        await Participant.filter(meeting=meeting, user_id__in=ids)
        .select_related("user")
        .order_by("id")
        .all()
        if ids
        else []
    )
    halls = await meeting_halls(meeting.id) if rows else {}
    return {
        "participants": [participant_view(p, halls.get(p.user_id), staff=staff) for p in rows],
        "removed": sorted(set(removed) - ids),
        "summary": await meeting_summary(meeting, settings),
        "view": "staff" if staff else "public",
    }


async def push_participants(
    ctx: MeetingContext,
    changed: Iterable[int] = (),
    removed: Iterable[int] = (),
    *,
    halls_before: dict[int, int | None] | None = None,
) -> dict[str, Any]:
    """Push `participants:updated` with what changed — and what features push when
    participants change (WhenParticipantsChange: the votes whose eligible count follows
    attendance) — as part of the current change. Returns the payload (actions answer with it).
    `halls_before`: everyone's hall before a change that can move people between halls (a point
    invited or removed): the rows whose `hall_id` moved are changed rows too."""
    changed = set(changed)
    if halls_before is not None:
        now = await meeting_halls(ctx.meeting.id)
        changed |= {uid for uid, hall in now.items() if halls_before.get(uid, hall) != hall}
    payload = await participants_delta(ctx.meeting, ctx.server.settings, changed, removed)
    public = {
        **payload,
        "participants": [
            {k: row[k] for k in PUBLIC_PARTICIPANT_FIELDS} for row in payload["participants"]
        ],
        "view": "public",
    }
    # Everyone gets the public rows (the change: bumps seq); staff then get the whole rows with
    # the same seq, as with the staff view of a vote.
    ctx.push("participants:updated", public)
    if changed:
        ctx.push("participants:updated", payload, to="staff")
    for hook in ctx.server.extensions(WhenParticipantsChange):
        await hook.run(ctx)
    return payload if ctx.is_staff else public


async def push_meeting(ctx: MeetingContext) -> None:
    ctx.push("meeting:updated", meeting_view(ctx.meeting))


@snapshot_part("meeting", merge=True)
async def _snapshot_meeting(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    return meeting_view(meeting)


# The participant list of a meeting at a seq, as snapshots show it (staff / everyone else):
# in a join storm 240 snapshots are built at a handful of seqs, and building 240 rows from the
# database for each was most of the storm's work. Keyed by seq, it is right on every process:
# each change of a row is pushed with a later seq (check-ins that are committed but not yet
# pushed reach the joining socket with that push, which it then applies).
# One cache per server (the core's per-server state: a test process may run several servers,
# each on its own database).
_LIST_CACHE_SIZE = 16


class ListCache:
    def __init__(self, server: Server) -> None:
        self.lists: OrderedDict[tuple[int, int, bool], dict[str, Any]] = OrderedDict()


@snapshot_part("participants", merge=True)
async def _snapshot_participants(ctx: MeetingContext, meeting: Meeting) -> dict[str, Any]:
    cache = ctx.server.state(ListCache).lists
    key = (meeting.id, meeting.seq, ctx.is_staff)
    found = cache.get(key)
    if found is None:
        payload = await participants_payload(meeting, ctx.server.settings, staff=ctx.is_staff)
        found = cache[key] = jsonable(payload)
        while len(cache) > _LIST_CACHE_SIZE:
            cache.popitem(last=False)
    return found
