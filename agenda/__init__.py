"""Agenda items, the calendar feed and invitations (.ics), and reminders before the start
(the AGENDA feature: agenda.feature)."""
