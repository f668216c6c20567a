"""A feature for tests: it records the signals it subscribes to, per server, so a test can
assert what the server announced (the session server is built with it: tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meeting.feature import Feature, on
from meeting.floor.actions import FloorChanged
from meeting.signals import Signal

if TYPE_CHECKING:
    from meeting.server import Server


class SignalLog:
    def __init__(self, server: Server) -> None:
        self.seen: list[Signal] = []


async def _record(server: Server, signal: Signal) -> None:
    server.state(SignalLog).seen.append(signal)


SIGNAL_LOG = Feature("test-signal-log", signals=[on(FloorChanged, _record)], state=[SignalLog])
