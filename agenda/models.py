"""The agenda's table. It stays in the Tortoise app "core" (meeting/db.py CORE_APPS lists this
module under "core"), whose migrations already hold `agenda_item`: moving it here wrote no
migration. Other records point at it as "core.AgendaItem" (floor requests, opinions, votes,
documents, conclusions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

# The status enum stays in the core's models: the core app's first migration imports it there.
from meeting.models import ItemStatus

if TYPE_CHECKING:  # at run time Tortoise would take imported models for this module's own
    from meeting.models import Meeting, User


class AgendaItem(Model):
    # No docstring: Tortoise keeps a model's docstring as its table description, and the
    # migrations hold this table without one.
    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="agenda_items", on_delete=fields.CASCADE
    )
    meeting_id: int
    position = fields.IntField()
    title = fields.CharField(max_length=500)
    presenter: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="presented_items", on_delete=fields.SET_NULL
    )
    presenter_id: int | None
    duration_min = fields.IntField(null=True)
    status = fields.CharEnumField(ItemStatus, max_length=20, default=ItemStatus.PENDING)

    class Meta:
        table = "agenda_item"
