"""A real server with the rtc feature installed, shared by this directory's modules."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.live import Live, make_settings, running


@pytest.fixture(scope="session")
async def rtc_live() -> AsyncIterator[Live]:
    async with running(make_settings(rtc_hosts=["127.0.0.1"])) as live:
        yield live
