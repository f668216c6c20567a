"""A real server for the whole-meeting event test, with media on loopback (as tests/rtc), so that
the halls' aiortc peers connect and rtc:main / rtc:points are real too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.live import Live, make_settings, running


@pytest.fixture(scope="session")
async def events_live() -> AsyncIterator[Live]:
    async with running(make_settings(rtc_hosts=["127.0.0.1"])) as live:
        yield live
