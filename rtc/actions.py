"""rtc:join / rtc:leave / rtc:mute, and what ends or switches media when the meeting changes
(/api §3.1, §3.2 rtc:main / rtc:points, §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from meeting.errors import conflict, invalid
from meeting.feature import on
from meeting.floor.actions import FloorChanged
from meeting.hub import STAFF, MeetingContext, Payload, action, snapshot_part
from meeting.models import EVERY_ROLE, Meeting, MeetingStatus, Participant, Role
from meeting.signals import (
    MeetingChanged,
    MeetingEnded,
    MeetingLeft,
    SeatsChanged,
    SocketDisconnected,
)

from .errors import InvalidOffer
from .offer import MAX_SDP_BYTES
from .service import WallUnavailable, media_of
from .wall import MAX_TILES, MAX_WALL_SDP_BYTES

if TYPE_CHECKING:
    from meeting.server import Server

# Media is possible from publication (halls test their link before the start) until the end.
LIVE = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


class RtcJoin(Payload):
    meeting_id: int
    type: Literal["offer"]
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SDP_BYTES)]


class RtcLeave(Payload):
    meeting_id: int


class RtcWatch(Payload):
    meeting_id: int
    user_ids: Annotated[list[int], Field(max_length=MAX_TILES)]
    type: Literal["offer"] | None = None
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=MAX_WALL_SDP_BYTES)] | None = (
        None
    )

    @model_validator(mode="after")
    def _offer_with_halls(self) -> RtcWatch:
        if self.user_ids and (self.sdp is None or self.type is None):
            raise ValueError("sdp: an offer (type, sdp) is needed to watch halls")
        if len(set(self.user_ids)) != len(self.user_ids):
            raise ValueError("user_ids: each hall once")
        return self


class RtcMute(Payload):
    meeting_id: int
    user_id: int
    kind: Literal["audio", "video"]
    muted: bool


def _live(ctx: MeetingContext) -> Meeting:
    m = ctx.meeting
    if m.status not in LIVE:
        raise conflict("Cuộc họp chưa phát hành hoặc đã kết thúc")
    return m


@action("rtc:join", payload=RtcJoin, roles=EVERY_ROLE)
async def join(ctx: MeetingContext, p: RtcJoin) -> dict[str, Any]:
    m = _live(ctx)
    answer: dict[str, Any] = {"type": "answer", "sdp": None}

    async def connect() -> None:
        # After the commit, so that gathering ICE candidates (seconds, with a STUN/TURN server)
        # never holds the meeting's row. The ack is built from `answer` after this has run.
        try:
            answer["sdp"] = await media_of(ctx.server).join(m.id, ctx.user.id, ctx.sid, p.sdp)
        except InvalidOffer as exc:
            raise invalid(str(exc), sdp=str(exc)) from None

    ctx.after_commit(connect)
    return answer


@action("rtc:leave", payload=RtcLeave, roles=EVERY_ROLE)
async def leave(ctx: MeetingContext, p: RtcLeave) -> dict[str, Any]:
    meeting_id, user_id = ctx.meeting.id, ctx.user.id
    ctx.after_commit(lambda: media_of(ctx.server).leave(meeting_id, user_id))
    return {"meeting_id": meeting_id}


@action("rtc:mute", payload=RtcMute, roles={Role.CHAIR})
async def mute(ctx: MeetingContext, p: RtcMute) -> dict[str, Any]:
    m = _live(ctx)
    room = await media_of(ctx.server).room(m.id)
    room.mute(p.user_id, p.kind, p.muted)
    return {"meeting_id": m.id, "user_id": p.user_id, "kind": p.kind, "muted": p.muted}


@action("rtc:watch", payload=RtcWatch, roles=STAFF)
async def watch(ctx: MeetingContext, p: RtcWatch) -> dict[str, Any]:
    m = ctx.meeting
    if p.user_ids:
        _live(ctx)
        points = set(
            await Participant.filter(
                meeting=m, user_id__in=p.user_ids, role=Role.POINT
            ).values_list("user_id", flat=True)
        )
        strangers = [u for u in p.user_ids if u not in points]
        if strangers:
            raise invalid(
                f"Không phải điểm cầu của cuộc họp: {strangers}",
                user_ids=f"not points of this meeting: {strangers}",
            )
    answer: dict[str, Any] = {}
    meeting_id, user_id, sid = m.id, ctx.user.id, ctx.sid

    async def connect() -> None:
        # after the commit, as rtc:join: ICE gathering never holds the meeting's row
        try:
            answer.update(
                await media_of(ctx.server).watch(meeting_id, user_id, sid, p.user_ids, p.sdp)
            )
        except InvalidOffer as exc:
            raise invalid(str(exc), sdp=str(exc)) from None
        except WallUnavailable:
            raise conflict("Màn hình điểm cầu chưa dùng được khi RTC_WORKERS > 0") from None

    ctx.after_commit(connect)
    return answer


@snapshot_part("rtc", live=True)
async def _snapshot_rtc(ctx: MeetingContext, meeting: Meeting) -> dict[str, Any]:
    return media_of(ctx.server).snapshot(meeting.id, staff=ctx.is_staff)


async def _floor_changed(server: Server, signal: FloorChanged) -> None:
    media_of(server).floor_changed(signal.meeting_id, signal.speaker_id)


async def _seats_changed(server: Server, signal: SeatsChanged) -> None:
    await media_of(server).seats_changed(signal.meeting_id)


async def _socket_gone(server: Server, signal: SocketDisconnected) -> None:
    await media_of(server).socket_gone(signal.sid)


async def _left(server: Server, signal: MeetingLeft) -> None:
    await media_of(server).leave(signal.meeting_id, signal.user_id, signal.sid)
    await media_of(server).unwatch(signal.meeting_id, signal.user_id, signal.sid)


async def _changed(server: Server, signal: MeetingChanged) -> None:
    await media_of(server).meeting_changed(signal.meeting_id)


async def _ended(server: Server, signal: MeetingEnded) -> None:
    await media_of(server).close_room(signal.meeting_id)


# What media follows in the meeting (rtc/__init__.py's Feature subscribes them).
SUBSCRIPTIONS = [
    on(FloorChanged, _floor_changed),
    on(SeatsChanged, _seats_changed),
    on(SocketDisconnected, _socket_gone),
    on(MeetingLeft, _left),
    on(MeetingChanged, _changed),
    on(MeetingEnded, _ended),
]
