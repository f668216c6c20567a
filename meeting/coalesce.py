"""Changes that land together are pushed together (/api §3.4: a join storm, a vote).

When 240 halls join within seconds, or all vote within seconds, pushing each check-in or each
ballot as its own change would send every socket 240 pushes. Instead such an action writes its
row in its own transaction (no push, no `seq`) and hands the coalescer what changed; everything
handed in for the same key (a meeting's check-ins, one poll's ballots) within WINDOW_S of the
first (WINDOW_S, or the window the caller names) is pushed as ONE change: one `seq`, one push
per socket. The action's ack waits for that
change, so a client that gets its ack has also been sent the push. Each process coalesces its
own actions; the change itself goes through the hub like any other (the meeting's row lock, the
change log, Redis fan-out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any

from meeting.hub import MeetingContext
from meeting.models import Meeting, Participant, Role, User

if TYPE_CHECKING:
    from meeting.server import Server

WINDOW_S = 0.05  # an action waits at most this long for others to share its push
# Queues the change's pushes in ctx, given every item handed in for the key.
Push = Callable[[MeetingContext, set[Any]], Awaitable[Any]]


class _Batch:
    def __init__(self, meeting_id: int, user: User, push: Push) -> None:
        self.meeting_id = meeting_id
        self.user = user  # the change is made in the name of the first caller
        self.push = push
        self.items: set[Any] = set()
        self.done: asyncio.Future[int] = asyncio.get_running_loop().create_future()


class Coalescer:
    def __init__(self, server: Server) -> None:
        self.server = server
        self._open: dict[Hashable, _Batch] = {}

    def add(
        self,
        key: Hashable,
        meeting_id: int,
        user: User,
        item: Any,
        push: Push,
        window_s: float = WINDOW_S,
    ) -> asyncio.Future[int]:
        """Hand in a committed change for the next push under `key`; the future gives the seq
        of the change that pushed it."""
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = _Batch(meeting_id, user, push)
            self.server.spawn(self._flush(key, batch, window_s), f"coalesce:{key}")
        batch.items.add(item)
        return batch.done

    async def _flush(self, key: Hashable, batch: _Batch, window_s: float) -> None:
        try:
            await asyncio.sleep(window_s)
            self._open.pop(key, None)
            meeting = await Meeting.get(id=batch.meeting_id)
            # Pushed on behalf of the batch's first caller, in her seat (the hub re-reads the
            # meeting's row under its lock).
            seat = await Participant.get_or_none(meeting=meeting, user=batch.user)
            ctx = MeetingContext(
                server=self.server,
                user=batch.user,
                meeting=meeting,
                participant=seat,
                role=seat.role if seat else Role.OBSERVER,
            )
            await self.server.hub.commit(ctx, lambda: batch.push(ctx, batch.items))
            batch.done.set_result(ctx.meeting.seq)
        except BaseException as exc:
            if self._open.get(key) is batch:
                self._open.pop(key)
            if not batch.done.done():
                batch.done.set_exception(exc if isinstance(exc, Exception) else RuntimeError())
            raise
