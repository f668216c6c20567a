"""Document actions: list, remove (staff), who has opened a document (staff); and the snapshot's
"documents" part."""

from __future__ import annotations

from typing import Any

from docs.models import Document, DocumentAccess
from docs.store import current_documents
from meeting.errors import conflict, not_found
from meeting.hub import Context, MeetingContext, Payload, action, meeting_of, snapshot_part
from meeting.models import EVERY_ROLE, STAFF, Meeting, Participant, Unit


class DocumentList(Payload):
    meeting_id: int


class DocumentId(Payload):
    document_id: int


# Actions that name a document are about the document's meeting.
document_meeting = meeting_of(Document, "document_id")


async def live_document(ctx: MeetingContext, document_id: int) -> Document:
    """A document of ctx.meeting that has not been removed, else not_found."""
    doc = await Document.get_or_none(id=document_id, meeting_id=ctx.meeting.id, removed_at=None)
    if doc is None:
        raise not_found("Không tìm thấy tài liệu")
    return doc


@snapshot_part("documents")
async def _snapshot_documents(ctx: Context, meeting: Meeting) -> list[dict[str, Any]]:
    return await current_documents(meeting.id)


@action("document:list", payload=DocumentList, roles=EVERY_ROLE)
async def list_documents(ctx: MeetingContext, p: DocumentList) -> list[dict[str, Any]]:
    return await current_documents(ctx.meeting.id)


@action("document:remove", payload=DocumentId, roles=STAFF, meeting=document_meeting)
async def remove(ctx: MeetingContext, p: DocumentId) -> dict[str, Any]:
    """Readers no longer see it (its downloads answer 404); the row and the file stay on record."""
    doc = await live_document(ctx, p.document_id)
    if doc.superseded_at is not None:
        raise conflict("Đây là phiên bản cũ đã được thay thế")
    await Document.filter(id=doc.id).update(removed_at=ctx.now, removed_by_id=ctx.user.id)
    ctx.push("document:removed", {"document_id": doc.id})
    from docs.presenting import stop_if_presented

    await stop_if_presented(ctx, doc.id)
    return {"document_id": doc.id}


@action("document:access", payload=DocumentId, roles=STAFF, meeting=document_meeting)
async def access(ctx: MeetingContext, p: DocumentId) -> dict[str, Any]:
    """Who has opened the document and when, and which participants have not (yet)."""
    doc = await live_document(ctx, p.document_id)
    rows = (
        await DocumentAccess.filter(document=doc)
        .order_by("at", "id")
        .values("user_id", "at", "opened", "range")
    )
    per_user: dict[int, dict[str, Any]] = {}
    for r in rows:
        v = per_user.setdefault(
            r["user_id"],
            {
                "user_id": r["user_id"],
                "opens": 0,
                "requests": 0,
                "first_at": r["at"],
                "last_at": r["at"],
            },
        )
        v["requests"] += 1
        v["opens"] += 1 if r["opened"] else 0
        v["last_at"] = r["at"]
    parts = await Participant.filter(meeting=ctx.meeting).select_related("user").order_by("id")
    ids = set(per_user) | {pt.user_id for pt in parts}
    from meeting.models import User

    users = {u.id: u for u in await User.filter(id__in=ids)}
    unit_ids = {u.unit_id for u in users.values() if u.unit_id}
    units = dict(await Unit.filter(id__in=unit_ids).values_list("id", "name")) if unit_ids else {}
    roles = {pt.user_id: pt.role for pt in parts}
    viewers = []
    for uid, v in sorted(per_user.items(), key=lambda kv: kv[1]["first_at"]):
        u = users.get(uid)
        viewers.append(
            {
                **v,
                "full_name": u.full_name if u else "",
                "unit": units.get(u.unit_id) if u else None,  # type: ignore[union-attr]
                "role": roles.get(uid),
            }
        )
    not_opened = [
        {"user_id": pt.user_id, "full_name": pt.user.full_name, "role": pt.role}
        for pt in parts
        if pt.user_id not in per_user
    ]
    return {"document_id": doc.id, "viewers": viewers, "not_opened": not_opened}
