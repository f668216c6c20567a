"""Votes' data: the poll, WHO voted (PollVoter), WHAT was voted (Ballot) and, while a secret
vote is open, its sealed ballots (SealedBallot; meeting/polls/ballot_box.py).

In the Tortoise app "core" (run.py APPS): their tables are created by the core's migrations.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from meeting.models import Meeting, User

if TYPE_CHECKING:
    from agenda.models import AgendaItem


class Poll(Model):
    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="polls", on_delete=fields.CASCADE
    )
    meeting_id: int
    agenda_item: fields.ForeignKeyNullableRelation[AgendaItem] = fields.ForeignKeyField(
        "core.AgendaItem", null=True, related_name="polls", on_delete=fields.SET_NULL
    )
    agenda_item_id: int | None
    question = fields.TextField()
    options = fields.JSONField()
    secret = fields.BooleanField(default=False)
    status = fields.CharField(max_length=10, default="draft")  # draft / open / closed
    created_at = fields.DatetimeField()
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    eligible_at_close = fields.IntField(null=True)

    class Meta:
        table = "poll"


class PollVoter(Model):
    """WHO voted. Kept apart from Ballot so that a secret poll links no person to a choice.
    `seat` is the member whose seat the vote used (the voter, or the member a deputy stands in
    for): one vote per seat per poll, whoever holds the seat when."""

    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "core.Poll", related_name="voters", on_delete=fields.CASCADE
    )
    poll_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="poll_votes", on_delete=fields.CASCADE
    )
    user_id: int
    seat: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="seat_votes", on_delete=fields.CASCADE
    )
    seat_id: int | None

    class Meta:
        table = "poll_voter"
        unique_together = (("poll", "user"), ("poll", "seat"))


class Ballot(Model):
    """WHAT was voted. A random key (not a counter) so row order cannot be matched to voters, and
    `user` is set only for named (non-secret) polls."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "core.Poll", related_name="ballots", on_delete=fields.CASCADE
    )
    poll_id: int
    option = fields.IntField()
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="ballots", on_delete=fields.CASCADE
    )
    user_id: int | None

    class Meta:
        table = "ballot"


class SealedBallot(Model):
    """A secret ballot while its poll is open: the choice sealed (AES-GCM) under a key derived
    from the server's SECRET_KEY, which is not in the database. At close the sealed ballots are
    opened, written as plain Ballot rows in one shuffled batch, and deleted
    (meeting/polls/ballot_box.py says why)."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "core.Poll", related_name="sealed_ballots", on_delete=fields.CASCADE
    )
    poll_id: int
    box = fields.CharField(max_length=200)

    class Meta:
        table = "sealed_ballot"
