"""The conclusions' table. It stays in the Tortoise app "core" (meeting/db.py CORE_APPS lists
this module under "core"), whose migrations already hold `conclusion` (0001, 0002): moving it
here wrote no migration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # at run time Tortoise would take imported models for this module's own
    from agenda.models import AgendaItem
    from meeting.models import Meeting, User


class Conclusion(Model):
    """A draft conclusion (kết luận): one per agenda item plus one overall (agenda_item null).
    The published notice itself is a document of the docs app."""

    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="conclusions", on_delete=fields.CASCADE
    )
    meeting_id: int
    agenda_item: fields.ForeignKeyNullableRelation[AgendaItem] = fields.ForeignKeyField(
        "core.AgendaItem", null=True, related_name="conclusions", on_delete=fields.CASCADE
    )
    agenda_item_id: int | None
    text = fields.TextField(default="")
    updated_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="conclusions", on_delete=fields.SET_NULL
    )
    updated_by_id: int | None
    updated_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)
    # What the published notice says. Kept apart from `text`, the draft secretaries go on
    # editing, so that participants never see an unpublished change.
    published_text = fields.TextField(null=True)

    class Meta:
        table = "conclusion"
        unique_together = (("meeting", "agenda_item"),)
