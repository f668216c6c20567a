"""Server-to-server messages: work every process must do for its OWN sockets (leave a
meeting's rooms, end a user's sessions). Socket.IO's Redis manager forwards emits, but a
process only knows its own socket ids, so the request itself is broadcast and each process
acts locally. Without REDIS_URL there is one process and the message is handled in place."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from meeting.hub import meeting_room, staff_room, user_room
from meeting.identity import token_hash

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.fanout")
Handler = Callable[["Server", dict[str, Any]], Awaitable[None]]


async def _local_sids(server: Server, user_id: int) -> list[str]:
    return [sid for sid, _ in server.sio.manager.get_participants("/", user_room(user_id))]


async def _leave_meeting(server: Server, msg: dict[str, Any]) -> None:
    for sid in await _local_sids(server, msg["user_id"]):
        await server.sio.leave_room(sid, meeting_room(msg["meeting_id"]))
        await server.sio.leave_room(sid, staff_room(msg["meeting_id"]))


async def _leave_staff(server: Server, msg: dict[str, Any]) -> None:
    for sid in await _local_sids(server, msg["user_id"]):
        await server.sio.leave_room(sid, staff_room(msg["meeting_id"]))


async def _drop_sessions(server: Server, msg: dict[str, Any]) -> None:
    for sid in await _local_sids(server, msg["user_id"]):
        session = await server.sio.get_session(sid)
        if msg.get("keep_hash") is not None and session.get("token_hash") == msg["keep_hash"]:
            continue  # the session that asked (a password change keeps its own)
        if msg.get("token_hash") is None or session.get("token_hash") == msg["token_hash"]:
            await server.sio.disconnect(sid)


HANDLERS: dict[str, Handler] = {
    "leave_meeting": _leave_meeting,
    "leave_staff": _leave_staff,
    "drop_sessions": _drop_sessions,
}


class Fanout:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.channel = f"{server.settings.redis_channel}:control"
        self._redis: Any = None

    async def send(self, kind: str, **msg: Any) -> None:
        msg["kind"] = kind
        if not self.server.settings.redis_url:
            await self._handle(msg)
            return
        if self._redis is None:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(self.server.settings.redis_url)
        await self._redis.publish(self.channel, json.dumps(msg))

    async def _handle(self, msg: dict[str, Any]) -> None:
        handler = HANDLERS.get(msg.get("kind", ""))
        if handler is None:
            log.warning("unknown control message %r", msg)
            return
        try:
            await handler(self.server, msg)
        except Exception:
            log.exception("control message %r failed", msg)

    async def leave_meeting(self, meeting_id: int, user_id: int) -> None:
        await self.send("leave_meeting", meeting_id=meeting_id, user_id=user_id)

    async def leave_staff(self, meeting_id: int, user_id: int) -> None:
        """The user's sockets stop receiving the meeting's staff-only pushes."""
        await self.send("leave_staff", meeting_id=meeting_id, user_id=user_id)

    async def drop_sessions(
        self, user_id: int, token: str | None = None, *, keep_hash: str | None = None
    ) -> None:
        """Disconnect the user's sockets: those of `token`, or all but those of `keep_hash`."""
        await self.send(
            "drop_sessions",
            user_id=user_id,
            token_hash=token_hash(token) if token else None,
            keep_hash=keep_hash,
        )

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


async def fanout_service(server: Server) -> None:
    """Listen on Redis for control messages (every process, the sender included)."""
    if not server.settings.redis_url:
        return
    import redis.asyncio as aioredis

    client = aioredis.from_url(server.settings.redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(server.fanout.channel)
    server.fanout_ready.set()
    try:
        async for message in pubsub.listen():
            if message.get("type") == "message":
                await server.fanout._handle(json.loads(message["data"]))
    finally:
        await pubsub.aclose()
        await client.aclose()
        await server.fanout.close()
