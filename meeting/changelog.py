"""A meeting's change log and resuming from it (/api §3.4, `meeting:join {since_seq}`).

Every push about a meeting's state is written, in the transaction that makes the change, with
the seq it carries and its audience (everyone / staff / one user). A caller that resumes from
`since_seq` gets, in order, what it would have been pushed:

- every change after `since_seq` (seq > since_seq) whose audience includes it, and
- the pushes that carried `since_seq` itself without raising it (staff and single-user pushes:
  a draft conclusion, an opinion, the staff view of a vote): the caller may have missed them
  after applying `since_seq`. Every push is applied idempotently (replace, or upsert by id), so
  one already applied does no harm.

The log keeps the last LOG_BOUND seqs of a meeting. When it no longer holds every change after
`since_seq`, or the caller missed more than RESUME_MAX changes, or what it missed weighs more
than the snapshot, or the caller's own role changed meanwhile, the answer is the snapshot
(`resumed: false`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tortoise.expressions import Q

from meeting.errors import invalid
from meeting.hub import MeetingContext, meeting_room, staff_room
from meeting.jsonable import jsonable
from meeting.models import Audience, Change

if TYPE_CHECKING:
    from meeting.hub import Push

LOG_BOUND = 2000  # seqs kept per meeting (a long meeting has a few hundred)
PRUNE_EVERY = 100  # prune when seq crosses a multiple of this
RESUME_MAX = 300  # more missed changes than this: the snapshot is the cheaper answer
WEIGH_ABOVE = 32_000  # bytes of missed changes above which the snapshot is weighed against them


def _audiences(meeting_id: int, rooms: Iterable[str]) -> list[tuple[Audience, int | None]]:
    out: list[tuple[Audience, int | None]] = []
    for room in rooms:
        if room == meeting_room(meeting_id):
            out.append((Audience.ALL, None))
        elif room == staff_room(meeting_id):
            out.append((Audience.STAFF, None))
        elif room.startswith("u:"):
            out.append((Audience.USER, int(room[2:])))
    return out


async def record(meeting_id: int, seq: int, bumped: bool, pushes: list[Push]) -> None:
    """Write this change's pushes (already JSON-ready, seq included) to the log."""
    rows = [
        Change(
            meeting_id=meeting_id,
            seq=seq,
            bumped=bumped and audience == Audience.ALL,
            event=push.event,
            payload=json.dumps(push.data, ensure_ascii=False, separators=(",", ":")),
            audience=audience,
            user_id=user_id,
        )
        for push in pushes
        for audience, user_id in _audiences(meeting_id, push.rooms)
    ]
    if rows:
        await Change.bulk_create(rows)
    if bumped and seq % PRUNE_EVERY == 0 and seq > LOG_BOUND:
        await Change.filter(meeting_id=meeting_id, seq__lte=seq - LOG_BOUND).delete()


ROLE_CHANGED = "~role"  # a log-only entry: this user's role changed at that seq (never sent)


async def note_role_change(meeting_id: int, seq: int, user_ids: Iterable[int]) -> None:
    """Record that these users' roles change with the change at `seq`: a resume across it
    is a snapshot, since what they may see changed with their role."""
    await Change.bulk_create(
        [
            Change(
                meeting_id=meeting_id,
                seq=seq,
                bumped=False,
                event=ROLE_CHANGED,
                payload="{}",
                audience=Audience.USER,
                user_id=uid,
            )
            for uid in set(user_ids)
        ]
    )


async def changes_since(ctx: MeetingContext, since_seq: int) -> list[dict[str, Any]] | None:
    """What this caller missed after `since_seq`, or None when only a snapshot will do."""
    m = ctx.meeting
    if since_seq > m.seq:
        raise invalid("since_seq lớn hơn seq của cuộc họp", since_seq="ahead of the meeting's seq")
    if m.seq - since_seq > RESUME_MAX:
        return None
    if since_seq < m.seq:
        # The log must hold every change after since_seq (pruned, or older than the log).
        held = (
            await Change.filter(meeting_id=m.id, bumped=True, seq__gt=since_seq, seq__lte=m.seq)
            .distinct()
            .values_list("seq", flat=True)
        )
        if len(set(held)) != m.seq - since_seq:
            return None
    mine = Q(audience=Audience.ALL) | Q(audience=Audience.USER, user_id=ctx.user.id)
    if ctx.is_staff:
        mine |= Q(audience=Audience.STAFF)
    after = Q(seq__gt=since_seq) | Q(seq=since_seq, bumped=False)
    rows = (
        await Change.filter(Q(meeting_id=m.id), after, mine, Q(seq__lte=m.seq))
        .order_by("id")
        .values_list("event", "payload")
    )
    if any(event == ROLE_CHANGED for event, _ in rows):
        return None  # the caller's role changed: what it may see changed with it
    return [
        {"event": event, "data": json.loads(payload), "size": len(payload)}
        for event, payload in rows
    ]


async def resume_or_snapshot(ctx: MeetingContext, since_seq: int | None) -> dict[str, Any]:
    """`meeting:join`'s answer: the changes since `since_seq` when the log holds them (with the
    parts that are not seq'd state, whole), else the snapshot."""
    m = ctx.meeting
    snap: dict[str, Any] | None = None
    if since_seq is not None:
        changes = await changes_since(ctx, since_seq)
        size = sum(c.pop("size") for c in changes or [])
        if changes is not None and size > WEIGH_ABOVE:
            # The meeting changed a lot (big drafts, many pages): answer whichever is smaller.
            snap = await ctx.server.hub.snapshot(ctx)
            if len(json.dumps(jsonable(snap), ensure_ascii=False)) < size:
                changes = None
        if changes is not None:
            answer: dict[str, Any] = {
                "meeting_id": m.id,
                "seq": m.seq,
                "resumed": True,
                "changes": changes,
            }
            for part in ctx.server.composition.snapshot_parts:
                if part.live:
                    answer[part.name] = await part(ctx, m)
            return answer
    snap = snap or await ctx.server.hub.snapshot(ctx)
    if since_seq is not None:
        snap["resumed"] = False
    return snap
