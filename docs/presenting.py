"""The page everyone follows: document:present (the chair, or whoever holds the floor) and the
snapshot's "presented" part. Kept in the database, so a restart or a reconnect shows the same page.

`document:present {meeting_id, document_id, page}` answers and pushes
`document:presented {document_id, page, by, by_name, at}`; `document_id: null` stops presenting
(the push then carries document_id null and page null).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from docs.actions import live_document
from docs.models import Document, Presented
from meeting.errors import conflict, forbidden, invalid
from meeting.floor.models import SpeakingRequest
from meeting.hub import Context, MeetingContext, Payload, action, snapshot_part
from meeting.models import EVERY_ROLE, Meeting, MeetingStatus, Role, User


class DocumentPresent(Payload):
    meeting_id: int
    document_id: int | None
    page: int = Field(default=1)


def presented_view(row: Presented | None, by_name: str | None = None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "document_id": row.document_id,
        "page": row.page,
        "by": row.by_id,
        "by_name": by_name,
        "at": row.at,
    }


async def current_presented(meeting_id: int) -> dict[str, Any] | None:
    row = await Presented.get_or_none(meeting_id=meeting_id, document__removed_at=None)
    if row is None:
        return None
    name = (
        await User.filter(id=row.by_id).first().values_list("full_name", flat=True)
        if row.by_id
        else None
    )
    return presented_view(row, name)


@snapshot_part("presented")
async def _snapshot_presented(ctx: Context, meeting: Meeting) -> dict[str, Any] | None:
    return await current_presented(meeting.id)


async def is_current_speaker(meeting: Meeting, user: User) -> bool:
    return await SpeakingRequest.exists(
        meeting=meeting, user=user, started_at__isnull=False, ended_at__isnull=True
    )


@action("document:present", payload=DocumentPresent, roles=EVERY_ROLE)
async def present(ctx: MeetingContext, p: DocumentPresent) -> dict[str, Any] | None:
    if ctx.role != Role.CHAIR and not await is_current_speaker(ctx.meeting, ctx.user):
        raise forbidden("Chỉ người chủ trì hoặc người đang phát biểu được trình chiếu tài liệu")
    if ctx.meeting.status != MeetingStatus.IN_PROGRESS:
        raise conflict("Chỉ trình chiếu được khi cuộc họp đang diễn ra")
    if p.document_id is None:
        await Presented.filter(meeting=ctx.meeting).delete()
        _push_nothing_presented(ctx)
        return None
    doc = await live_document(ctx, p.document_id)
    if not 1 <= p.page <= doc.pages:
        raise invalid(f"Trang phải từ 1 đến {doc.pages}", page=f"out of range 1..{doc.pages}")
    row = await Presented.get_or_none(meeting=ctx.meeting)
    if row is None:
        row = await Presented.create(
            meeting=ctx.meeting, document=doc, page=p.page, by=ctx.user, at=ctx.now
        )
    else:
        row.document = doc
        row.page = p.page
        row.by = ctx.user
        row.at = ctx.now
        await row.save()
    view = presented_view(row, ctx.user.full_name)
    assert view is not None
    ctx.push("document:presented", view)
    return view


async def stop_if_presented(ctx: MeetingContext, document_id: int) -> None:
    """A removed document stops being presented (inside the removing action)."""
    if await Presented.filter(meeting=ctx.meeting, document_id=document_id).delete():
        _push_nothing_presented(ctx)


def _push_nothing_presented(ctx: MeetingContext) -> None:
    """`document:presented` with no document: everyone's viewer leaves the presented page."""
    ctx.push(
        "document:presented",
        {
            "document_id": None,
            "page": None,
            "by": ctx.user.id,
            "by_name": ctx.user.full_name,
            "at": ctx.now,
        },
    )


async def follow_new_version(ctx: MeetingContext, old: Document, new: Document) -> None:
    """A presented document that gets a new version: everyone follows to the new one, same page
    (or its last page, when the new version is shorter)."""
    row = await Presented.get_or_none(meeting=ctx.meeting, document_id=old.id)
    if row is None:
        return
    row.document = new
    row.page = min(row.page, new.pages)
    row.at = ctx.now
    await row.save()
    name = (
        await User.filter(id=row.by_id).first().values_list("full_name", flat=True)
        if row.by_id
        else None
    )
    view = presented_view(row, name)
    assert view is not None
    ctx.push("document:presented", view)
