"""Notifications: stored by the action (inside its transaction), delivered after the commit —
pushed to the user's sockets and, when SMTP_URL is set, e-mailed with whatever attachments the
features add (the agenda package adds the .ics invitation)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import aiosmtplib

from meeting.jsonable import jsonable
from meeting.models import Meeting, Notification, User

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.notify")

# (filename, mime type "a/b", content) pieces that a feature attaches to a notification's mail.
Attachment = tuple[str, str, bytes]


@dataclass(frozen=True)
class MailAttachment:
    """An extension (Feature.extensions): what a feature attaches to a notification's mail."""

    make: Callable[[Server, Notification], Awaitable[list[Attachment]]]


def notification_view(n: Notification) -> dict:
    return {
        "id": n.id,
        "kind": n.kind,
        "meeting_id": n.meeting_id,
        "text": n.text,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


async def store_notifications(
    user_ids: Iterable[int], kind: str, text: str, *, meeting: Meeting | None, at: datetime
) -> list[Notification]:
    """The one way to store notifications: one row per user (each named once). Deliver them with
    Notifier.deliver once they are committed."""
    return [
        await Notification.create(user_id=uid, kind=kind, meeting=meeting, text=text, created_at=at)
        for uid in dict.fromkeys(user_ids)
    ]


class Notifier:
    def __init__(self, server: Server) -> None:
        self.server = server

    async def deliver(self, notifications: Iterable[Notification]) -> None:
        """The one way to deliver stored (and committed) notifications: push each to its user's
        sockets, and e-mail it when SMTP_URL is set."""
        for n in notifications:
            view = jsonable(notification_view(n))
            await self.server.emit("notification", view, f"u:{n.user_id}")
            if self.server.settings.smtp_url:
                self.server.spawn(self._mail(n), name=f"mail-{n.id}")

    async def _mail(self, n: Notification) -> None:
        user = await User.get(id=n.user_id)
        if not user.email:
            return
        msg = EmailMessage()
        msg["From"] = self.server.settings.mail_from
        msg["To"] = user.email
        msg["Subject"] = n.text.split("\n", 1)[0][:150]
        msg.set_content(f"{n.text}\n\n{self.server.settings.public_url}\n")
        for ext in self.server.extensions(MailAttachment):
            for filename, mime, content in await ext.make(self.server, n):
                maintype, subtype = mime.split("/", 1)
                msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        url = urlsplit(self.server.settings.smtp_url)
        try:
            await aiosmtplib.send(
                msg,
                hostname=url.hostname or "127.0.0.1",
                port=url.port or 25,
                username=unquote(url.username) if url.username else None,
                password=unquote(url.password) if url.password else None,
                use_tls=url.scheme == "smtps",
                start_tls=False if url.scheme == "smtp" else None,
            )
        except Exception:
            # Mail is a courtesy copy: the stored notification is the record.
            log.exception("could not mail notification %s to %s", n.id, user.email)
