"""The action hub (design/DESIGN.md §2, "One action, end to end").

Every Socket.IO request is an action declared once:

    @action("agenda:activate", payload=AgendaActivate, roles={Role.CHAIR}, meeting=item_meeting)
    async def activate(ctx: MeetingContext, p: AgendaActivate) -> dict: ...

The hub validates the payload (pydantic, strict JSON types, unknown fields refused), finds the
meeting the action is about and the caller's role in it, denies by default, runs the handler in
one database transaction holding the meeting's row, bumps the meeting's `seq` when the handler
pushed a change to everyone, and only AFTER the commit emits the queued pushes, notifications
and signals. `@action` only declares: a Feature names the modules holding its actions, and the
server built with that feature is what dispatches them (meeting/feature.py). The hub never
imports a feature.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from meeting.errors import ActionError, internal, not_found
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
from meeting.notify import store_notifications
from meeting.signals import Signal

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.hub")
T = TypeVar("T")


class Payload(BaseModel):
    """Base of every action payload: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MeetingId(Payload):
    """The payload of an action that names only its meeting."""

    meeting_id: int


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


def meeting_of(model: type[Model], field: str) -> MeetingOf:
    """For `@action(meeting=...)`: the action names a row of `model` by the payload's `field`
    (e.g. `document_id`) and is about that row's meeting. An unknown row gives None, which the
    hub answers not_found."""

    async def find(p: Any) -> int | None:
        row = model.filter(id=getattr(p, field)).first()
        return await row.values_list("meeting_id", flat=True)

    find.__name__ = f"{model.__name__.lower()}_meeting"
    return find


@dataclass(frozen=True)
class Action:
    """A declared action. Calling it calls its handler (one action may reuse another's)."""

    name: str
    handler: Handler
    payload: type[Payload]
    roles: frozenset[Allowed]
    meeting_of: MeetingOf | None
    module: str

    async def __call__(self, ctx: Any, p: Any) -> Any:
        return await self.handler(ctx, p)


def action(
    name: str,
    *,
    payload: type[Payload],
    roles: Iterable[Allowed],
    meeting: MeetingOf | None | bool = True,
) -> Callable[[Handler], Action]:
    """Declare an action (a feature names the module that holds it: meeting/feature.py).
    `meeting`: True = the payload's `meeting_id`; an async function payload -> meeting id (e.g.
    from an agenda item); False/None = not about one meeting. A meeting action's handler gets a
    MeetingContext."""

    def declare(fn: Handler) -> Action:
        meeting_of = meeting_id_field if meeting is True else (meeting or None)
        return Action(name, fn, payload, frozenset(roles), meeting_of, fn.__module__)

    return declare


SnapshotBuild = Callable[["MeetingContext", Meeting], Awaitable[Any]]


@dataclass(frozen=True)
class SnapshotPart:
    """A part of the meeting snapshot (/api §3.3). `merge`: its dict is spread into the
    snapshot's top level. `live`: not seq'd state (media: who is on the main stream), so a
    resumed `meeting:join` cannot replay it from the change log and carries it whole."""

    name: str
    build: SnapshotBuild
    merge: bool
    live: bool
    module: str

    async def __call__(self, ctx: MeetingContext, meeting: Meeting) -> Any:
        return await self.build(ctx, meeting)


def snapshot_part(
    name: str, *, merge: bool = False, live: bool = False
) -> Callable[[SnapshotBuild], SnapshotPart]:
    def declare(fn: SnapshotBuild) -> SnapshotPart:
        return SnapshotPart(name, fn, merge, live, fn.__module__)

    return declare


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


@dataclass(kw_only=True)
class Context:
    """What a handler gets: who calls, and where to queue what should happen after the commit.
    An action about one meeting gets a MeetingContext."""

    server: Server
    user: User
    sid: str | None = None
    pushes: list[Push] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Run when the action fails, after its rollback: what must be kept though it failed
    # (a wrong old password counts as a failed guess).
    after_failure: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    bump: bool = False

    @property
    def now(self) -> datetime:
        return self.server.clock.now()

    def push(
        self,
        event: str,
        data: dict[str, Any],
        *,
        meeting: Meeting,
        to: str = "meeting",
        users: Iterable[int] = (),
    ) -> None:
        """Queue a push about a meeting. to="meeting": everyone who joined it, and the change
        bumps `seq`; to="staff": its staff; to="users": those users' sockets. Staff and user
        pushes carry the current `seq` without bumping it (documented in the API page)."""
        rooms = {
            "meeting": [meeting_room(meeting.id)],
            "staff": [staff_room(meeting.id)],
            "users": [user_room(u) for u in users],
        }[to]
        if to == "meeting":
            self.bump = True
        self.pushes.append(Push(event, {"meeting_id": meeting.id, **data}, rooms, state=True))

    def push_user(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        """A push to one user that is not about a meeting's state (no seq)."""
        self.pushes.append(Push(event, data, [user_room(user_id)], state=False))

    async def notify(
        self, user_ids: Iterable[int], kind: str, text: str, *, meeting: Meeting | None
    ) -> None:
        """Tell users something from an action: store a notification for each now (inside the
        action's transaction); push (and e-mail) it after the commit."""
        stored = await store_notifications(user_ids, kind, text, meeting=meeting, at=self.now)
        self.notifications.extend(stored)

    def signal(self, signal: Signal) -> None:
        self.signals.append(signal)

    def after_commit(self, fn: Callable[[], Awaitable[None]]) -> None:
        self.after.append(fn)


@dataclass(kw_only=True)
class MeetingContext(Context):
    """A meeting action's context: the meeting (its row held for the transaction) and the
    caller's role in it. `participant` is None only for the meeting's creator who no longer
    holds a seat (Flag.CREATOR); she follows it as an observer."""

    meeting: Meeting
    role: Role
    participant: Participant | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def seat(self) -> Participant:
        """The caller's own row in the meeting. An action whose roles are meeting roles only
        (no Flag.CREATOR) is never run without one: the hub admits no one else."""
        if self.participant is None:
            raise RuntimeError("a seat-less caller in an action for meeting roles only")
        return self.participant

    def push(
        self,
        event: str,
        data: dict[str, Any],
        *,
        meeting: Meeting | None = None,
        to: str = "meeting",
        users: Iterable[int] = (),
    ) -> None:
        super().push(event, data, meeting=meeting or self.meeting, to=to, users=users)

    async def notify(
        self, user_ids: Iterable[int], kind: str, text: str, *, meeting: Meeting | None = None
    ) -> None:
        await super().notify(user_ids, kind, text, meeting=meeting or self.meeting)


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
    if meeting is not None and Flag.CREATOR in act.roles and meeting.created_by_id == user.id:
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
            return exc.ack()
        except Exception:
            log.exception("action %s failed", event)
            return internal().ack()

    async def _run(self, user: User, sid: str | None, event: str, data: Any) -> Any:
        act = self.server.composition.actions.get(event) if isinstance(event, str) else None
        if act is None:
            raise ActionError("invalid", f"Unknown event {event!r}", {"event": "unknown"})
        p = parse_payload(act.payload, data)
        if user.must_change_password and event not in PASSWORD_CHANGE_EVENTS:
            raise ActionError(
                "forbidden", "Hãy đổi mật khẩu ban đầu trước", {"must_change_password": True}
            )
        meeting_of = act.meeting_of
        if meeting_of is None:
            ctx = Context(server=self.server, user=user, sid=sid)
            if not allowed(act, user, None, None):
                raise ActionError("forbidden", f"Bạn không có quyền thực hiện {act.name}")
            return await self.commit(ctx, lambda: act.handler(ctx, p))
        meeting_id = await meeting_of(p)

        async def body() -> Any:
            mctx = await self.enter_meeting(user, sid, meeting_id, act, lock=True)
            holder.append(mctx)
            return await act.handler(mctx, p)

        # The meeting's context exists only inside the transaction (its row is read under the
        # lock); what it queued is emitted after the commit.
        holder: list[MeetingContext] = []
        shell = Context(server=self.server, user=user, sid=sid)
        return await self.commit(shell, body, inner=holder)

    async def commit(
        self,
        ctx: Context,
        fn: Callable[[], Awaitable[T]],
        *,
        inner: list[MeetingContext] | None = None,
    ) -> T:
        """Run `fn` in one transaction — holding the meeting's row when ctx is a MeetingContext
        (HTTP endpoints that change a meeting use this too) — bump `seq` if it pushed a change to
        everyone, and only after the commit emit its pushes, notifications and signals.
        `inner`: where `fn` leaves the MeetingContext it made (actions: see _run)."""
        try:
            async with in_transaction():
                if isinstance(ctx, MeetingContext):
                    ctx.meeting = await Meeting.select_for_update().get(id=ctx.meeting.id)
                result = await fn()
                if inner:
                    ctx = inner[0]
                if isinstance(ctx, MeetingContext):
                    if ctx.bump:
                        await Meeting.filter(id=ctx.meeting.id).update(seq=F("seq") + 1)
                        ctx.meeting.seq += 1
                    logged = self._seal(ctx)
                    if logged:
                        from meeting.changelog import record

                        await record(ctx.meeting.id, ctx.meeting.seq, ctx.bump, logged)
        except Exception:
            failed = inner[0] if inner else ctx
            for keep in failed.after_failure:
                await keep()
            raise
        await self.after_commit(ctx)
        return result

    def _seal(self, ctx: MeetingContext) -> list[Push]:
        """Make each push JSON-ready once, stamping the meeting's pushes with its seq; return
        those that go to the change log (the pushes about this meeting's state)."""
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

    async def enter_meeting(
        self, user: User, sid: str | None, meeting_id: int | None, act: Action, *, lock: bool
    ) -> MeetingContext:
        """The meeting and the caller's role in it, if `act` admits her. A meeting the caller
        does not take part in (or a draft not yet published to her) answers not_found: it does
        not exist for her."""
        if meeting_id is None:
            raise not_found()
        query = Meeting.select_for_update() if lock else Meeting.all()
        # Holding the meeting's row serialises its actions across processes (Postgres).
        meeting = await query.get_or_none(id=meeting_id)
        if meeting is None:
            raise not_found()
        seat = await Participant.get_or_none(meeting=meeting, user=user)
        role = seat.role if seat else None
        if seat is not None and role == Role.SECRETARY and seat.response == Response.DELEGATED:
            # A secretary who handed on her seat is not at the meeting: she follows it as an
            # observer until she answers "accepted" again (documented on /api).
            role = Role.OBSERVER
        is_creator = meeting.created_by_id == user.id
        visible = is_creator or (
            role is not None and (meeting.status != MeetingStatus.DRAFT or role in STAFF)
        )
        if not visible:
            raise not_found()
        if not allowed(act, user, role, meeting):
            raise ActionError("forbidden", f"Bạn không có quyền thực hiện {act.name}")
        return MeetingContext(
            server=self.server,
            user=user,
            sid=sid,
            meeting=meeting,
            participant=seat,
            role=role or Role.OBSERVER,
        )

    async def http_context(
        self, user: User, meeting_id: int, roles: Iterable[Allowed], what: str
    ) -> MeetingContext:
        """The same checks for an HTTP endpoint (upload, download, PDFs) as for an action."""
        probe = Action(what, _no_handler, Payload, frozenset(roles), None, __name__)
        try:
            return await self.enter_meeting(user, None, meeting_id, probe, lock=False)
        except ActionError as exc:
            if exc.code == "forbidden":
                raise ActionError("forbidden", f"Bạn không có quyền: {what}") from None
            raise

    async def after_commit(self, ctx: Context) -> None:
        for push in ctx.pushes:
            data = push.data if push.sealed else jsonable(push.data)
            for room in push.rooms:
                await self.server.emit(push.event, data, room)
        await self.server.notifier.deliver(ctx.notifications)
        for signal in ctx.signals:
            await self.fire(signal)
        for fn in ctx.after:
            await fn()

    async def fire(self, signal: Signal) -> None:
        for fn in self.server.composition.subscriptions.get(type(signal), []):
            try:
                await fn(self.server, signal)
            except Exception:
                log.exception("signal %s handler %s failed", signal.name, fn)

    async def snapshot(self, ctx: MeetingContext) -> dict[str, Any]:
        """The meeting as one object (/api §3.3) for this caller."""
        out: dict[str, Any] = {}
        for part in self.server.composition.snapshot_parts:
            value = await part(ctx, ctx.meeting)
            if part.merge:
                out.update(value)
            else:
                out[part.name] = value
        out["seq"] = ctx.meeting.seq
        # A creator who holds no seat sees the meeting with no role of her own.
        out["my_role"] = ctx.role.value if ctx.participant is not None else None
        return out
