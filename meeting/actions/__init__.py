"""The core's actions, one module per subject. Importing a module registers its actions."""

from meeting.actions import (  # noqa: F401
    attendance,
    floor,
    meetings,
    notifications,
    opinions,
    participants,
    polls,
    seats,
    units,
    users,
)
