"""Agenda items: add, edit, remove, reorder, and the item under discussion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, StringConstraints

from agenda.models import AgendaItem, ItemStatus
from agenda.views import push_agenda
from meeting.errors import conflict, invalid
from meeting.hub import STAFF, MeetingContext, Payload, action, meeting_of
from meeting.models import Meeting, MeetingStatus, Role, User
from meeting.signals import Signal

ItemTitle = Annotated[str, StringConstraints(min_length=1, max_length=500)]


@dataclass(frozen=True, kw_only=True)
class AgendaActivated(Signal):
    """The chair opened an item for discussion."""

    meeting_id: int
    item_id: int


class AgendaAdd(Payload):
    meeting_id: int
    title: ItemTitle
    presenter_id: int | None = None
    duration_min: int | None = Field(default=None, ge=1, le=1440)
    position: int | None = Field(default=None, ge=1)  # 1-based place in the agenda


class AgendaUpdate(Payload):
    item_id: int
    title: ItemTitle | None = None
    presenter_id: int | None = None
    duration_min: int | None = Field(default=None, ge=1, le=1440)


class ItemId(Payload):
    item_id: int


class AgendaReorder(Payload):
    meeting_id: int
    item_ids: list[int] = Field(max_length=500)


# Actions that name an item are about the item's meeting.
item_meeting = meeting_of(AgendaItem, "item_id")


def _editable(m: Meeting) -> None:
    if m.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
        raise conflict("Cuộc họp đã kết thúc hoặc đã huỷ")


async def _check_presenter(presenter_id: int | None) -> None:
    if presenter_id is not None and not await User.exists(id=presenter_id, is_active=True):
        raise invalid("Không có người trình bày này", presenter_id="unknown user")


async def _renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    for pos, item in enumerate(ordered, start=1):
        if item.position != pos:
            item.position = pos
            await item.save(update_fields=["position"])


@action("agenda:add", payload=AgendaAdd, roles=STAFF)
async def add(ctx: MeetingContext, p: AgendaAdd) -> dict:
    m = ctx.meeting
    _editable(m)
    await _check_presenter(p.presenter_id)
    items = await AgendaItem.filter(meeting=m).order_by("position", "id")
    item = AgendaItem(
        meeting=m,
        title=p.title,
        presenter_id=p.presenter_id,
        duration_min=p.duration_min,
        position=0,
    )
    at = len(items) if p.position is None else min(p.position - 1, len(items))
    items.insert(at, item)
    await item.save()
    await _renumber(m, items)
    views = await push_agenda(ctx)
    return next(v for v in views if v["id"] == item.id)


@action("agenda:update", payload=AgendaUpdate, roles=STAFF, meeting=item_meeting)
async def update(ctx: MeetingContext, p: AgendaUpdate) -> dict:
    _editable(ctx.meeting)
    item = await AgendaItem.get(id=p.item_id)
    fields = p.model_dump(exclude_unset=True, exclude={"item_id"})
    if "title" in fields and fields["title"] is None:
        raise invalid("Tiêu đề không được trống", title="required")
    if "presenter_id" in fields:
        await _check_presenter(p.presenter_id)
    for key, value in fields.items():
        setattr(item, key, value)
    await item.save()
    views = await push_agenda(ctx)
    return next(v for v in views if v["id"] == item.id)


@action("agenda:remove", payload=ItemId, roles=STAFF, meeting=item_meeting)
async def remove(ctx: MeetingContext, p: ItemId) -> dict:
    _editable(ctx.meeting)
    item = await AgendaItem.get(id=p.item_id)
    if item.status == ItemStatus.ACTIVE:
        raise conflict("Không xoá được nội dung đang thảo luận")
    await item.delete()
    await _renumber(
        ctx.meeting, await AgendaItem.filter(meeting=ctx.meeting).order_by("position", "id")
    )
    return {"items": await push_agenda(ctx)}


@action("agenda:reorder", payload=AgendaReorder, roles=STAFF)
async def reorder(ctx: MeetingContext, p: AgendaReorder) -> dict:
    _editable(ctx.meeting)
    items = {i.id: i for i in await AgendaItem.filter(meeting=ctx.meeting)}
    if sorted(p.item_ids) != sorted(items):
        raise invalid(
            "Danh sách phải gồm đúng các nội dung của cuộc họp", item_ids="not the meeting's items"
        )
    await _renumber(ctx.meeting, [items[i] for i in p.item_ids])
    return {"items": await push_agenda(ctx)}


@action("agenda:activate", payload=ItemId, roles={Role.CHAIR}, meeting=item_meeting)
async def activate(ctx: MeetingContext, p: ItemId) -> dict:
    if ctx.meeting.status != MeetingStatus.IN_PROGRESS:
        raise conflict("Cuộc họp chưa bắt đầu")
    await AgendaItem.filter(meeting=ctx.meeting, status=ItemStatus.ACTIVE).update(
        status=ItemStatus.DONE
    )
    await AgendaItem.filter(id=p.item_id).update(status=ItemStatus.ACTIVE)
    ctx.signal(AgendaActivated(meeting_id=ctx.meeting.id, item_id=p.item_id))
    return {"items": await push_agenda(ctx)}


# What the core asks of the agenda (extensions the AGENDA feature offers).


async def close_active_item(ctx: MeetingContext) -> None:
    """meeting:end closes the item under discussion, pushed with the end (WhenMeetingEnds)."""
    closed = await AgendaItem.filter(meeting=ctx.meeting, status=ItemStatus.ACTIVE).update(
        status=ItemStatus.DONE
    )
    if closed:
        await push_agenda(ctx)


async def item_of_meeting(meeting_id: int, item_id: int) -> bool:
    """A floor request, an opinion, a vote, a document or a conclusion may name an item: only
    one of its own meeting."""
    return await AgendaItem.exists(id=item_id, meeting_id=meeting_id)


async def item_under_discussion(meeting_id: int) -> int | None:
    return await (
        AgendaItem.filter(meeting_id=meeting_id, status=ItemStatus.ACTIVE)
        .first()
        .values_list("id", flat=True)
    )
