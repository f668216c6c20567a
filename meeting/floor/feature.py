"""The floor feature: floor:* actions, the snapshot's "floor", the FloorChanged signal (the
media relay follows it), and closing the floor when the meeting ends.

Reads the core's agenda items (a request is about the item under discussion)."""

from __future__ import annotations

from meeting.feature import Feature
from meeting.floor import actions, views
from meeting.hooks import WhenMeetingEnds

FLOOR = Feature(
    "floor",
    modules=[views, actions],
    extensions=[WhenMeetingEnds(actions.close_floor)],
)
