"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import queue
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.live import free_port


class _Keep:
    def __init__(self, box: queue.Queue[Message]) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.put(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class MailSink:
    def __init__(self) -> None:
        self.box: queue.Queue[Message] = queue.Queue()
        self.port = free_port()
        # hostname given: aiosmtpd otherwise binds ::1 only.
        self.controller = Controller(_Keep(self.box), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    async def next(self, wait_s: float = 10) -> Message:
        """The next message received (the SMTP server runs in its own thread)."""
        return await asyncio.to_thread(self.box.get, True, wait_s)
