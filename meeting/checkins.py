"""Check-ins that land together are pushed together (PROTOCOL v2 §3.4, the join storm).

Joining a live meeting checks the caller in. When 240 halls join within seconds, pushing each
check-in as its own change would send every socket 240 `participants:updated` pushes. Instead a
join records its check-in in its own transaction (no push, no `seq`), and the check-ins that
land within WINDOW_S of the first one are pushed as ONE change: one `seq`, one push per socket
holding every row that changed. The join's ack waits for that change, so a client that gets its
ack has also been sent the push. Each process coalesces its own joins; the change itself goes
through the hub like any other (row lock, change log, Redis fan-out).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from meeting.hub import Context
from meeting.models import Meeting, User

if TYPE_CHECKING:
    from meeting.server import Server

WINDOW_S = 0.05  # a join waits at most this long for others to share its push


class _Batch:
    def __init__(self, user: User) -> None:
        self.user = user  # the change is made in the name of the first joiner
        self.user_ids: set[int] = set()
        self.done: asyncio.Future[int] = asyncio.get_running_loop().create_future()


class Checkins:
    def __init__(self, server: Server) -> None:
        self.server = server
        self._open: dict[int, _Batch] = {}

    def add(self, meeting_id: int, user: User) -> asyncio.Future[int]:
        """Queue a committed check-in for the next push; the future gives that change's seq."""
        batch = self._open.get(meeting_id)
        if batch is None:
            batch = self._open[meeting_id] = _Batch(user)
            self.server.spawn(self._flush(meeting_id, batch), f"checkins:{meeting_id}")
        batch.user_ids.add(user.id)
        return batch.done

    async def _flush(self, meeting_id: int, batch: _Batch) -> None:
        from meeting.views import push_participants

        try:
            await asyncio.sleep(WINDOW_S)
            self._open.pop(meeting_id, None)
            ctx = Context(server=self.server, user=batch.user)
            ctx.meeting = await Meeting.get(id=meeting_id)
            await self.server.hub.commit(ctx, lambda: push_participants(ctx, batch.user_ids))
            batch.done.set_result(ctx.meeting.seq)
        except BaseException as exc:
            if self._open.get(meeting_id) is batch:
                self._open.pop(meeting_id)
            if not batch.done.done():
                batch.done.set_exception(exc if isinstance(exc, Exception) else RuntimeError())
            raise
