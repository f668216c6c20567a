"""Votes (biểu quyết): staff create, the chair opens and closes, each seat votes once.

Voters are the chair, delegates and points. A member who sent a deputy votes through the deputy,
who must be present; the seat (the member and whoever holds it for them) has one vote per poll,
whatever the order of delegations, re-delegations and taking the seat back. WHO voted
(PollVoter) is stored apart from WHAT was voted; a secret vote's choice is sealed until the close
(meeting/polls/ballot_box.py), so no row, commit or WAL frame links a person to a choice. The eligible
count is frozen at close. When the meeting ends, open votes close inside meeting:end's
transaction (close_open_polls, offered to the core as WhenMeetingEnds: meeting/polls/feature.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from meeting.agenda_ref import named_item
from meeting.errors import conflict, forbidden, invalid, not_found
from meeting.hub import STAFF, Context, MeetingContext, Payload, action, meeting_of
from meeting.models import VOTERS, MeetingStatus, Response, Role
from meeting.polls import ballot_box
from meeting.polls.models import Ballot, Poll, PollVoter
from meeting.polls.views import DEFAULT_OPTIONS, eligible_voters, poll_view, push_poll, seat_of

Option = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PollCreate(Payload):
    meeting_id: int
    question: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    options: list[Option] | None = Field(default=None, min_length=2, max_length=20)
    secret: bool = False
    agenda_item_id: int | None = None


class PollId(Payload):
    poll_id: int


class PollVote(Payload):
    poll_id: int
    option: int


# Actions that name a vote are about the vote's meeting.
poll_meeting = meeting_of(Poll, "poll_id")


async def _the_poll(ctx: MeetingContext, poll_id: int) -> Poll:
    poll = await Poll.get_or_none(id=poll_id, meeting=ctx.meeting)
    if poll is None:
        raise not_found("Không có cuộc biểu quyết này")
    return poll


BALLOT_WINDOW_S = 0.2


async def _push(ctx: MeetingContext, poll: Poll) -> dict[str, Any]:
    public = await poll_view(poll, staff=False)
    staff = await poll_view(poll, staff=True) if poll.status == "open" else None
    push_poll(ctx, public, staff)
    return staff if (staff is not None and ctx.is_staff) else public


@action("poll:create", payload=PollCreate, roles=STAFF)
async def create(ctx: MeetingContext, p: PollCreate) -> dict[str, Any]:
    m = ctx.meeting
    if m.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        raise conflict("Cuộc họp đã kết thúc hoặc đã huỷ")
    await named_item(ctx, p.agenda_item_id)
    options = p.options or list(DEFAULT_OPTIONS)
    if len(set(options)) != len(options):
        raise invalid("Các phương án phải khác nhau", options="duplicates")
    poll = await Poll.create(
        meeting=m,
        agenda_item_id=p.agenda_item_id,
        question=p.question,
        options=options,
        secret=p.secret,
        created_at=ctx.now,
    )
    return await _push(ctx, poll)


@action("poll:open", payload=PollId, roles={Role.CHAIR}, meeting=poll_meeting)
async def open_poll(ctx: MeetingContext, p: PollId) -> dict[str, Any]:
    if ctx.meeting.status != MeetingStatus.IN_PROGRESS:
        raise conflict("Cuộc họp không đang diễn ra")
    poll = await _the_poll(ctx, p.poll_id)
    if poll.status != "draft":
        raise conflict("Cuộc biểu quyết đã mở hoặc đã kết thúc")
    poll.status = "open"
    poll.opened_at = ctx.now
    await poll.save()
    return await _push(ctx, poll)


async def _close(ctx: Context, poll: Poll) -> dict[str, Any]:
    if poll.secret:
        await ballot_box.open_box(ctx.server.settings.secret_key, poll)
        ctx.after_commit(ballot_box.forget_history)
    poll.status = "closed"  # first: a closed poll's eligible counts the seats that voted
    poll.eligible_at_close = await eligible_voters(poll.meeting_id, poll)
    poll.closed_at = ctx.now
    await poll.save()
    return await _push(ctx, poll)


@action("poll:close", payload=PollId, roles={Role.CHAIR}, meeting=poll_meeting)
async def close_poll(ctx: MeetingContext, p: PollId) -> dict[str, Any]:
    poll = await _the_poll(ctx, p.poll_id)
    if poll.status != "open":
        raise conflict("Cuộc biểu quyết không đang mở")
    return await _close(ctx, poll)


async def close_open_polls(ctx: MeetingContext) -> None:
    """When the meeting ends (inside meeting:end): votes still open close with their count."""
    for poll in await Poll.filter(meeting=ctx.meeting, status="open"):
        await _close(ctx, poll)


@action("poll:vote", payload=PollVote, roles=VOTERS, meeting=poll_meeting)
async def vote(ctx: MeetingContext, p: PollVote) -> dict[str, Any]:
    poll = await _the_poll(ctx, p.poll_id)
    if ctx.seat.response == Response.DELEGATED:
        raise forbidden("Bạn đã cử người dự họp thay; người dự thay biểu quyết")
    if poll.status != "open":
        raise conflict(
            "Cuộc biểu quyết chưa mở" if poll.status == "draft" else "Cuộc biểu quyết đã kết thúc"
        )
    if not 0 <= p.option < len(poll.options):
        raise invalid("Không có phương án này", option=f"must be 0..{len(poll.options) - 1}")
    if ctx.seat.substitute_for_id is not None and not ctx.seat.present:
        raise forbidden("Người dự thay phải có mặt (đã điểm danh) mới được biểu quyết")
    if await PollVoter.exists(poll=poll, user=ctx.user):
        raise conflict("Bạn đã biểu quyết")
    seat = await seat_of(poll.meeting_id, ctx.user.id)
    if await PollVoter.exists(poll=poll, seat_id=seat):
        raise conflict("Ghế đại biểu này đã biểu quyết (người dự thay hoặc người được mời)")
    await PollVoter.create(poll=poll, user=ctx.user, seat_id=seat)
    if poll.secret:
        await ballot_box.cast(ctx.server.settings.secret_key, poll, p.option)
    else:
        await Ballot.create(poll=poll, option=p.option, user=ctx.user)

    async def push_votes(flush: Context, _voters: set[int]) -> None:
        await _push(flush, await Poll.get(id=poll.id))

    # Ballots cast together (every hall at once) are pushed as one change (meeting/coalesce.py);
    # the ack waits for it. A vote lasts a minute, so its window is wider than a check-in's:
    # 240 halls voting cost a few pushes, not hundreds.
    mid = ctx.meeting.id

    async def pushed() -> None:
        key = ("poll", poll.id)
        await ctx.server.coalescer.add(key, mid, ctx.user, ctx.user.id, push_votes, BALLOT_WINDOW_S)

    ctx.after_commit(pushed)
    return {"poll_id": poll.id, "voted": True, "option": p.option}
