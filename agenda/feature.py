"""The agenda feature: items, the calendar feed and invitations (.ics), reminders."""

from __future__ import annotations

from agenda import actions, calendar, reminders
from meeting.feature import Feature, on
from meeting.notify import MailAttachment
from meeting.signals import MeetingChanged

AGENDA = Feature(
    "agenda",
    modules=[actions, calendar],
    routes=calendar.routes(),
    services=[reminders.reminder_service],
    signals=[on(MeetingChanged, reminders.meeting_changed)],
    state=[reminders.Wake],
    extensions=[MailAttachment(calendar.invitation_ics)],
)
