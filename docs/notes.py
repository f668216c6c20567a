"""Private notes per page: note:save / note:list, visible to their author only (no pushes to
anyone else; the author's own sockets get `note:saved` so a second tablet stays in step)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from docs.actions import document_meeting, live_document
from docs.models import Note
from meeting.client_keys import ClientKeyField, once
from meeting.errors import invalid
from meeting.hub import MeetingContext, Payload, action
from meeting.models import EVERY_ROLE

NoteText = Annotated[str, StringConstraints(max_length=20000)]


class NoteSave(Payload):
    document_id: int
    page: int = Field(ge=1)
    text: NoteText
    client_key: ClientKeyField | None = None  # sent again after a drop: answered once


class NoteList(Payload):
    document_id: int


def note_view(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "document_id": n.document_id,
        "page": n.page,
        "text": n.text,
        "updated_at": n.updated_at,
    }


@action("note:save", payload=NoteSave, roles=EVERY_ROLE, meeting=document_meeting)
async def save(ctx: MeetingContext, p: NoteSave) -> dict[str, Any]:
    """Upsert the caller's note on one page; empty text deletes it (answers `deleted: true`)."""
    return await once(ctx, "note:save", p.client_key, lambda: _save(ctx, p))


async def _save(ctx: MeetingContext, p: NoteSave) -> dict[str, Any]:
    doc = await live_document(ctx, p.document_id)
    if p.page > doc.pages:
        raise invalid(f"Trang phải từ 1 đến {doc.pages}", page=f"out of range 1..{doc.pages}")
    if not p.text.strip():
        await Note.filter(document=doc, user=ctx.user, page=p.page).delete()
        out = {
            "id": None,
            "document_id": doc.id,
            "page": p.page,
            "text": "",
            "updated_at": ctx.now,
            "deleted": True,
        }
    else:
        note = await Note.get_or_none(document=doc, user=ctx.user, page=p.page)
        if note is None:
            note = await Note.create(
                document=doc, user=ctx.user, page=p.page, text=p.text, updated_at=ctx.now
            )
        else:
            note.text = p.text
            note.updated_at = ctx.now
            await note.save()
        out = {**note_view(note), "deleted": False}
    ctx.push_user(ctx.user.id, "note:saved", {"meeting_id": ctx.meeting.id, **out})
    return out


@action("note:list", payload=NoteList, roles=EVERY_ROLE, meeting=document_meeting)
async def list_notes(ctx: MeetingContext, p: NoteList) -> list[dict[str, Any]]:
    doc = await live_document(ctx, p.document_id)
    notes = await Note.filter(document=doc, user=ctx.user).order_by("page")
    return [note_view(n) for n in notes]
