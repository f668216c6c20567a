"""The core's data (design/DESIGN.md §3). A feature package keeps its own models beside its
actions (meeting/polls/models.py), in the core's app or an app of its own (run.py APPS).

Tortoise app label: "core" — other apps point here as "core.Meeting", "core.User", ... The app
also holds the tables of the floor, the opinions and the votes (meeting/{floor,opinions,polls}/
models.py), of the agenda (agenda/models.py) and of the conclusions (docs/conclusions/models.py),
whose migrations are the core's; the core names an agenda item
only as "core.AgendaItem" (meeting/agenda_ref.py says how it asks about one).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class UnitKind(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    DEPARTMENT = "department"


class Role(StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    DELEGATE = "delegate"
    OBSERVER = "observer"
    POINT = "point"


STAFF = frozenset({Role.CHAIR, Role.SECRETARY})
VOTERS = frozenset({Role.CHAIR, Role.DELEGATE, Role.POINT})
EVERY_ROLE = frozenset(Role)


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    CANCELLED = "cancelled"


class Response(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELEGATED = "delegated"


# An agenda item's status (agenda/models.py): kept here because the core app's first migration
# imports it from this module.
class ItemStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DONE = "done"


class Unit(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    # The official administrative code (mã đơn vị hành chính, e.g. "26734") or the province's own;
    # optional. The user import accepts it in place of the id.
    code = fields.CharField(max_length=20, null=True, unique=True)
    kind = fields.CharEnumField(UnitKind, max_length=20)
    parent: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "core.Unit", null=True, related_name="children", on_delete=fields.RESTRICT
    )
    parent_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "unit"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=100, unique=True)
    full_name = fields.CharField(max_length=200)
    title = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=200, default="")
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "core.Unit", null=True, related_name="users", on_delete=fields.SET_NULL
    )
    unit_id: int | None
    password_hash = fields.CharField(max_length=255)
    is_admin = fields.BooleanField(default=False)
    is_organizer = fields.BooleanField(default=False)
    is_point = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    must_change_password = fields.BooleanField(default=False)
    # The read-only key of the user's calendar feed (never the login token); revocable.
    calendar_key = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "app_user"


class Token(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    hash = fields.CharField(max_length=64, unique=True)  # sha256 of the token; never the token
    created_at = fields.DatetimeField()
    last_seen = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "token"


class LoginFailure(Model):
    """Kept in the database so that the limit holds across processes and restarts. Counted per
    account (`username`), per client address and per browser (`device`, see identity.py)."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=100, db_index=True)
    at = fields.DatetimeField()
    address = fields.CharField(max_length=64, default="", db_default="", db_index=True)
    device = fields.CharField(max_length=64, default="", db_default="")

    class Meta:
        table = "login_failure"


class Meeting(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=300)
    description = fields.TextField(default="")
    location = fields.CharField(max_length=300, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(MeetingStatus, max_length=20, default=MeetingStatus.DRAFT)
    chair: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="chaired_meetings", on_delete=fields.RESTRICT
    )
    chair_id: int
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="created_meetings", on_delete=fields.RESTRICT
    )
    created_by_id: int
    # Grows by one with every change to the meeting; pushes carry it (/api §3.2).
    seq = fields.IntField(default=0)
    cancel_reason = fields.TextField(default="")
    reminded_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "meeting"


class Participant(Model):
    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="participants", on_delete=fields.CASCADE
    )
    meeting_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="participations", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=20)
    response = fields.CharEnumField(Response, max_length=20, default=Response.PENDING)
    note = fields.TextField(default="")
    # Set on a deputy: the user they attend for.
    substitute_for: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="deputised", on_delete=fields.SET_NULL
    )
    substitute_for_id: int | None
    invited_at = fields.DatetimeField()
    responded_at = fields.DatetimeField(null=True)
    present = fields.BooleanField(default=False)
    checked_in_at = fields.DatetimeField(null=True)
    # The connection point whose hall this person sits in, set by staff (participant:seat);
    # null: the default (meeting/seats.py). A user, not a Participant row, so that removing and
    # re-inviting the point does not silently move people.
    seat: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="seated_here", on_delete=fields.SET_NULL
    )
    seat_id: int | None

    class Meta:
        table = "participant"
        unique_together = (("meeting", "user"),)


class Notification(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharField(max_length=40)
    meeting: fields.ForeignKeyNullableRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", null=True, related_name="notifications", on_delete=fields.CASCADE
    )
    meeting_id: int | None
    text = fields.TextField()
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"


class Audit(Model):
    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", null=True, related_name="audit", on_delete=fields.SET_NULL
    )
    actor_id: int | None
    action = fields.CharField(max_length=60)
    target = fields.CharField(max_length=100, default="")
    at = fields.DatetimeField()
    detail = fields.JSONField(default=dict)

    class Meta:
        table = "audit"


class Audience(StrEnum):
    ALL = "all"  # everyone who joined the meeting
    STAFF = "staff"  # its chair and secretaries
    USER = "user"  # one user (Change.user_id)


class Change(Model):
    """The meeting's change log (/api §3.4, resume): every push about its state, with
    the seq it carried and who received it, so that `meeting:join {since_seq}` hands a caller
    exactly what it missed, from any process and after a restart. Bounded (meeting/changelog.py)."""

    id = fields.BigIntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "core.Meeting", related_name="changes", on_delete=fields.CASCADE
    )
    meeting_id: int
    seq = fields.IntField()
    bumped = fields.BooleanField()  # raised seq (False: carried the current seq, staff/user)
    event = fields.CharField(max_length=60)
    payload = fields.TextField()  # the push as sent, JSON
    audience = fields.CharEnumField(Audience, max_length=10)
    user_id = fields.IntField(null=True)

    class Meta:
        table = "change"
        indexes = (("meeting_id", "seq"),)


class ClientKey(Model):
    """An action a client sent with an idempotency key (`client_key`, issue 13): a device that
    queued it offline may send it again after a drop; the repeat answers this first result."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="client_keys", on_delete=fields.CASCADE
    )
    user_id: int
    key = fields.CharField(max_length=64)
    action = fields.CharField(max_length=60)
    result = fields.TextField()  # the first answer, as JSON
    created_at = fields.DatetimeField()

    class Meta:
        table = "client_key"
        unique_together = (("user", "key"),)
