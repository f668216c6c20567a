"""Conclusions (kết luận): drafts saved as the secretary types, and publishing them as the
"Thông báo kết luận" — a PDF in the Vietnamese administrative layout, signed (PAdES) when a
certificate is configured, stored as a document of the meeting, announced to every participant.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from pydantic import Field

from agenda.models import AgendaItem
from docs.conclusions.models import Conclusion
from docs.conclusions.notice_pdf import Notice, NoticeSection, notice_pdf
from docs.pdfkit import ascii_initials
from docs.signing import configured_signer, sign_pdf
from meeting.actions.meetings import held_times
from meeting.agenda_ref import named_item
from meeting.errors import conflict
from meeting.hub import STAFF, Context, MeetingContext, MeetingId, Payload, action, snapshot_part
from meeting.jsonable import zone
from meeting.models import (
    Audit,
    Meeting,
    MeetingStatus,
    Participant,
    Response,
    Role,
    User,
)
from meeting.when import local

NOTICE_KIND = "notice"  # docs.models.Document.kind of a generated conclusion notice


class ConclusionSave(Payload):
    meeting_id: int
    text: str = Field(max_length=50000)
    agenda_item_id: int | None = None


def conclusion_view(c: Conclusion, *, draft: bool = True) -> dict[str, Any]:
    """Staff see the draft (`text`) and what was published (`published_text`); everyone else
    sees only the published text, as `text`."""
    view = {
        "id": c.id,
        "meeting_id": c.meeting_id,
        "agenda_item_id": c.agenda_item_id,
        "text": c.text if draft else c.published_text,
        "published_at": c.published_at,
    }
    if draft:  # who edited the draft, and when, is staff business too
        view.update(
            updated_by=c.updated_by_id, updated_at=c.updated_at, published_text=c.published_text
        )
    return view


async def conclusions_of(meeting: Meeting, *, drafts: bool) -> list[dict[str, Any]]:
    """In agenda order, the overall one last. Drafts only for staff; others see what was
    published."""
    rows = await Conclusion.filter(meeting=meeting)
    if not drafts:
        rows = [c for c in rows if c.published_text is not None]
    order = {
        iid: pos
        for iid, pos in await AgendaItem.filter(meeting=meeting).values_list("id", "position")
    }
    rows.sort(key=lambda c: (c.agenda_item_id is None, order.get(c.agenda_item_id, 0), c.id))
    return [conclusion_view(c, draft=drafts) for c in rows]


@snapshot_part("conclusions")
async def _snapshot_conclusions(ctx: MeetingContext, meeting: Meeting) -> list[dict[str, Any]]:
    return await conclusions_of(meeting, drafts=ctx.is_staff)


@action("conclusion:save", payload=ConclusionSave, roles={Role.SECRETARY})
async def save(ctx: MeetingContext, p: ConclusionSave) -> dict[str, Any]:
    m = ctx.meeting
    if m.status == MeetingStatus.CANCELLED:
        raise conflict("Cuộc họp đã huỷ")
    await named_item(ctx, p.agenda_item_id)
    c = await Conclusion.get_or_none(meeting=m, agenda_item_id=p.agenda_item_id)
    if c is None:
        c = await Conclusion.create(
            meeting=m,
            agenda_item_id=p.agenda_item_id,
            text=p.text,
            updated_by=ctx.user,
            updated_at=ctx.now,
        )
    else:
        c.text = p.text
        c.updated_by = ctx.user
        c.updated_at = ctx.now
        await c.save()
    view = conclusion_view(c)
    ctx.push("conclusion:updated", view, to="staff")
    return view


async def _notice_number(ctx: Context, body: str) -> str:
    """Numbered in the issuing body's yearly series: Số: n/TB-UBND."""
    year = local(ctx.now).year
    start = datetime(year, 1, 1, tzinfo=zone())
    n = await Audit.filter(action="conclusion:publish", at__gte=start).count() + 1
    return f"Số: {n}/TB-{ascii_initials(body)}"


async def build_notice(ctx: MeetingContext, rows: list[Conclusion], number: str) -> Notice:
    m = ctx.meeting
    settings = ctx.server.settings
    chair = await User.get(id=m.chair_id)
    items = {i.id: i for i in await AgendaItem.filter(meeting=m)}
    rows = sorted(
        rows,
        key=lambda c: (
            c.agenda_item_id is None,
            items[c.agenda_item_id].position if c.agenda_item_id in items else 0,
            c.id,
        ),
    )
    present = await Participant.filter(meeting=m, present=True).values_list("role", flat=True)
    started, _ = await held_times(m)
    return Notice(
        issuing_body=settings.issuing_body,
        place=settings.issuing_place,
        number=number,
        published_at=local(ctx.now),
        meeting_title=m.title,
        meeting_start=local(started or m.starts_at),
        location=m.location,
        chair_name=chair.full_name,
        chair_title=chair.title,
        delegates=sum(1 for r in present if r == Role.DELEGATE),
        points=sum(1 for r in present if r == Role.POINT),
        sections=[
            NoticeSection(
                items[c.agenda_item_id].title if c.agenda_item_id in items else "",
                c.text.strip(),
            )
            for c in rows
        ],
    )


@action("conclusion:publish", payload=MeetingId, roles=STAFF)
async def publish(ctx: MeetingContext, p: MeetingId) -> dict[str, Any]:
    from docs import store  # the documents feature: stores generated PDFs as documents

    m = ctx.meeting
    if m.status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.ENDED):
        raise conflict("Chỉ ban hành kết luận khi cuộc họp đang diễn ra hoặc đã kết thúc")
    rows = [c for c in await Conclusion.filter(meeting=m) if c.text.strip()]
    if not rows:
        raise conflict("Chưa có nội dung kết luận")
    settings = ctx.server.settings
    number = await _notice_number(ctx, settings.issuing_body)
    notice = await build_notice(ctx, rows, number)
    pdf = await asyncio.to_thread(notice_pdf, notice)
    signer = await configured_signer(settings)
    if signer is not None:
        pdf = await sign_pdf(
            pdf, signer, reason=f"Thông báo kết luận {number}", location=settings.issuing_place
        )
    title = f"Thông báo kết luận — {m.title}"
    doc = await store.add_generated(
        ctx, title=title, pdf=pdf, kind=NOTICE_KIND, signed=signer is not None
    )
    now = ctx.now
    for c in rows:
        c.published_at = now
        c.published_text = c.text
        await c.save(update_fields=["published_at", "published_text"])
        ctx.push("conclusion:updated", conclusion_view(c), to="staff")
    await Audit.create(
        actor=ctx.user,
        action="conclusion:publish",
        target=f"meeting:{m.id}",
        at=now,
        detail={"document_id": doc.id, "number": number, "signed": signer is not None},
    )
    users = (
        await Participant.filter(meeting=m)
        .exclude(response=Response.DELEGATED)
        .values_list("user_id", flat=True)
    )
    await ctx.notify(users, "conclusion", f"Thông báo kết luận cuộc họp: {m.title} ({number})")
    result = {
        "document_id": doc.id,
        "published_at": now,
        "number": number,
        "signed": signer is not None,
    }
    # Everyone's list of published conclusions comes with the push (non-staff get no drafts).
    ctx.push(
        "conclusion:published", {**result, "conclusions": await conclusions_of(m, drafts=False)}
    )
    return result
