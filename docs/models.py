"""Tables of the docs app (Tortoise label "docs"); they point into the core as "core.Meeting"."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Document(Model):
    """One version of a meeting document. The file itself lives in the content-addressed store
    (DATA_DIR/documents/ab/abcdef...pdf, named by its sha256), so the same file uploaded twice
    is stored once. A new version points at the one it replaces (`previous`), and the replaced
    one gets `superseded_at`: readers see only current documents, the record keeps them all."""

    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "core.Meeting", related_name="documents", on_delete=fields.CASCADE
    )
    meeting_id: int
    agenda_item: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "core.AgendaItem", null=True, related_name="documents", on_delete=fields.SET_NULL
    )
    agenda_item_id: int | None
    title = fields.CharField(max_length=300)
    # The client's file name, cleaned to a bare name: shown and offered on download, never a path.
    filename = fields.CharField(max_length=255)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.BigIntField()
    pages = fields.IntField()
    # Extracted text, for search.
    text = fields.TextField(default="")
    # upload, or what the meeting generated: notice (thông báo kết luận), minutes (biên bản)...
    kind = fields.CharField(max_length=20, default="upload")
    # Digitally signed: served as stored, never stamped (stamping would break the signature).
    signed = fields.BooleanField(default=False)
    version = fields.IntField(default=1)
    previous: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "docs.Document", null=True, related_name="next_versions", on_delete=fields.SET_NULL
    )
    previous_id: int | None
    superseded_at = fields.DatetimeField(null=True)
    uploaded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "core.User", null=True, related_name="documents_uploaded", on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    created_at = fields.DatetimeField()
    removed_at = fields.DatetimeField(null=True)
    removed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "core.User", null=True, related_name="documents_removed", on_delete=fields.SET_NULL
    )
    removed_by_id: int | None

    class Meta:
        table = "document"


class DocumentAccess(Model):
    """One download (or byte range of one) of a document by a viewer: the audit of who read it.
    `opened` is set for a request that starts at the first byte (an opening, not a later range)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "docs.Document", related_name="accesses", on_delete=fields.CASCADE
    )
    document_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "core.User", related_name="document_accesses", on_delete=fields.CASCADE
    )
    user_id: int
    at = fields.DatetimeField()
    range = fields.CharField(max_length=100, null=True)
    opened = fields.BooleanField(default=True)
    stamped = fields.BooleanField(default=True)

    class Meta:
        table = "document_access"


class Note(Model):
    """A private note on one page of a document, visible to its author only."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "docs.Document", related_name="notes", on_delete=fields.CASCADE
    )
    document_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "core.User", related_name="document_notes", on_delete=fields.CASCADE
    )
    user_id: int
    page = fields.IntField()
    text = fields.TextField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "document_note"
        unique_together = (("document", "user", "page"),)


class Presented(Model):
    """The page being shown to everyone in a meeting (one row per meeting, while presenting)."""

    id = fields.IntField(primary_key=True)
    meeting: fields.OneToOneRelation = fields.OneToOneField(
        "core.Meeting", related_name="presented", on_delete=fields.CASCADE
    )
    meeting_id: int
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "docs.Document", related_name="presentations", on_delete=fields.CASCADE
    )
    document_id: int
    page = fields.IntField()
    by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "core.User", null=True, related_name="presentations", on_delete=fields.SET_NULL
    )
    by_id: int | None
    at = fields.DatetimeField()

    class Meta:
        table = "document_presented"
