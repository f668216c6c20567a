"""Shared fixtures: one real server for the session (tests make their own people and meetings,
so they do not step on each other); tests that need their own server use `tests.live.running`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.live import Live, running


@pytest.fixture(scope="session")
async def live() -> AsyncIterator[Live]:
    async with running() as live:
        yield live


@pytest.fixture
async def clients(live: Live) -> AsyncIterator[Live]:
    """The session server; the clients a test opens through it are closed after the test."""
    yield live
    await live.close_clients()
