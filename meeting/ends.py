"""What a feature does when a meeting ends: an extension point (Feature.extensions).

`meeting:end` runs every `WhenMeetingEnds` the server's features offer, in feature order, inside
its own transaction and after the meeting's own push, so that what they change and push (the
agenda closes the item under discussion, ...) is part of the same change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meeting.hub import MeetingContext


@dataclass(frozen=True)
class WhenMeetingEnds:
    run: Callable[[MeetingContext], Awaitable[None]]
