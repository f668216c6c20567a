"""The schema of every push the core sends (/api §3.2), as pydantic models.

Strict on purpose (Zulip's model): a push that gains, loses or retypes a field fails the test
that checks every received push against these, so the change is made here — and in the API
page — on purpose. Times are ISO 8601 strings with an offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

Id = Annotated[StrictInt, Field(ge=1)]
Count = Annotated[StrictInt, Field(ge=0)]
Status = Literal["draft", "scheduled", "in_progress", "ended", "cancelled"]
RoleName = Literal["chair", "secretary", "delegate", "observer", "point"]
ResponseName = Literal["pending", "accepted", "declined", "delegated"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _aware(value: str) -> str:
    if datetime.fromisoformat(value).tzinfo is None:
        raise ValueError("a time must carry its offset")
    return value


# An ISO 8601 time with its offset, as a JSON string.
Time = Annotated[
    StrictStr,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$"),
    AfterValidator(_aware),
]


class StatePush(Strict):
    """Every push about a meeting's state carries its meeting and the seq of the change."""

    meeting_id: Id
    seq: Annotated[StrictInt, Field(ge=1)]


class MeetingUpdated(StatePush):
    id: Id
    title: StrictStr
    description: StrictStr
    location: StrictStr
    starts_at: Time
    ends_at: Time
    status: Status
    chair_id: Id
    created_by: Id
    cancel_reason: StrictStr


class AgendaItem(Strict):
    id: Id
    position: Annotated[StrictInt, Field(ge=1)]
    title: StrictStr
    presenter_id: Id | None
    presenter_name: StrictStr | None
    duration_min: Annotated[StrictInt, Field(ge=1)] | None
    status: Literal["pending", "active", "done"]
    active: StrictBool


class AgendaUpdated(StatePush):
    items: list[AgendaItem]


class ParticipantView(Strict):
    user_id: Id
    username: StrictStr
    full_name: StrictStr
    title: StrictStr
    unit_id: Id | None
    point: StrictBool
    role: RoleName
    response: ResponseName
    note: StrictStr
    substitute_for: Id | None
    invited_at: Time
    responded_at: Time | None
    present: StrictBool
    checked_in_at: Time | None
    seat_id: Id | None
    hall_id: Id | None


class PublicParticipantView(Strict):
    """What non-staff receive of a row (API page): no username, unit or invitation times."""

    user_id: Id
    full_name: StrictStr
    title: StrictStr
    point: StrictBool
    role: RoleName
    response: ResponseName
    note: StrictStr
    substitute_for: Id | None
    present: StrictBool
    checked_in_at: Time | None
    seat_id: Id | None
    hall_id: Id | None


class Summary(Strict):
    invited: Count
    pending: Count
    accepted: Count
    declined: Count
    delegated: Count
    present: Count
    members: Count
    members_present: Count
    quorum_met: StrictBool


class ParticipantsUpdated(StatePush):
    """/api §3.2: the rows that changed, whole; who was removed; the summary."""

    participants: list[ParticipantView] | list[PublicParticipantView]
    removed: list[Id]
    summary: Summary
    view: Literal["public", "staff"]

    @model_validator(mode="after")
    def _rows_fit_the_view(self) -> ParticipantsUpdated:
        want = ParticipantView if self.view == "staff" else PublicParticipantView
        assert all(isinstance(p, want) for p in self.participants), "rows do not fit the view"
        return self


class NotificationPush(Strict):
    """To one user; not a change of a meeting's state, so no seq."""

    id: Id
    kind: Literal["invitation", "meeting_changed", "cancelled", "uninvited", "reminder"]
    meeting_id: Id | None
    text: Annotated[StrictStr, Field(min_length=1)]
    created_at: Time
    read_at: Time | None


PUSH_SCHEMAS: dict[str, type[Strict]] = {
    "meeting:updated": MeetingUpdated,
    "agenda:updated": AgendaUpdated,
    "participants:updated": ParticipantsUpdated,
    "notification": NotificationPush,
}
STATE_PUSHES = frozenset({"meeting:updated", "agenda:updated", "participants:updated"})


def check_push(event: str, data: Any) -> Strict:
    """Validate one received push against its schema; an unknown push is an error."""
    assert event in PUSH_SCHEMAS, f"push {event!r} has no schema"
    assert isinstance(data, dict), f"push {event!r} is not an object: {data!r}"
    assert "meeting_id" in data, f"push {event!r} carries no meeting_id"
    model = PUSH_SCHEMAS[event].model_validate(data)
    summary = data.get("summary")
    if isinstance(summary, dict) and "removed" not in data:  # a whole list: a snapshot
        parts = data["participants"]
        assert summary["invited"] == len(parts)
        assert summary["present"] == sum(p["present"] for p in parts)
        for response in ("pending", "accepted", "declined", "delegated"):
            assert summary[response] == sum(p["response"] == response for p in parts), response
    return model
