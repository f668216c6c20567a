"""A user's notifications: list and mark read."""

from __future__ import annotations

from pydantic import Field

from meeting.hub import Context, Flag, Payload, action
from meeting.models import Notification
from meeting.notify import notification_view


class NotificationList(Payload):
    unread_only: bool = False


class NotificationRead(Payload):
    ids: list[int] = Field(max_length=1000)


@action("notification:list", payload=NotificationList, roles={Flag.SIGNED_IN}, meeting=False)
async def list_notifications(ctx: Context, p: NotificationList) -> list[dict]:
    query = Notification.filter(user=ctx.user)
    if p.unread_only:
        query = query.filter(read_at=None)
    rows = await query.order_by("-created_at", "-id").limit(200)
    return [notification_view(n) for n in rows]


@action("notification:read", payload=NotificationRead, roles={Flag.SIGNED_IN}, meeting=False)
async def read(ctx: Context, p: NotificationRead) -> dict:
    count = await Notification.filter(user=ctx.user, id__in=p.ids, read_at=None).update(
        read_at=ctx.now
    )
    return {"read": count}
