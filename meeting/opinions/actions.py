"""Written opinions (góp ý) on the meeting, an agenda item or a document.

Staff see all of them, an author sees their own; `opinion:added` goes to staff and the author.
Documents live in the docs package: an opinion keeps only the id and asks the DocumentCheck
extensions the features offer (docs: is it a live document of that meeting?).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import StringConstraints

from meeting.agenda_ref import named_item
from meeting.client_keys import ClientKeyField, once
from meeting.errors import ActionError, conflict, invalid
from meeting.hub import MeetingContext, MeetingId, Payload, action
from meeting.models import EVERY_ROLE, MeetingStatus, Role
from meeting.opinions.models import Opinion
from meeting.opinions.views import opinion_view
from meeting.views import full_names


@dataclass(frozen=True)
class DocumentCheck:
    """An extension (Feature.extensions): `check(meeting_id, document_id)` -> is it a document
    of that meeting?"""

    check: Callable[[int, int], Awaitable[bool]]


AUTHORS = {Role.CHAIR, Role.SECRETARY, Role.DELEGATE, Role.POINT}  # participants but observers


class OpinionSubmit(Payload):
    meeting_id: int
    text: Annotated[str, StringConstraints(min_length=1, max_length=10000)]
    agenda_item_id: int | None = None
    document_id: int | None = None
    client_key: ClientKeyField | None = None  # sent again after a drop: answered once


@action("opinion:submit", payload=OpinionSubmit, roles=AUTHORS)
async def submit(ctx: MeetingContext, p: OpinionSubmit) -> dict[str, Any]:
    return await once(ctx, "opinion:submit", p.client_key, lambda: _submit(ctx, p))


async def _submit(ctx: MeetingContext, p: OpinionSubmit) -> dict[str, Any]:
    m = ctx.meeting
    if m.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
        raise conflict("Cuộc họp không nhận góp ý lúc này")
    cap = ctx.server.settings.max_opinions_per_user
    if await Opinion.filter(meeting=m, user=ctx.user).count() >= cap:
        raise ActionError("rate_limited", f"Mỗi người gửi tối đa {cap} góp ý cho một cuộc họp")
    await named_item(ctx, p.agenda_item_id)
    if p.document_id is not None:
        for ext in ctx.server.extensions(DocumentCheck):
            if not await ext.check(m.id, p.document_id):
                raise invalid(
                    "Không có tài liệu này trong cuộc họp",
                    document_id="not this meeting's document",
                )
    o = await Opinion.create(
        meeting=m,
        user=ctx.user,
        agenda_item_id=p.agenda_item_id,
        document_id=p.document_id,
        text=p.text,
        created_at=ctx.now,
    )
    view = opinion_view(o, ctx.user.full_name)
    ctx.push("opinion:added", view, to="staff")
    if not ctx.is_staff:
        ctx.push("opinion:added", view, to="users", users=[ctx.user.id])
    return view


@action("opinion:list", payload=MeetingId, roles=EVERY_ROLE)
async def list_opinions(ctx: MeetingContext, p: MeetingId) -> list[dict[str, Any]]:
    query = Opinion.filter(meeting=ctx.meeting)
    if not ctx.is_staff:
        query = query.filter(user=ctx.user)
    rows = await query.order_by("created_at", "id")
    names = await full_names({o.user_id for o in rows})
    return [opinion_view(o, names.get(o.user_id, "")) for o in rows]
