"""Check-in by hand (điểm danh) for people in the hall; joining a live meeting checks in too."""

from __future__ import annotations

from meeting.errors import conflict, not_found
from meeting.hub import STAFF, MeetingContext, Payload, action
from meeting.models import MeetingStatus, Participant
from meeting.views import push_participants


class AttendanceMark(Payload):
    meeting_id: int
    user_id: int
    present: bool


@action("attendance:mark", payload=AttendanceMark, roles=STAFF)
async def mark(ctx: MeetingContext, p: AttendanceMark) -> dict:
    m = ctx.meeting
    if m.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
        raise conflict("Chỉ điểm danh được cuộc họp đã phát hành và chưa kết thúc")
    seat = await Participant.get_or_none(meeting=m, user_id=p.user_id)
    if seat is None:
        raise not_found("Người này không có trong danh sách mời")
    seat.present = p.present
    seat.checked_in_at = ctx.now if p.present else None
    await seat.save()
    return await push_participants(ctx, [p.user_id])
