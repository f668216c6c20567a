"""The agenda feature: items, the calendar feed and invitations (.ics), reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agenda import actions, calendar, reminders, views
from agenda.models import AgendaItem
from meeting.agenda_ref import AgendaItems
from meeting.feature import Feature, on
from meeting.hooks import WhenMeetingEnds
from meeting.notify import MailAttachment
from meeting.signals import MeetingChanged

if TYPE_CHECKING:
    from meeting.identity import Identity
    from meeting.models import Meeting, User

DEMO_AGENDA = [
    ("Báo cáo tình hình kinh tế - xã hội tháng", 45),
    ("Tờ trình về kế hoạch đầu tư công năm tới", 60),
    ("Ý kiến của các huyện, xã", 60),
    ("Kết luận của Chủ tịch", 15),
]


async def demo_agenda(identity: Identity, meeting: Meeting, users: dict[str, User]) -> None:
    """The demo meeting's agenda; the chair presents the last item, the conclusions. (Before the
    documents' demo step, which files its documents under the first two items.)"""
    for pos, (title, minutes) in enumerate(DEMO_AGENDA, start=1):
        await AgendaItem.create(
            meeting=meeting,
            position=pos,
            title=title,
            duration_min=minutes,
            presenter_id=meeting.chair_id if pos == len(DEMO_AGENDA) else None,
        )


AGENDA = Feature(
    "agenda",
    modules=[views, actions, calendar],
    routes=calendar.routes(),
    services=[reminders.reminder_service],
    signals=[on(MeetingChanged, reminders.meeting_changed)],
    demo=[demo_agenda],
    state=[reminders.Wake],
    extensions=[
        MailAttachment(calendar.invitation_ics),
        AgendaItems(actions.item_of_meeting, actions.item_under_discussion),
        WhenMeetingEnds(actions.close_active_item),
    ],
)
