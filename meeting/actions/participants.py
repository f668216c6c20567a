"""Invitations: invite people and whole units, remove, and the invitee's answer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from meeting.actions.meetings import LIVE
from meeting.errors import conflict, invalid, not_found
from meeting.hub import STAFF, MeetingContext, Payload, action
from meeting.identity import unit_and_descendants
from meeting.models import EVERY_ROLE, MeetingStatus, Participant, Response, Role, User
from meeting.seats import meeting_halls
from meeting.signals import SeatsChanged
from meeting.views import participants_payload, push_participants
from meeting.when import when_where


class ParticipantAdd(Payload):
    meeting_id: int
    role: Literal[Role.SECRETARY, Role.DELEGATE, Role.OBSERVER, Role.POINT]
    user_ids: list[int] = Field(default_factory=list, max_length=2000)
    unit_ids: list[int] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _someone(self) -> ParticipantAdd:
        if not self.user_ids and not self.unit_ids:
            raise ValueError("name user_ids or unit_ids")
        return self


class ParticipantRemove(Payload):
    meeting_id: int
    user_id: int


class InvitationRespond(Payload):
    meeting_id: int
    response: Literal[Response.ACCEPTED, Response.DECLINED, Response.DELEGATED]
    note: str = Field(default="", max_length=2000)
    substitute_id: int | None = None


def deputy_role(role: Role) -> Role:
    """A deputy takes the member's seat with its role (/api §3.1: "the same role") — except a
    secretary's: staff rights are given by staff (participant:add), never passed on by choosing
    a deputy, so a secretary's deputy attends as an observer."""
    return Role.OBSERVER if role == Role.SECRETARY else role


@action("participant:add", payload=ParticipantAdd, roles=STAFF)
async def add(ctx: MeetingContext, p: ParticipantAdd) -> dict:
    m = ctx.meeting
    if m.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        raise conflict("Cuộc họp đã kết thúc hoặc đã huỷ")
    known = set(await User.filter(id__in=p.user_ids, is_active=True).values_list("id", flat=True))
    unknown = sorted(set(p.user_ids) - known)
    if unknown:
        raise invalid(f"Không có người dùng {unknown}", user_ids=f"unknown users {unknown}")
    wanted = set(known)
    if p.unit_ids:
        units = await unit_and_descendants(p.unit_ids)
        missing = sorted(set(p.unit_ids) - units)
        if missing:
            raise invalid(f"Không có đơn vị {missing}", unit_ids=f"unknown units {missing}")
        # A unit's connection points are invited as points, its people otherwise.
        members = User.filter(unit_id__in=units, is_active=True, is_point=p.role == Role.POINT)
        wanted |= set(await members.values_list("id", flat=True))
    already = set(await Participant.filter(meeting=m).values_list("user_id", flat=True))
    new = sorted(wanted - already)  # someone already invited keeps their role
    # A new point can become the hall of people already invited (their unit's, or one above).
    halls_before = await meeting_halls(m.id) if p.role == Role.POINT and new else None
    for uid in new:
        await Participant.create(meeting=m, user_id=uid, role=p.role, invited_at=ctx.now)
    if new:
        await push_participants(ctx, new, halls_before=halls_before)
        ctx.signal(SeatsChanged(meeting_id=m.id))  # a new point may be someone's hall
        if m.status in LIVE:
            await ctx.notify(new, "invitation", f"Giấy mời họp: {m.title} — {when_where(m)}")
    # The ack (to staff) keeps the whole list: who was invited already is the answer too.
    return {"added": new, **await participants_payload(m, ctx.server.settings)}


@action("participant:remove", payload=ParticipantRemove, roles=STAFF)
async def remove(ctx: MeetingContext, p: ParticipantRemove) -> dict:
    m = ctx.meeting
    seat = await Participant.get_or_none(meeting=m, user_id=p.user_id)
    if seat is None:
        raise not_found("Người này không có trong danh sách mời")
    if seat.role == Role.CHAIR:
        raise conflict("Không thể bỏ người chủ trì; hãy đổi chủ trì trước")
    # The people who sat in a removed point's hall move to their default hall.
    halls_before = await meeting_halls(m.id) if seat.role == Role.POINT else None
    await seat.delete()
    payload = await push_participants(ctx, removed=[p.user_id], halls_before=halls_before)
    ctx.signal(SeatsChanged(meeting_id=m.id))
    # Their sockets, on whichever process, stop receiving the meeting's pushes.
    ctx.after_commit(lambda: ctx.server.fanout.leave_meeting(m.id, p.user_id))
    if m.status in LIVE:
        await ctx.notify(
            [p.user_id], "uninvited", f"Bạn không còn trong danh sách mời họp: {m.title}"
        )
    return payload


@action("invitation:respond", payload=InvitationRespond, roles=EVERY_ROLE)
async def respond(ctx: MeetingContext, p: InvitationRespond) -> dict:
    m, seat = ctx.meeting, ctx.seat
    if m.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
        raise conflict("Cuộc họp không còn nhận xác nhận tham dự")
    if p.response == Response.DELEGATED:
        if p.substitute_id is None:
            raise invalid("Hãy chọn người đi họp thay", substitute_id="required when delegated")
        if p.substitute_id == ctx.user.id:
            raise invalid("Không thể cử chính mình", substitute_id="is yourself")
        if seat.role == Role.CHAIR:
            raise conflict("Người chủ trì không cử người thay; hãy đổi chủ trì")
        sub = await User.get_or_none(id=p.substitute_id, is_active=True)
        if sub is None:
            raise invalid("Không có người này", substitute_id="unknown user")
        # The same answer sent again (a retry on a weak link) is harmless.
        seat_of_sub = await Participant.get_or_none(meeting=m, user=sub)
        if seat_of_sub is not None and seat_of_sub.substitute_for_id != ctx.user.id:
            raise conflict(f"{sub.full_name} đã có trong danh sách mời")
    elif p.substitute_id is not None:
        raise invalid(
            "Chỉ cử người thay khi chọn 'cử người dự thay'", substitute_id="only with delegated"
        )
    # Changing one's mind withdraws the deputy named before (unless it is the same deputy).
    withdrawn = Participant.filter(meeting=m, substitute_for=ctx.user).exclude(
        user_id=p.substitute_id
    )
    gone = await withdrawn.values_list("user_id", flat=True)
    await withdrawn.delete()
    seat.response = p.response
    seat.note = p.note
    seat.responded_at = ctx.now
    await seat.save()
    if seat.role == Role.SECRETARY and p.response == Response.DELEGATED:
        # No staff rights while delegated (hub.enter_meeting): no staff-only pushes either.
        uid = ctx.user.id
        ctx.after_commit(lambda: ctx.server.fanout.leave_staff(m.id, uid))
    if p.response == Response.DELEGATED and not await Participant.exists(
        meeting=m, user_id=p.substitute_id
    ):
        await Participant.create(
            meeting=m,
            user_id=p.substitute_id,
            role=deputy_role(seat.role),
            substitute_for=ctx.user,
            invited_at=ctx.now,
        )
        await ctx.notify(
            [p.substitute_id],  # type: ignore[list-item]
            "invitation",
            f"{ctx.user.full_name} cử bạn dự họp thay: {m.title} — {when_where(m)}",
        )
    changed = [ctx.user.id] + ([p.substitute_id] if p.substitute_id is not None else [])
    return await push_participants(ctx, changed, removed=gone)
