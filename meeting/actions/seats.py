"""participant:seat — which connection point's hall a person sits in (/api §3.1, §4)."""

from __future__ import annotations

from typing import Any

from meeting.errors import conflict, invalid, not_found
from meeting.hub import STAFF, MeetingContext, Payload, action
from meeting.models import MeetingStatus, Participant, Role
from meeting.signals import SeatsChanged
from meeting.views import push_participants


class ParticipantSeat(Payload):
    meeting_id: int
    user_id: int
    hall_id: int | None


@action("participant:seat", payload=ParticipantSeat, roles=STAFF)
async def seat(ctx: MeetingContext, p: ParticipantSeat) -> dict[str, Any]:
    m = ctx.meeting
    if m.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        raise conflict("Cuộc họp đã kết thúc hoặc đã huỷ")
    row = await Participant.get_or_none(meeting=m, user_id=p.user_id)
    if row is None:
        raise not_found("Người này không có trong danh sách mời")
    if p.hall_id is not None:
        if not await Participant.exists(meeting=m, user_id=p.hall_id, role=Role.POINT):
            raise invalid(
                "Chỉ chọn được điểm cầu của cuộc họp này", hall_id="not a point of this meeting"
            )
        if row.role == Role.POINT and p.hall_id != p.user_id:
            raise invalid("Điểm cầu ngồi tại chính điểm cầu đó", hall_id="a point sits in itself")
    row.seat_id = p.hall_id
    await row.save(update_fields=["seat_id"])
    payload = await push_participants(ctx, [p.user_id])
    ctx.signal(SeatsChanged(meeting_id=m.id))
    return payload
