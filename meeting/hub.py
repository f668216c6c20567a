"""The action hub (design/DESIGN.md §2, "One action, end to end").

Every Socket.IO request is an action declared once:

    @action("agenda:activate", payload=AgendaActivate, roles={Role.CHAIR}, meeting=item_meeting)
    async def activate(ctx: Context, p: AgendaActivate) -> dict: ...

The hub validates the payload (pydantic, strict JSON types, unknown fields refused), finds the
meeting the action is about and the caller's role in it, denies by default, runs the handler in
one database transaction holding the meeting's row, bumps the meeting's `seq` when the handler
pushed a change to everyone, and only AFTER the commit emits the queued pushes, notifications
and signals. Feature packages register actions, snapshot parts and signal handlers by importing
this module; the hub never imports them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from meeting.errors import ActionError, not_found
from meeting.jsonable import jsonable
from meeting.models import (
    STAFF,
    Meeting,
    MeetingStatus,
    Notification,
    Participant,
    Response,
    Role,
    User,
)

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.hub")
T = TypeVar("T")


class Payload(BaseModel):
    """Base of every action payload: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Flag(StrEnum):
    """Who may call, besides meeting roles."""

    SIGNED_IN = "signed_in"  # anyone with a valid token
    ADMIN = "admin"  # user.is_admin
    ORGANIZER = "organizer"  # user.is_organizer
    CREATOR = "creator"  # the user who created the meeting


Allowed = Role | Flag
MeetingOf = Callable[[Any], Awaitable[int | None]]
Handler = Callable[["Context", Any], Awaitable[Any]]


async def meeting_id_field(p: Any) -> int | None:
    """The default: the payload names its meeting as `meeting_id`."""
    return getattr(p, "meeting_id", None)


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    payload: type[Payload]
    roles: frozenset[Allowed]
    meeting_of: MeetingOf | None


ACTIONS: dict[str, Action] = {}


def action(
    name: str,
    *,
    payload: type[Payload],
    roles: Iterable[Allowed],
    meeting: MeetingOf | None | bool = True,
) -> Callable[[Handler], Handler]:
    """Declare an action. `meeting`: True = the payload's `meeting_id`; an async function
    payload -> meeting id (e.g. from an agenda item); False/None = not about one meeting."""

    def register(fn: Handler) -> Handler:
        if name in ACTIONS:
            raise RuntimeError(f"action {name!r} registered twice")
        meeting_of = meeting_id_field if meeting is True else (meeting or None)
        ACTIONS[name] = Action(name, fn, payload, frozenset(roles), meeting_of)  # type: ignore[arg-type]
        return fn

    return register


# Parts of the meeting snapshot (/api §3.3) that feature packages contribute.
SnapshotPart = Callable[["Context", Meeting], Awaitable[Any]]
SNAPSHOT_PARTS: dict[str, SnapshotPart] = {}
# Parts whose dict is spread into the snapshot's top level rather than kept under their name.
MERGED_PARTS: set[str] = set()
# Parts that are not seq'd state (media: who is on the main stream): a resumed `meeting:join`
# cannot replay them from the change log, so it carries them whole.
LIVE_PARTS: set[str] = set()


def snapshot_part(
    name: str, *, merge: bool = False, live: bool = False
) -> Callable[[SnapshotPart], SnapshotPart]:
    def register(fn: SnapshotPart) -> SnapshotPart:
        if name in SNAPSHOT_PARTS:
            raise RuntimeError(f"snapshot part {name!r} registered twice")
        SNAPSHOT_PARTS[name] = fn
        if merge:
            MERGED_PARTS.add(name)
        if live:
            LIVE_PARTS.add(name)
        return fn

    return register


# What the snapshot holds for a part no installed package provides (yet).
SNAPSHOT_DEFAULTS: dict[str, Any] = {
    "agenda": [],
    "documents": [],
    "floor": {"speaker": None, "queue": []},
    "polls": [],
    "conclusions": [],
    "presented": None,
}


# After-commit signals: the core announces, features react. Handlers are
# `async def fn(server, **kwargs)`, registered with @on_signal(name). Signals in use:
#   "meeting.changed"  (meeting_id)                 published / edited / cancelled
#   "meeting.started" / "meeting.ended"  (meeting_id)
#   "meeting.joined"   (meeting_id, user_id, sid)   a socket joined the meeting's pushes
#   "meeting.left"     (meeting_id, user_id, sid)
#   "socket.disconnected" (sid, user_id)
#   "agenda.activated" (meeting_id, item_id)
#   "floor.changed"    (meeting_id, speaker_id)     speaker_id None = nobody has the floor
#   "seats.changed"    (meeting_id)                 a seat, or the meeting's points, changed
SignalHandler = Callable[..., Awaitable[None]]
SIGNALS: dict[str, list[SignalHandler]] = {}


def on_signal(name: str) -> Callable[[SignalHandler], SignalHandler]:
    def register(fn: SignalHandler) -> SignalHandler:
        SIGNALS.setdefault(name, []).append(fn)
        return fn

    return register


def meeting_room(meeting_id: int) -> str:
    return f"m:{meeting_id}"


def staff_room(meeting_id: int) -> str:
    return f"m:{meeting_id}:staff"


def user_room(user_id: int) -> str:
    return f"u:{user_id}"


@dataclass
class Push:
    event: str
    data: dict[str, Any]
    rooms: list[str]
    state: bool  # carries `seq`
    sealed: bool = False  # data made JSON-ready and stamped with seq (Hub._seal)


@dataclass
class Context:
    """What a handler gets: who calls, about which meeting, in which role, and where to queue
    what should happen after the commit."""

    server: Server
    user: User
    sid: str | None = None
    meeting: Meeting | None = None
    participant: Participant | None = None
    role: Role | None = None
    pushes: list[Push] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    signals: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Run when the action fails, after its rollback: what must be kept though it failed
    # (a wrong old password counts as a failed guess).
    after_failure: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    bump: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def now(self):  # noqa: ANN201 - a datetime
        return self.server.clock.now()

    def push(
        self,
        event: str,
        data: dict[str, Any],
        *,
        to: str = "meeting",
        users: Iterable[int] = (),
        meeting: Meeting | None = None,
    ) -> None:
        """Queue a push about the meeting. to="meeting": everyone who joined it, and the change
        bumps `seq`; to="staff": its staff; to="users": those users' sockets. Staff and user
        pushes carry the current `seq` without bumping it (documented in the API page)."""
        m = meeting or self.meeting
        if m is None:
            raise RuntimeError("push about a meeting outside a meeting action")
        rooms = {
            "meeting": [meeting_room(m.id)],
            "staff": [staff_room(m.id)],
            "users": [user_room(u) for u in users],
        }[to]
        if to == "meeting":
            self.bump = True
        self.pushes.append(Push(event, {"meeting_id": m.id, **data}, rooms, state=True))

    def push_user(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        """A push to one user that is not about a meeting's state (no seq)."""
        self.pushes.append(Push(event, data, [user_room(user_id)], state=False))

    async def notify(
        self, user_ids: Iterable[int], kind: str, text: str, meeting: Meeting | None = None
    ) -> None:
        """Store a notification for each user now; push (and e-mail) after the commit."""
        m = meeting or self.meeting
        for uid in dict.fromkeys(user_ids):
            n = await Notification.create(
                user_id=uid, kind=kind, meeting=m, text=text, created_at=self.now
            )
            self.notifications.append(n)

    def signal(self, name: str, **kwargs: Any) -> None:
        self.signals.append((name, kwargs))

    def after_commit(self, fn: Callable[[], Awaitable[None]]) -> None:
        self.after.append(fn)


def _validation_details(exc: ValidationError) -> dict[str, str]:
    details: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "payload"
        details.setdefault(loc, err["msg"])
    return details


# Ids and counts are 32-bit integers in the database (PostgreSQL INT): a larger number in a
# payload can only be a mistake, and would otherwise fail deep in the database driver.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _out_of_range(value: Any, path: str) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        return path
    if isinstance(value, dict):
        for k, v in value.items():
            if found := _out_of_range(v, f"{path}.{k}" if path else str(k)):
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            if found := _out_of_range(v, f"{path}.{i}"):
                return found
    return None


def parse_payload(model: type[Payload], data: Any) -> Payload:
    if not isinstance(data, dict):
        raise ActionError("invalid", "Payload must be a JSON object", {"payload": "not an object"})
    if field_path := _out_of_range(data, ""):
        raise ActionError(
            "invalid", f"Number out of range: {field_path}", {field_path: "out of range"}
        )
    try:
        # Strict JSON-mode validation: "5" is not a number, yet ISO strings are datetimes.
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        details = _validation_details(exc)
        names = ", ".join(details)
        raise ActionError("invalid", f"Invalid fields: {names}", details) from None


async def _no_handler(ctx: Context, p: Any) -> None:
    return None


# The only events a user who must change the initial password may send.
PASSWORD_CHANGE_EVENTS = frozenset({"user:me", "user:change_password"})


def allowed(act: Action, user: User, role: Role | None, meeting: Meeting | None) -> bool:
    if Flag.SIGNED_IN in act.roles:
        return True
    if Flag.ADMIN in act.roles and user.is_admin:
        return True
    if Flag.ORGANIZER in act.roles and user.is_organizer:
        return True
    if meeting is not None and Flag.CREATOR in act.roles and meeting.created_by_id == user.id:  # type: ignore[attr-defined]
        return True
    return role is not None and role in act.roles


class Hub:
    def __init__(self, server: Server) -> None:
        self.server = server

    async def dispatch(self, user: User, sid: str | None, event: str, data: Any) -> dict:
        """Run one request and return its ack. Never raises: every failure is an error ack."""
        try:
            result = await self._run(user, sid, event, data)
            return {"ok": True, "data": jsonable(result)}
        except ActionError as exc:
            return {"ok": False, "error": exc.to_dict()}
        except Exception:
            log.exception("action %s failed", event)
            return {
                "ok": False,
                "error": {"code": "internal", "message": "Lỗi máy chủ", "details": {}},
            }

    async def _run(self, user: User, sid: str | None, event: str, data: Any) -> Any:
        act = ACTIONS.get(event) if isinstance(event, str) else None
        if act is None:
            raise ActionError("invalid", f"Unknown event {event!r}", {"event": "unknown"})
        p = parse_payload(act.payload, data)
        if user.must_change_password and event not in PASSWORD_CHANGE_EVENTS:
            raise ActionError(
                "forbidden", "Hãy đổi mật khẩu ban đầu trước", {"must_change_password": True}
            )
        ctx = Context(server=self.server, user=user, sid=sid)

        async def body() -> Any:
            if act.meeting_of is not None:
                await self.enter_meeting(ctx, await act.meeting_of(p), lock=True)
            if not allowed(act, user, ctx.role, ctx.meeting):
                raise ActionError("forbidden", f"Bạn không có quyền thực hiện {act.name}")
            return await act.handler(ctx, p)

        return await self.commit(ctx, body)

    async def commit(self, ctx: Context, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn` in one transaction — holding the meeting's row when ctx has one (HTTP
        endpoints that change a meeting use this too) — bump `seq` if it pushed a change to
        everyone, and only after the commit emit its pushes, notifications and signals."""
        try:
            async with in_transaction():
                if ctx.meeting is not None:
                    ctx.meeting = await Meeting.select_for_update().get(id=ctx.meeting.id)
                result = await fn()
                if ctx.meeting is not None:
                    if ctx.bump:
                        await Meeting.filter(id=ctx.meeting.id).update(seq=F("seq") + 1)
                        ctx.meeting.seq += 1
                    logged = self._seal(ctx)
                    if logged:
                        from meeting.changelog import record

                        await record(ctx.meeting.id, ctx.meeting.seq, ctx.bump, logged)
        except Exception:
            for keep in ctx.after_failure:
                await keep()
            raise
        await self.after_commit(ctx)
        return result

    def _seal(self, ctx: Context) -> list[Push]:
        """Make each push JSON-ready once, stamping the meeting's pushes with its seq; return
        those that go to the change log (the pushes about this meeting's state)."""
        assert ctx.meeting is not None
        logged = []
        for push in ctx.pushes:
            if push.sealed:
                continue
            push.data = jsonable(push.data)
            push.sealed = True
            if push.state and push.data.get("meeting_id") == ctx.meeting.id:
                push.data["seq"] = ctx.meeting.seq
                logged.append(push)
        return logged

    async def enter_meeting(self, ctx: Context, meeting_id: int | None, *, lock: bool) -> None:
        """Load the meeting and the caller's role into ctx. A meeting the caller does not take
        part in (or a draft not yet published to them) answers not_found: it does not exist."""
        if meeting_id is None:
            raise not_found()
        query = Meeting.select_for_update() if lock else Meeting.all()
        # Holding the meeting's row serialises its actions across processes (Postgres).
        meeting = await query.get_or_none(id=meeting_id)
        if meeting is None:
            raise not_found()
        ctx.meeting = meeting
        ctx.participant = await Participant.get_or_none(meeting=meeting, user=ctx.user)
        ctx.role = ctx.participant.role if ctx.participant else None
        if ctx.role == Role.SECRETARY and ctx.participant.response == Response.DELEGATED:  # type: ignore[union-attr]
            # A secretary who handed on her seat is not at the meeting: she follows it as an
            # observer until she answers "accepted" again (documented on /api).
            ctx.role = Role.OBSERVER
        is_creator = meeting.created_by_id == ctx.user.id  # type: ignore[attr-defined]
        visible = is_creator or (
            ctx.role is not None and (meeting.status != MeetingStatus.DRAFT or ctx.role in STAFF)
        )
        if not visible:
            raise not_found()

    async def http_context(
        self, user: User, meeting_id: int, roles: Iterable[Allowed], what: str
    ) -> Context:
        """The same checks for an HTTP endpoint (upload, download, PDFs) as for an action."""
        ctx = Context(server=self.server, user=user)
        await self.enter_meeting(ctx, meeting_id, lock=False)
        probe = Action(what, _no_handler, Payload, frozenset(roles), None)
        if not allowed(probe, user, ctx.role, ctx.meeting):
            raise ActionError("forbidden", f"Bạn không có quyền: {what}")
        return ctx

    async def after_commit(self, ctx: Context) -> None:
        for push in ctx.pushes:
            data = push.data if push.sealed else jsonable(push.data)
            for room in push.rooms:
                await self.server.emit(push.event, data, room)
        for n in ctx.notifications:
            await self.server.notifier.deliver(n)
        for name, kwargs in ctx.signals:
            await self.fire(name, **kwargs)
        for fn in ctx.after:
            await fn()

    async def fire(self, name: str, **kwargs: Any) -> None:
        for fn in SIGNALS.get(name, []):
            try:
                await fn(self.server, **kwargs)
            except Exception:
                log.exception("signal %s handler %s failed", name, fn)

    async def snapshot(self, ctx: Context) -> dict[str, Any]:
        """The meeting as one object (/api §3.3) for this caller."""
        assert ctx.meeting is not None
        out: dict[str, Any] = {}
        for name, part in SNAPSHOT_PARTS.items():
            value = await part(ctx, ctx.meeting)
            if name in MERGED_PARTS:
                out.update(value)
            else:
                out[name] = value
        for name, default in SNAPSHOT_DEFAULTS.items():
            out.setdefault(name, default)
        out["seq"] = ctx.meeting.seq
        out["my_role"] = ctx.role.value if ctx.role else None
        return out
