"""Rate-limited key frame requests towards one publisher."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class KeyframeRequester:
    """Sends at most one request per ``min_interval`` seconds; a request made inside the window is
    sent when the window ends, unless a key frame arrived meanwhile. So 240 halls joining at once
    cost the publisher one PLI per window, and no request is lost."""

    def __init__(self, send: Callable[[], Awaitable[object]], min_interval: float) -> None:
        self._send = send
        self._min_interval = min_interval
        self._last_sent = -1e9
        self._last_keyframe = -1e9
        self._pending: asyncio.TimerHandle | None = None
        self._asked = -1e9  # the latest request not yet sent
        self._tasks: set[asyncio.Task[object]] = set()
        self.sent = 0

    def request(self) -> None:
        now = time.monotonic()
        wait = self._last_sent + self._min_interval - now
        if wait <= 0:
            self._fire()
        else:
            self._asked = now
            if self._pending is None:
                self._pending = asyncio.get_running_loop().call_later(wait, self._deferred)

    @property
    def pending(self) -> bool:
        """A request made inside the window waits for the window's end."""
        return self._pending is not None

    def keyframe_arrived(self) -> None:
        self._last_keyframe = time.monotonic()

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        for task in self._tasks:
            task.cancel()

    def _deferred(self) -> None:
        self._pending = None
        if self._last_keyframe < self._asked:
            self._fire()

    def _fire(self) -> None:
        self._last_sent = time.monotonic()
        self.sent += 1
        task: asyncio.Task[object] = asyncio.ensure_future(self._send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
