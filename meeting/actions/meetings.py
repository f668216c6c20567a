"""A meeting's life: draft → scheduled → in_progress → ended (or cancelled)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from meeting.changelog import note_role_change, resume_or_snapshot
from meeting.errors import conflict, invalid
from meeting.hooks import WhenMeetingEnds
from meeting.hub import (
    STAFF,
    Context,
    Flag,
    MeetingContext,
    MeetingId,
    Payload,
    action,
    meeting_room,
    staff_room,
)
from meeting.models import (
    EVERY_ROLE,
    Audit,
    Meeting,
    MeetingStatus,
    Participant,
    Response,
    Role,
    User,
)
from meeting.signals import MeetingChanged, MeetingEnded, MeetingJoined, MeetingLeft, MeetingStarted
from meeting.views import meeting_view, push_meeting, push_participants
from meeting.when import when_where

Title = Annotated[str, StringConstraints(min_length=1, max_length=300)]
LIVE = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


class MeetingCreate(Payload):
    title: Title
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=20000)
    chair_id: int


class MeetingUpdate(Payload):
    meeting_id: int
    title: Title | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=20000)
    chair_id: int | None = None


class MeetingCancel(Payload):
    meeting_id: int
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class MeetingJoin(Payload):
    meeting_id: int
    since_seq: int | None = Field(default=None, ge=0)


class MeetingList(Payload):
    model_config = ConfigDict(populate_by_name=True)
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise invalid("Giờ kết thúc phải sau giờ bắt đầu", ends_at="must be after starts_at")


async def _check_chair(chair_id: int) -> User:
    chair = await User.get_or_none(id=chair_id, is_active=True)
    if chair is None:
        raise invalid("Không có người chủ trì này", chair_id="unknown user")
    return chair


async def notify_participants(
    ctx: MeetingContext, kind: str, text: str, *, skip_caller: bool = True
) -> None:
    rows = await Participant.filter(meeting=ctx.meeting).values_list("user_id", "response")
    users = [
        uid
        for uid, response in rows
        if response != Response.DELEGATED and not (skip_caller and uid == ctx.user.id)
    ]
    await ctx.notify(users, kind, text)


@action("meeting:create", payload=MeetingCreate, roles={Flag.ORGANIZER}, meeting=False)
async def create(ctx: Context, p: MeetingCreate) -> dict:
    _check_times(p.starts_at, p.ends_at)
    chair = await _check_chair(p.chair_id)
    m = await Meeting.create(
        title=p.title,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        location=p.location,
        description=p.description,
        chair=chair,
        created_by=ctx.user,
    )
    now = ctx.now
    await Participant.create(meeting=m, user=chair, role=Role.CHAIR, invited_at=now)
    if chair.id != ctx.user.id:
        await Participant.create(
            meeting=m,
            user=ctx.user,
            role=Role.SECRETARY,
            invited_at=now,
            response=Response.ACCEPTED,
            responded_at=now,
        )
    return meeting_view(m)


@action("meeting:update", payload=MeetingUpdate, roles=STAFF)
async def update(ctx: MeetingContext, p: MeetingUpdate) -> dict:
    m = ctx.meeting
    if m.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        raise conflict("Cuộc họp đã kết thúc hoặc đã huỷ, không sửa được")
    fields = p.model_dump(exclude_unset=True, exclude={"meeting_id"})
    for key in fields:
        if fields[key] is None:
            raise invalid("Không được để trống", **{key: "required"})
    _check_times(fields.get("starts_at", m.starts_at), fields.get("ends_at", m.ends_at))
    if "chair_id" in fields and fields["chair_id"] != m.chair_id:
        chair = await _check_chair(fields["chair_id"])
        former = await Participant.filter(meeting=m, role=Role.CHAIR).values_list(
            "user_id", flat=True
        )
        # The former chair stays as a delegate; the new one takes the chair's seat.
        await Participant.filter(meeting=m, role=Role.CHAIR).update(role=Role.DELEGATE)
        seat = await Participant.get_or_none(meeting=m, user=chair)
        if seat is None:
            await Participant.create(meeting=m, user=chair, role=Role.CHAIR, invited_at=ctx.now)
        else:
            seat.role = Role.CHAIR
            await seat.save()
        await push_participants(ctx, [*former, chair.id])
        await note_role_change(m.id, m.seq + 1, [*former, chair.id])
        for uid in set(former) - {chair.id}:
            # No longer staff: their sockets leave the meeting's rooms (staff-only pushes stop)
            # and their client, seeing its own role change, joins again.
            ctx.after_commit(lambda uid=uid: ctx.server.fanout.leave_meeting(m.id, uid))
    moved = any(
        key in fields and fields[key] != getattr(m, key)
        for key in ("starts_at", "ends_at", "location")
    )
    for key, value in fields.items():
        setattr(m, key, value)
    if "starts_at" in fields:
        m.reminded_at = None  # a moved meeting is reminded again before its new start
    await m.save()
    await push_meeting(ctx)
    if m.status in LIVE and moved:
        await notify_participants(
            ctx, "meeting_changed", f"Thay đổi lịch họp: {m.title} — {when_where(m)}"
        )
    ctx.signal(MeetingChanged(meeting_id=m.id))
    return meeting_view(m)


@action("meeting:publish", payload=MeetingId, roles=STAFF)
async def publish(ctx: MeetingContext, p: MeetingId) -> dict:
    m = ctx.meeting
    if m.status != MeetingStatus.DRAFT:
        raise conflict("Cuộc họp đã được phát hành")
    m.status = MeetingStatus.SCHEDULED
    await m.save()
    await push_meeting(ctx)
    await notify_participants(ctx, "invitation", f"Giấy mời họp: {m.title} — {when_where(m)}")
    ctx.signal(MeetingChanged(meeting_id=m.id))
    return meeting_view(m)


@action("meeting:cancel", payload=MeetingCancel, roles=STAFF)
async def cancel(ctx: MeetingContext, p: MeetingCancel) -> dict:
    m = ctx.meeting
    if m.status not in (MeetingStatus.DRAFT, MeetingStatus.SCHEDULED):
        raise conflict("Chỉ huỷ được cuộc họp chưa bắt đầu")
    was_published = m.status == MeetingStatus.SCHEDULED
    m.status = MeetingStatus.CANCELLED
    m.cancel_reason = p.reason
    await m.save()
    await push_meeting(ctx)
    if was_published:
        await notify_participants(ctx, "cancelled", f"Huỷ cuộc họp: {m.title} — Lý do: {p.reason}")
    ctx.signal(MeetingChanged(meeting_id=m.id))
    return meeting_view(m)


async def _record_held(ctx: MeetingContext, what: str) -> None:
    """When the meeting actually started or ended (the minutes and the notice print these, not
    the schedule: a meeting started a day early must not read as held on its scheduled day)."""
    await Audit.create(actor=ctx.user, action=what, target=f"meeting:{ctx.meeting.id}", at=ctx.now)


async def held_times(m: Meeting) -> tuple[datetime | None, datetime | None]:
    """(actual start, actual end) as recorded by meeting:start / meeting:end; None when not
    (yet) so, or for a meeting run before they were recorded."""
    rows = await Audit.filter(
        target=f"meeting:{m.id}", action__in=["meeting:start", "meeting:end"]
    ).values_list("action", "at")
    at = dict(rows)
    return at.get("meeting:start"), at.get("meeting:end")


@action("meeting:start", payload=MeetingId, roles=STAFF)
async def start(ctx: MeetingContext, p: MeetingId) -> dict:
    m = ctx.meeting
    if m.status != MeetingStatus.SCHEDULED:
        raise conflict("Chỉ bắt đầu được cuộc họp đã phát hành và chưa bắt đầu")
    m.status = MeetingStatus.IN_PROGRESS
    await m.save()
    await _record_held(ctx, "meeting:start")
    await push_meeting(ctx)
    ctx.signal(MeetingStarted(meeting_id=m.id))
    return meeting_view(m)


@action("meeting:end", payload=MeetingId, roles=STAFF)
async def end(ctx: MeetingContext, p: MeetingId) -> dict:
    m = ctx.meeting
    if m.status != MeetingStatus.IN_PROGRESS:
        raise conflict("Cuộc họp không đang diễn ra")
    m.status = MeetingStatus.ENDED
    await m.save()
    await _record_held(ctx, "meeting:end")
    await push_meeting(ctx)
    # What the features close with the meeting (the agenda: the item under discussion; the
    # floor; open votes), pushed after the meeting's own push and in the same change
    # (meeting/hooks.py).
    for ending in ctx.server.extensions(WhenMeetingEnds):
        await ending.run(ctx)
    ctx.signal(MeetingEnded(meeting_id=m.id))
    return meeting_view(m)


@action("meeting:list", payload=MeetingList, roles={Flag.SIGNED_IN}, meeting=False)
async def list_meetings(ctx: Context, p: MeetingList) -> list[dict]:
    start = p.from_ or ctx.now - timedelta(days=1)
    stop = p.to or start + timedelta(days=60)
    if stop <= start:
        raise invalid("'to' phải sau 'from'", to="must be after from")
    seats = {
        mid: (role, response)
        for mid, role, response in await Participant.filter(user=ctx.user).values_list(
            "meeting_id", "role", "response"
        )
    }
    meetings = await Meeting.filter(starts_at__lt=stop, ends_at__gt=start).order_by(
        "starts_at", "id"
    )
    out: list[dict[str, Any]] = []
    for m in meetings:
        role, response = seats.get(m.id, (None, None))
        mine = m.created_by_id == ctx.user.id
        if not mine and (role is None or (m.status == MeetingStatus.DRAFT and role not in STAFF)):
            continue
        out.append({**meeting_view(m), "my_role": role, "my_response": response})
    return out


@action("meeting:get", payload=MeetingId, roles={*EVERY_ROLE, Flag.CREATOR})
async def get(ctx: MeetingContext, p: MeetingId) -> dict:
    return await ctx.server.hub.snapshot(ctx)


async def push_checkins(ctx: Context, user_ids: set[int]) -> None:
    await push_participants(ctx, user_ids)


@action("meeting:join", payload=MeetingJoin, roles=EVERY_ROLE)
async def join(ctx: MeetingContext, p: MeetingJoin) -> dict:
    m, seat = ctx.meeting, ctx.seat
    checked_in = m.status == MeetingStatus.IN_PROGRESS and not seat.present
    if checked_in:
        seat.present = True
        seat.checked_in_at = ctx.now
        await seat.save()
    if ctx.sid is not None:
        # Joined before the commit, so this socket also gets this action's own pushes.
        await ctx.server.sio.enter_room(ctx.sid, meeting_room(m.id))
        if ctx.is_staff:
            await ctx.server.sio.enter_room(ctx.sid, staff_room(m.id))
    answer = await resume_or_snapshot(ctx, p.since_seq)
    if checked_in:
        # The check-in is pushed with the others of the join storm (meeting/coalesce.py); the
        # ack waits for that push. When it is the very next change, the answer already holds
        # it (the push re-applies idempotently), so the answer reports its seq.
        seen = answer["seq"]

        async def pushed() -> None:
            key = ("checkin", m.id)
            seq = await ctx.server.coalescer.add(key, m.id, ctx.user, ctx.user.id, push_checkins)
            if seq == seen + 1 and not answer.get("resumed"):
                answer["seq"] = seq

        ctx.after_commit(pushed)
    ctx.signal(MeetingJoined(meeting_id=m.id, user_id=ctx.user.id, sid=ctx.sid))
    return answer


@action("meeting:leave", payload=MeetingId, roles=EVERY_ROLE)
async def leave(ctx: MeetingContext, p: MeetingId) -> dict:
    if ctx.sid is not None:
        await ctx.server.sio.leave_room(ctx.sid, meeting_room(ctx.meeting.id))
        await ctx.server.sio.leave_room(ctx.sid, staff_room(ctx.meeting.id))
    ctx.signal(MeetingLeft(meeting_id=ctx.meeting.id, user_id=ctx.user.id, sid=ctx.sid))
    return {"meeting_id": ctx.meeting.id}
