"""The polls feature: poll:* actions, the snapshot's "polls", the sealed ballot box of secret
votes (ballot_box.py); open votes close when the meeting ends, and draft and open votes are
pushed again when participants or attendance change (their `eligible` moved)."""

from __future__ import annotations

from meeting.feature import Feature
from meeting.hooks import WhenMeetingEnds, WhenParticipantsChange
from meeting.polls import actions, views

POLLS = Feature(
    "polls",
    modules=[views, actions],
    extensions=[
        WhenMeetingEnds(actions.close_open_polls),
        WhenParticipantsChange(views.push_live_polls),
    ],
)
