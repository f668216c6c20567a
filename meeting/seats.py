"""Who sits in which hall (/api §3.1 `participant:seat`): the hall a person speaks from when they
send no media of their own.

A person's hall is the connection point staff seated them in; else the point of their own unit;
else of the nearest unit above theirs that has a point in the meeting. A point sits in its own
hall. The unit tree is a few hundred rows, read whole (as identity.unit_and_descendants does).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from meeting.models import Participant, Role, Unit


class Sitter(NamedTuple):
    """What seating reads of a participant: five columns, not two whole models (a join storm
    asks for every hall of a 240-point meeting about once a second)."""

    id: int
    user_id: int
    role: Role
    seat_id: int | None
    unit_id: int | None

    @classmethod
    def of(cls, p: Participant) -> Sitter:
        """From a participant whose ``user`` is loaded."""
        return cls(p.id, p.user_id, Role(p.role), p.seat_id, p.user.unit_id)


def halls_of(parts: Iterable[Sitter], parents: dict[int, int | None]) -> dict[int, int | None]:
    """Each participant's hall (a point's user id, or None); ``parents`` is the unit tree
    (unit id -> parent id)."""
    parts = list(parts)
    points = {p.user_id: p for p in parts if p.role == Role.POINT}
    # The first point of a unit (by invitation) is that unit's hall: one answer, always the same.
    by_unit: dict[int, int] = {}
    for uid, p in sorted(points.items(), key=lambda kv: kv[1].id):
        if p.unit_id is not None:
            by_unit.setdefault(p.unit_id, uid)
    halls: dict[int, int | None] = {}
    for p in parts:
        uid = p.user_id
        seat = p.seat_id
        if uid in points:
            halls[uid] = uid
        elif seat is not None and seat in points:
            halls[uid] = seat
        else:
            halls[uid] = _nearest(p.unit_id, by_unit, parents)
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
    rows = await Participant.filter(meeting_id=meeting_id).values_list(
        "id", "user_id", "role", "seat_id", "user__unit_id"
    )
    return halls_of(
        (Sitter(pid, uid, Role(role), seat, unit) for pid, uid, role, seat, unit in rows),
        await unit_parents(),
    )
