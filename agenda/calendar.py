"""iCalendar: the user's feed (GET /api/calendar.ics) and the .ics attached to invitation mail
(METHOD:REQUEST; METHOD:CANCEL when a meeting is cancelled), in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.errors import ActionError
from meeting.http import current_user
from meeting.hub import Context, Flag, Payload, action
from meeting.jsonable import zone
from meeting.models import Meeting, MeetingStatus, Notification, Participant, User
from meeting.models import Response as Answer
from meeting.notify import Attachment
from meeting.when import local

if TYPE_CHECKING:
    from meeting.server import Server

MAILED_KINDS = {
    "invitation": "REQUEST",
    "meeting_changed": "REQUEST",
    "reminder": "REQUEST",
    "cancelled": "CANCEL",
}


def _host(server: Server) -> str:
    return urlsplit(server.settings.public_url).hostname or "localhost"


def meeting_event(m: Meeting, server: Server, organizer: User | None = None) -> Event:
    ev = Event()
    ev.add("uid", f"meeting-{m.id}@{_host(server)}")
    ev.add("summary", m.title)
    ev.add("dtstart", local(m.starts_at))
    ev.add("dtend", local(m.ends_at))
    ev.add("dtstamp", server.clock.now())
    # SEQUENCE must grow with each change so calendars replace the old copy.
    ev.add("sequence", m.seq)
    if m.location:
        ev.add("location", m.location)
    if m.description:
        ev.add("description", m.description)
    ev.add("status", "CANCELLED" if m.status == MeetingStatus.CANCELLED else "CONFIRMED")
    ev.add("url", f"{server.settings.public_url}/#/meetings/{m.id}")
    if organizer is not None:
        org = vCalAddress(f"mailto:{organizer.email or server.settings.mail_from}")
        org.params["cn"] = organizer.full_name
        ev.add("organizer", org)
    return ev


def calendar(server: Server, events: list[Event], method: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Hop khong giay to//vi")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", zone().key)
    if method:
        cal.add("method", method)
    for ev in events:
        cal.add_component(ev)
    cal.add_missing_timezones()  # a VTIMEZONE for Asia/Ho_Chi_Minh (Outlook needs it)
    return cal.to_ical()


async def feed(request: Request) -> Response:
    server = request.app.state.server
    key = request.query_params.get("key")
    if key:
        user = await User.get_or_none(calendar_key=key, is_active=True)
        if user is None:
            raise ActionError("unauthenticated", "Khoá lịch không hợp lệ hoặc đã bị thu hồi")
        if user.must_change_password:  # reset by an admin: nothing until the new password
            raise ActionError(
                "forbidden", "Hãy đổi mật khẩu ban đầu trước", {"must_change_password": True}
            )
    else:
        user = await current_user(request)
    seats = (
        await Participant.filter(user=user)
        .exclude(response=Answer.DELEGATED)
        .values_list("meeting_id", flat=True)
    )
    meetings = (
        await Meeting.filter(id__in=seats).exclude(status=MeetingStatus.DRAFT).order_by("starts_at")
    )
    body = calendar(server, [meeting_event(m, server) for m in meetings])
    return Response(body, media_type="text/calendar; charset=utf-8")


class CalendarKey(Payload):
    rotate: bool = Field(default=False)


@action("calendar:key", payload=CalendarKey, roles={Flag.SIGNED_IN}, meeting=False)
async def calendar_key(ctx: Context, p: CalendarKey) -> dict:
    """The user's read-only feed key; `rotate` revokes the old one (a lost phone)."""
    if p.rotate or not ctx.user.calendar_key:
        ctx.user.calendar_key = secrets.token_urlsafe(24)
        await ctx.user.save(update_fields=["calendar_key"])
    url = f"{ctx.server.settings.public_url}/api/calendar.ics?key={ctx.user.calendar_key}"
    return {"key": ctx.user.calendar_key, "url": url}


async def invitation_ics(server: Server, n: Notification) -> list[Attachment]:
    method = MAILED_KINDS.get(n.kind)
    if method is None or n.meeting_id is None:
        return []
    m = await Meeting.get(id=n.meeting_id).select_related("created_by")
    body = calendar(server, [meeting_event(m, server, organizer=m.created_by)], method=method)
    return [("invite.ics", f"text/calendar; method={method}", body)]


def routes() -> list[Route]:
    return [Route("/api/calendar.ics", feed, methods=["GET"])]
