"""The rtc feature: media for the meeting's halls (rtc:* actions, rtc:points, the wall)."""

from __future__ import annotations

from meeting.feature import Feature

from . import actions
from .service import Media, points_service

RTC = Feature(
    "rtc",
    modules=[actions],
    signals=actions.SUBSCRIPTIONS,
    services=[points_service],
    state=[Media],
)
