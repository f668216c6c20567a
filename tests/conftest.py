"""Shared fixtures: one real server for the session (tests make their own people and meetings,
so they do not step on each other); tests that need their own server use `tests.live.running`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from meeting.clock import Clock
from meeting.config import Settings
from meeting.server import Server
from tests.live import Live, running
from tests.signal_log import SIGNAL_LOG


def _build_with_log(settings: Settings, clock: Clock | None = None) -> Server:
    from run import build_server

    return build_server(settings, clock=clock, extra=[SIGNAL_LOG])


@pytest.fixture(scope="session")
async def live() -> AsyncIterator[Live]:
    async with running(build=_build_with_log) as live:
        yield live


@pytest.fixture
async def clients(live: Live) -> AsyncIterator[Live]:
    """The session server; the clients a test opens through it are closed after the test."""
    yield live
    await live.close_clients()
