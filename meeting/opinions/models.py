"""Written opinions' data. In the Tortoise app "core" (run.py APPS): its table is created by
the core's migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from meeting.models import Meeting, User

if TYPE_CHECKING:
    from agenda.models import AgendaItem


class Opinion(Model):
    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="opinions", on_delete=fields.CASCADE
    )
    meeting_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="opinions", on_delete=fields.CASCADE
    )
    user_id: int
    agenda_item: fields.ForeignKeyNullableRelation[AgendaItem] = fields.ForeignKeyField(
        "core.AgendaItem", null=True, related_name="opinions", on_delete=fields.SET_NULL
    )
    agenda_item_id: int | None
    # A document lives in the docs app; the core keeps only its id (arrows point into core).
    document_id = fields.IntField(null=True)
    text = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "opinion"
