"""The floor's data: a request to speak, from its request to its end.

In the Tortoise app "core" (run.py APPS): its table is created by the core's migrations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from meeting.models import Meeting, User

if TYPE_CHECKING:
    from agenda.models import AgendaItem


class SpeakingRequest(Model):
    """Waiting / speaking / done is derived from the timestamps, as OpenSlides does."""

    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="speaking_requests", on_delete=fields.CASCADE
    )
    meeting_id: int
    agenda_item: fields.ForeignKeyNullableRelation[AgendaItem] = fields.ForeignKeyField(
        "core.AgendaItem", null=True, related_name="speaking_requests", on_delete=fields.SET_NULL
    )
    agenda_item_id: int | None
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="speaking_requests", on_delete=fields.CASCADE
    )
    user_id: int
    topic = fields.CharField(max_length=500, default="")
    requested_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    time_limit_s = fields.IntField(null=True)
    # withdrawn / rejected / done — why it ended; null while open.
    outcome = fields.CharField(max_length=20, null=True)
    reason = fields.TextField(default="")

    class Meta:
        table = "speaking_request"
