"""The floor (đăng ký phát biểu): request, withdraw, grant, reject, end.

A request's state comes from its timestamps (see meeting/floor/views.py). Every change pushes
`floor:state` to everyone; a change of speaker also fires FloorChanged, which the media relay
follows to switch the main stream. When the meeting ends the floor closes inside meeting:end's
transaction (close_floor, offered to the core as WhenMeetingEnds: meeting/floor/feature.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from meeting.agenda_ref import item_under_discussion, named_item
from meeting.client_keys import ClientKeyField, once
from meeting.errors import conflict, forbidden, not_found
from meeting.floor.models import SpeakingRequest
from meeting.floor.views import SPEAKING, WAITING, current_speaker, floor_state, request_state
from meeting.hub import MeetingContext, MeetingId, Payload, action, meeting_of
from meeting.models import EVERY_ROLE, MeetingStatus, Response, Role
from meeting.signals import Signal

REQUESTERS = {Role.DELEGATE, Role.POINT, Role.SECRETARY}


@dataclass(frozen=True, kw_only=True)
class FloorChanged(Signal):
    """The speaker changed; speaker_id None = nobody has the floor."""

    meeting_id: int
    speaker_id: int | None


class FloorRequest(Payload):
    meeting_id: int
    agenda_item_id: int | None = None
    topic: str = Field(default="", max_length=500)
    client_key: ClientKeyField | None = None  # sent again after a drop: answered once


class RequestId(Payload):
    request_id: int


class FloorGrant(Payload):
    request_id: int
    time_limit_s: int | None = Field(default=None, ge=10, le=4 * 3600)


class FloorReject(Payload):
    request_id: int
    reason: str = Field(default="", max_length=2000)


# Actions that name a request are about the request's meeting.
request_meeting = meeting_of(SpeakingRequest, "request_id")


def _live(ctx: MeetingContext) -> None:
    if ctx.meeting.status != MeetingStatus.IN_PROGRESS:
        raise conflict("Cuộc họp không đang diễn ra")


async def _push_floor(ctx: MeetingContext) -> dict[str, Any]:
    state = await floor_state(ctx.meeting.id)
    ctx.push("floor:state", state)
    return state


def _speaker_changed(ctx: MeetingContext, speaker_id: int | None) -> None:
    ctx.signal(FloorChanged(meeting_id=ctx.meeting.id, speaker_id=speaker_id))


async def _the_request(ctx: MeetingContext, request_id: int) -> SpeakingRequest:
    r = await SpeakingRequest.get_or_none(id=request_id, meeting=ctx.meeting)
    if r is None:
        raise not_found("Không có yêu cầu phát biểu này")
    return r


@action("floor:request", payload=FloorRequest, roles=REQUESTERS)
async def request(ctx: MeetingContext, p: FloorRequest) -> dict[str, Any]:
    return await once(ctx, "floor:request", p.client_key, lambda: _request(ctx, p))


async def _request(ctx: MeetingContext, p: FloorRequest) -> dict[str, Any]:
    m = ctx.meeting
    _live(ctx)
    if ctx.seat.response == Response.DELEGATED:
        raise forbidden("Bạn đã cử người dự họp thay")
    item_id = await named_item(ctx, p.agenda_item_id)
    if item_id is None:  # on the item under discussion, when there is one
        item_id = await item_under_discussion(ctx)
    if await SpeakingRequest.exists(meeting=m, user=ctx.user, ended_at__isnull=True):
        raise conflict("Bạn đã đăng ký phát biểu; hãy chờ đến lượt hoặc rút đăng ký")
    r = await SpeakingRequest.create(
        meeting=m, user=ctx.user, agenda_item_id=item_id, topic=p.topic, requested_at=ctx.now
    )
    state = await _push_floor(ctx)
    return {"request_id": r.id, **state}


@action("floor:withdraw", payload=RequestId, roles=EVERY_ROLE, meeting=request_meeting)
async def withdraw(ctx: MeetingContext, p: RequestId) -> dict[str, Any]:
    r = await _the_request(ctx, p.request_id)
    if r.user_id != ctx.user.id:
        raise forbidden("Chỉ người đăng ký được rút yêu cầu của mình")
    if request_state(r) != WAITING:
        raise conflict("Yêu cầu này không còn chờ (đang phát biểu hoặc đã kết thúc)")
    r.ended_at = ctx.now
    r.outcome = "withdrawn"
    await r.save()
    return await _push_floor(ctx)


@action("floor:grant", payload=FloorGrant, roles={Role.CHAIR}, meeting=request_meeting)
async def grant(ctx: MeetingContext, p: FloorGrant) -> dict[str, Any]:
    _live(ctx)
    r = await _the_request(ctx, p.request_id)
    if request_state(r) != WAITING:
        raise conflict("Yêu cầu này đã được xử lý hoặc đã rút")
    now = ctx.now
    speaking = await current_speaker(ctx.meeting.id)
    if speaking is not None:
        speaking.ended_at = now
        speaking.outcome = "done"
        await speaking.save()
    r.started_at = now
    r.time_limit_s = p.time_limit_s
    await r.save()
    _speaker_changed(ctx, r.user_id)
    return await _push_floor(ctx)


@action("floor:reject", payload=FloorReject, roles={Role.CHAIR}, meeting=request_meeting)
async def reject(ctx: MeetingContext, p: FloorReject) -> dict[str, Any]:
    r = await _the_request(ctx, p.request_id)
    if request_state(r) != WAITING:
        raise conflict("Yêu cầu này đã được xử lý hoặc đã rút")
    r.ended_at = ctx.now
    r.outcome = "rejected"
    r.reason = p.reason
    await r.save()
    text = "Yêu cầu phát biểu của bạn không được chấp nhận"
    await ctx.notify([r.user_id], "floor_rejected", f"{text}: {p.reason}" if p.reason else text)
    return await _push_floor(ctx)


@action("floor:end", payload=MeetingId, roles=EVERY_ROLE)
async def end(ctx: MeetingContext, p: MeetingId) -> dict[str, Any]:
    speaking = await current_speaker(ctx.meeting.id)
    is_speaker = speaking is not None and speaking.user_id == ctx.user.id
    if ctx.role != Role.CHAIR and not is_speaker:
        raise forbidden("Chỉ người chủ trì hoặc người đang phát biểu được kết thúc lượt phát biểu")
    if speaking is None or request_state(speaking) != SPEAKING:
        raise conflict("Không có ai đang phát biểu")
    speaking.ended_at = ctx.now
    speaking.outcome = "done"
    await speaking.save()
    _speaker_changed(ctx, None)
    return await _push_floor(ctx)


async def close_floor(ctx: MeetingContext) -> None:
    """When the meeting ends (inside meeting:end, so one change with one seq): the speaker's
    turn ends and waiting requests close."""
    rows = await SpeakingRequest.filter(meeting=ctx.meeting, ended_at__isnull=True)
    if not rows:
        return
    for r in rows:
        r.ended_at = ctx.now
        r.outcome = "done" if r.started_at is not None else "closed"
        await r.save(update_fields=["ended_at", "outcome"])
    await _push_floor(ctx)
    if any(r.started_at is not None for r in rows):
        _speaker_changed(ctx, None)
