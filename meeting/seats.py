"""Who sits in which hall (/api §3.1 `participant:seat`): the hall a person speaks from when they
send no media of their own.

A person's hall is the connection point staff seated them in; else the point of their own unit;
else of the nearest unit above theirs that has a point in the meeting. A point sits in its own
hall. The unit tree is a few hundred rows, read whole (as identity.unit_and_descendants does).
"""

from __future__ import annotations

from meeting.models import Participant, Role, Unit


def halls_of(parts: list[Participant], parents: dict[int, int | None]) -> dict[int, int | None]:
    """Each participant's hall (a point's user id, or None). ``parts`` need their ``user``
    loaded; ``parents`` is the unit tree (unit id -> parent id)."""
    points = {p.user_id: p for p in parts if p.role == Role.POINT}
    # The first point of a unit (by invitation) is that unit's hall: one answer, always the same.
    by_unit: dict[int, int] = {}
    for uid, p in sorted(points.items(), key=lambda kv: kv[1].id):
        unit = p.user.unit_id
        if unit is not None:
            by_unit.setdefault(unit, uid)
    halls: dict[int, int | None] = {}
    for p in parts:
        uid = p.user_id
        seat = p.seat_id
        if uid in points:
            halls[uid] = uid
        elif seat is not None and seat in points:
            halls[uid] = seat
        else:
            halls[uid] = _nearest(p.user.unit_id, by_unit, parents)
    return halls


def _nearest(
    unit: int | None, by_unit: dict[int, int], parents: dict[int, int | None]
) -> int | None:
    seen: set[int] = set()
    while unit is not None and unit not in seen:
        if unit in by_unit:
            return by_unit[unit]
        seen.add(unit)
        unit = parents.get(unit)
    return None


async def unit_parents() -> dict[int, int | None]:
    return dict(await Unit.all().values_list("id", "parent_id"))


async def meeting_halls(meeting_id: int) -> dict[int, int | None]:
    """Every participant's hall in the meeting now."""
    parts = await Participant.filter(meeting_id=meeting_id).select_related("user").all()
    return halls_of(parts, await unit_parents())
