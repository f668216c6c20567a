"""Socket.IO transport: authenticate the connection, hand every event to the hub, announce
disconnects. A malformed event gets an error ack, never a dropped connection."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from socketio.exceptions import ConnectionRefusedError

from meeting.errors import ActionError
from meeting.hub import user_room
from meeting.identity import COOKIE_NAME, token_hash
from meeting.signals import SocketDisconnected

if TYPE_CHECKING:
    from meeting.server import Server

# Per connection: a burst of BURST events, refilled at RATE per second. A tablet sends a few
# events a second at most; this only stops a runaway client from monopolising the server.
RATE = 20.0
BURST = 60.0


class _Bucket:
    __slots__ = ("tokens", "at")

    def __init__(self) -> None:
        self.tokens = BURST
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _cookie_token(environ: dict[str, Any]) -> str | None:
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else None


def install(server: Server) -> None:
    sio = server.sio
    buckets: dict[str, _Bucket] = {}

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        token = token if isinstance(token, str) else None
        token = token or _cookie_token(environ)
        user = await server.identity.user_for_token(token)
        if user is None or token is None:
            raise ConnectionRefusedError("unauthenticated")
        # A tablet, a phone and a PC, with reconnects, are a handful; a client that opens
        # sockets in a loop must not hold the server's memory and every push's fan-out.
        # Counted and joined with no await between: concurrent connects see one another.
        held = sum(1 for _ in sio.manager.get_participants("/", user_room(user.id)))
        if held >= server.settings.max_sockets_per_user:
            raise ConnectionRefusedError("too_many_connections")
        await sio.enter_room(sid, user_room(user.id))
        # The token is checked again on every event: logging out or disabling ends the session.
        await sio.save_session(sid, {"user_id": user.id, "token_hash": token_hash(token)})
        buckets[sid] = _Bucket()

    @sio.event
    async def disconnect(sid: str, reason: Any = None) -> None:
        buckets.pop(sid, None)
        session = await sio.get_session(sid)
        await server.fire(SocketDisconnected(sid=sid, user_id=session.get("user_id")))

    @sio.on("*")
    async def any_event(event: str, sid: str, *args: Any) -> dict[str, Any]:
        bucket = buckets.get(sid)
        if bucket is not None and not bucket.take():
            return ActionError("rate_limited", "Quá nhiều yêu cầu, hãy chậm lại").ack()
        session = await sio.get_session(sid)
        user = await server.identity.user_for_hash(session.get("token_hash", ""))
        if user is None:
            return ActionError("unauthenticated", "Phiên đăng nhập đã hết hạn").ack()
        data = args[0] if len(args) == 1 else None
        return await server.hub.dispatch(user, sid, event, data)
