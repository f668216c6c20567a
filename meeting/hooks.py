"""Where a feature acts inside one of the core's own changes, in the same transaction and with
the same `seq` (Feature.extensions; the core reads them with `server.extensions(Kind)`).

The core never imports a feature: meeting:end does not know there is a floor or a vote, yet
ending the meeting must close them as part of that one change, so that every client sees the
end, the closed floor and the closed votes under one seq, or none of it. A signal cannot do
this: it runs after the commit. Extensions of one kind run in the order of the server's
features (run.py FEATURES).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meeting.hub import MeetingContext


@dataclass(frozen=True)
class WhenMeetingEnds:
    """`run(ctx)` inside meeting:end, once the meeting is ended and pushed and before
    MeetingEnded is announced: what it pushes is part of the end's change (the agenda closes
    the item under discussion, then the floor, then open votes: run.py lists them so)."""

    run: Callable[[MeetingContext], Awaitable[None]]


@dataclass(frozen=True)
class WhenParticipantsChange:
    """`run(ctx)` after a change of participants or attendance has queued its
    `participants:updated` pushes, in the same change (votes: who may vote follows who is
    present)."""

    run: Callable[[MeetingContext], Awaitable[None]]
