"""What clients see of votes: `poll:state` (a public and, while open, a staff variant) and the
snapshot's "polls", plus who may vote (/api §3.2 `poll:state`; §3.3 `polls`).

One function per shape, used by the actions' acks, their pushes and the snapshot alike
(/api §3.2 `poll:state`, §3.3 `polls`).
"""

from __future__ import annotations

from typing import Any

from meeting.hub import Context, MeetingContext, snapshot_part
from meeting.models import VOTERS, Meeting, Participant, Response
from meeting.polls.models import Ballot, Poll, PollVoter
from meeting.views import full_names

# Default options of a vote (/api §3.1 poll:create).
DEFAULT_OPTIONS = ["Tán thành", "Không tán thành", "Không biểu quyết"]


def _seat_owner(user_id: int, deputy_of: dict[int, int | None]) -> int:
    """The member whose seat a user holds: a deputy holds the seat of the member they stand in
    for (following re-delegations, at most a few steps); anyone else holds their own."""
    seen = {user_id}
    while (up := deputy_of.get(user_id)) is not None and up not in seen:
        seen.add(up)
        user_id = up
    return user_id


async def seat_of(meeting_id: int, user_id: int) -> int:
    rows = await Participant.filter(meeting_id=meeting_id).values_list(
        "user_id", "substitute_for_id"
    )
    return _seat_owner(user_id, dict(rows))


async def eligible_voters(meeting_id: int, poll: Poll | None = None) -> int:
    """How many SEATS may vote: a seat counts when someone holding it (the member, or the deputy
    they sent) is present and a voter (chair, delegates, points). While a named poll is open (and
    at every close) the seats that already voted count too. While a SECRET poll is open they do
    not: `eligible` then moves with attendance alike for voters and non-voters, so toggling
    someone's attendance does not tell whether they voted."""
    rows = await Participant.filter(meeting_id=meeting_id).values_list(
        "user_id", "role", "response", "present", "substitute_for_id"
    )
    deputy_of = {uid: up for uid, _, _, _, up in rows}
    seats = {
        _seat_owner(uid, deputy_of)
        for uid, role, response, here, _ in rows
        if role in VOTERS and response != Response.DELEGATED and here
    }
    if poll is not None and not (poll.secret and poll.status == "open"):
        for seat, uid in await PollVoter.filter(poll=poll).values_list("seat_id", "user_id"):
            seats.add(seat if seat is not None else uid)
    return len(seats)


async def poll_view(poll: Poll, *, staff: bool) -> dict[str, Any]:
    """`poll:state` for staff (live counts while a NAMED poll is open) or for everyone (how many
    voted; the result once closed; names only for a named vote once closed). Nobody, staff
    included, sees a secret poll's counts before it closes: they would name each voter's choice
    to whoever watches them move between two pushes."""
    voted = await PollVoter.filter(poll=poll).count()
    closed = poll.status == "closed"
    live_counts = staff and poll.status == "open" and not poll.secret
    counts = None
    if closed or live_counts:
        counts = [0] * len(poll.options)
        for option in await Ballot.filter(poll=poll).values_list("option", flat=True):
            if 0 <= option < len(counts):
                counts[option] += 1
    if closed:
        eligible = poll.eligible_at_close
    elif poll.status == "open":
        eligible = await eligible_voters(poll.meeting_id, poll)
    else:
        eligible = await eligible_voters(poll.meeting_id)
    view: dict[str, Any] = {
        "poll_id": poll.id,
        "question": poll.question,
        "agenda_item_id": poll.agenda_item_id,
        "secret": poll.secret,
        "status": poll.status,
        "options": poll.options,
        "counts": counts,
        "voted": voted,
        "eligible": eligible,
        "opened_at": poll.opened_at,
        "closed_at": poll.closed_at,
        "view": "staff" if live_counts else "public",
    }
    if closed and not poll.secret:
        rows = await Ballot.filter(poll=poll, user_id__isnull=False).values_list(
            "user_id", "option"
        )
        names = await full_names({uid for uid, _ in rows})
        view["votes"] = sorted(
            ({"user_id": uid, "full_name": names.get(uid, ""), "option": opt} for uid, opt in rows),
            key=lambda v: (v["option"], v["full_name"]),
        )
    return view


def push_poll(ctx: Context, public: dict[str, Any], staff: dict[str, Any] | None) -> None:
    """Everyone gets the public variant (it is the change: bumps seq); while open, staff also get
    the staff variant (with counts) right after, so their last `poll:state` carries the counts."""
    ctx.push("poll:state", public)
    if staff is not None and staff != public:
        ctx.push("poll:state", staff, to="staff")


async def push_live_polls(ctx: MeetingContext) -> None:
    """Who may vote follows who is present: after a change of participants or attendance,
    the draft and open polls are pushed again (their `eligible` moved)."""
    for poll in await Poll.filter(meeting=ctx.meeting, status__in=["draft", "open"]).order_by("id"):
        push_poll(ctx, await poll_view(poll, staff=False), await poll_view(poll, staff=True))


async def polls_of(meeting: Meeting, *, staff: bool) -> list[dict[str, Any]]:
    polls = await Poll.filter(meeting=meeting).order_by("id")
    return [await poll_view(p, staff=staff) for p in polls]


@snapshot_part("polls")
async def _snapshot_polls(ctx: MeetingContext, meeting: Meeting) -> list[dict[str, Any]]:
    """Per caller: `i_voted` tells a tablet that reloads whether its user has voted (for a
    secret vote too — who voted is kept, only not what)."""
    polls = await polls_of(meeting, staff=ctx.is_staff)
    mine = set(
        await PollVoter.filter(poll__meeting=meeting, user=ctx.user).values_list(
            "poll_id", flat=True
        )
    )
    return [{**p, "i_voted": p["poll_id"] in mine} for p in polls]
