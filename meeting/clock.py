"""Time as an injectable service: the server asks a Clock, tests drive a ManualClock.

Deadlines (reminders, speaking time) are absolute instants; whoever waits for one calls
`sleep_until`, so a test can move time forward and wake the waiter instead of sleeping.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime, wake: asyncio.Event | None = None) -> None:
        """Return at `when`, or earlier if `wake` is set."""
        delay = max(0.0, (when - self.now()).total_seconds())
        if wake is None:
            await asyncio.sleep(delay)
            return
        try:
            await asyncio.wait_for(wake.wait(), timeout=delay)
        except TimeoutError:
            pass


class ManualClock(Clock):
    """A clock that only moves when told to; waiters wake when their deadline is passed."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._changed = asyncio.Condition()

    def now(self) -> datetime:
        return self._now

    async def advance(self, delta: timedelta) -> None:
        async with self._changed:
            self._now += delta
            self._changed.notify_all()

    async def sleep_until(self, when: datetime, wake: asyncio.Event | None = None) -> None:
        async def _until() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self._now >= when)

        waiters = [asyncio.ensure_future(_until())]
        if wake is not None:
            waiters.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
