"""The schema of EVERY push the server sends (/api §3.2), as strict
pydantic models: unknown fields are refused, types are strict JSON types, times carry an offset.

The core pushes (meeting:updated, agenda:updated, participants:updated) are the models of
tests/core/push_schemas.py; this module adds the floor, polls, opinions, documents, notes,
conclusions and media, and widens `notification` to the kinds the documents and conclusions add
(the API page: "invitation, meeting_changed, cancelled, uninvited, reminder, and the kinds the
documents and conclusions add (document, conclusion)").

A push either reports a change of the meeting's state (it carries `seq`), or is to staff / one
user about the meeting (it carries the current `seq` without raising it), or is not meeting state
at all (notification, note:saved, rtc:*: no `seq`). SEQ_PUSHES names the pushes that carry `seq`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    model_validator,
)

from tests.core.push_schemas import (
    AgendaUpdated,
    Id,
    MeetingUpdated,
    NotificationPush,
    ParticipantsUpdated,
    StatePush,
    Strict,
    Time,
)
from tests.core.push_schemas import check_push as check_core_push

Count = Annotated[StrictInt, Field(ge=0)]
Page = Annotated[StrictInt, Field(ge=1)]
Number = StrictInt | StrictFloat


# --- the floor ----------------------------------------------------------------------------------


class FloorRequestView(Strict):
    request_id: Id
    user_id: Id
    full_name: StrictStr
    agenda_item_id: Id | None
    topic: StrictStr
    requested_at: Time
    started_at: Time | None
    ended_at: Time | None
    time_limit_s: Annotated[StrictInt, Field(ge=10)] | None
    deadline: Time | None
    state: Literal["waiting", "speaking", "done"]
    outcome: Literal["withdrawn", "rejected", "done"] | None


class FloorState(StatePush):
    speaker: FloorRequestView | None
    queue: list[FloorRequestView]

    @model_validator(mode="after")
    def _states(self) -> FloorState:
        # floor:state holds the open requests only: one speaking (or none), the rest waiting.
        if self.speaker is not None:
            s = self.speaker
            assert s.state == "speaking" and s.started_at and s.ended_at is None, s
            assert s.outcome is None
            assert (s.deadline is None) == (s.time_limit_s is None), s
        for r in self.queue:
            assert r.state == "waiting" and r.started_at is None and r.ended_at is None, r
            assert r.outcome is None and r.deadline is None and r.time_limit_s is None, r
        return self


# --- polls --------------------------------------------------------------------------------------


class Vote(Strict):
    user_id: Id
    full_name: StrictStr
    option: Count


class PollState(StatePush):
    """poll:state, public view (everyone) or staff view (staff, while open: live counts)."""

    poll_id: Id
    question: Annotated[StrictStr, Field(min_length=1)]
    agenda_item_id: Id | None
    secret: StrictBool
    status: Literal["draft", "open", "closed"]
    options: Annotated[list[Annotated[StrictStr, Field(min_length=1)]], Field(min_length=2)]
    counts: list[Count] | None
    voted: Count
    eligible: Count | None
    opened_at: Time | None
    closed_at: Time | None
    view: Literal["public", "staff"]
    votes: list[Vote] | None = None  # only present for a closed named vote

    @model_validator(mode="after")
    def _consistent(self) -> PollState:
        given = self.model_fields_set
        if self.status == "draft":
            assert self.opened_at is None and self.closed_at is None and self.voted == 0
        if self.status == "open":
            assert self.opened_at is not None and self.closed_at is None
        if self.status == "closed":
            assert self.opened_at is not None and self.closed_at is not None
        # counts: null in the public view until the close; live for staff while open.
        if self.view == "staff":
            assert self.status == "open", "the staff view exists only while the poll is open"
            assert self.counts is not None
        else:
            assert (self.counts is not None) == (self.status == "closed"), "public counts"
        if self.counts is not None:
            assert len(self.counts) == len(self.options)
            assert sum(self.counts) == self.voted, "every ballot counted once"
        # votes by name: only for a named vote once closed, and then always.
        named_closed = self.status == "closed" and not self.secret
        assert ("votes" in given) == named_closed, "votes only (and always) for a closed named vote"
        if named_closed:
            assert self.votes is not None and len(self.votes) == self.voted
            assert all(v.option < len(self.options) for v in self.votes)
        return self


# --- opinions -----------------------------------------------------------------------------------


class OpinionAdded(StatePush):
    id: Id
    user_id: Id
    full_name: StrictStr
    agenda_item_id: Id | None
    document_id: Id | None
    text: Annotated[StrictStr, Field(min_length=1)]
    created_at: Time


# --- documents ----------------------------------------------------------------------------------


class DocumentAdded(StatePush):
    id: Id
    agenda_item_id: Id | None
    title: Annotated[StrictStr, Field(min_length=1, max_length=300)]
    filename: Annotated[StrictStr, Field(min_length=1)]
    size: Annotated[StrictInt, Field(ge=1)]
    pages: Annotated[StrictInt, Field(ge=1)]
    sha256: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
    kind: Literal["upload", "notice", "minutes"]
    signed: StrictBool
    version: Annotated[StrictInt, Field(ge=1)]
    replaces: Id | None
    uploaded_by: Id
    created_at: Time
    url: Annotated[StrictStr, Field(pattern=r"^/api/documents/\d+/file$")]

    @model_validator(mode="after")
    def _version(self) -> DocumentAdded:
        assert (self.version == 1) == (self.replaces is None), (
            "a version > 1 names what it replaces"
        )
        assert self.url == f"/api/documents/{self.id}/file"
        return self


class DocumentRemoved(StatePush):
    document_id: Id


class DocumentReplaced(StatePush):
    """document:removed of a version replaced by a newer one (the API page: `replaced_by`)."""

    document_id: Id
    replaced_by: Id


class DocumentPresented(StatePush):
    document_id: Id | None
    page: Page | None
    by: Id
    by_name: StrictStr | None
    at: Time

    @model_validator(mode="after")
    def _stopped(self) -> DocumentPresented:
        assert (self.document_id is None) == (self.page is None), "stopped: document and page null"
        return self


class DocumentOpened(StatePush):
    """To staff, with the current seq (no bump)."""

    document_id: Id
    user_id: Id
    full_name: StrictStr
    at: Time


class NoteSaved(Strict):
    """To the author's own sockets only: a private note, not meeting state (no seq)."""

    meeting_id: Id
    id: Id | None
    document_id: Id
    page: Page
    text: Annotated[StrictStr, Field(max_length=20000)]
    updated_at: Time
    deleted: StrictBool

    @model_validator(mode="after")
    def _deleted(self) -> NoteSaved:
        assert self.deleted == (self.id is None) == (self.text == ""), "a deleted note has no id"
        return self


# --- conclusions --------------------------------------------------------------------------------


class ConclusionUpdated(StatePush):
    """The draft, to staff (current seq, no bump; inside conclusion:publish the publish's seq)."""

    id: Id
    agenda_item_id: Id | None
    text: Annotated[StrictStr, Field(max_length=50000)]
    updated_by: Id
    updated_at: Time
    published_at: Time | None
    published_text: Annotated[StrictStr, Field(max_length=50000)] | None


class PublishedConclusion(Strict):
    """A conclusion as participants see it: the published text only."""

    id: Id
    meeting_id: Id
    agenda_item_id: Id | None
    text: Annotated[StrictStr, Field(max_length=50000)]
    published_at: Time


class ConclusionPublished(StatePush):
    document_id: Id
    published_at: Time
    number: Annotated[StrictStr, Field(pattern=r"^Số: \d+/TB-\S+$")]
    signed: StrictBool
    conclusions: list[PublishedConclusion]


# --- media (link state, not meeting state: no seq) ----------------------------------------------


class RtcMain(Strict):
    meeting_id: Id
    user_id: Id | None
    source_id: Id | None


class PointLink(Strict):
    user_id: Id
    state: Literal["new", "connecting", "connected", "disconnected", "failed", "closed", "left"]
    bitrate_kbps: Annotated[Number, Field(ge=0)]
    loss_pct: Annotated[Number, Field(ge=0, le=100)]
    rtt_ms: Annotated[Number, Field(ge=0)] | None
    muted: list[Literal["audio", "video"]]
    # the layer of the main stream it is sent (/api §4); None once it is gone
    layer: Literal["full", "light", "audio"] | None


class RtcPoints(Strict):
    meeting_id: Id
    points: list[PointLink]


# --- notifications ------------------------------------------------------------------------------


class Notification(NotificationPush):
    """The core's notification, with the kinds the documents and conclusions add."""

    kind: Literal[  # type: ignore[assignment]
        "invitation",
        "meeting_changed",
        "cancelled",
        "uninvited",
        "reminder",
        "floor_rejected",
        "document",
        "conclusion",
    ]


# --- the table ----------------------------------------------------------------------------------

PUSH_SCHEMAS: dict[str, Any] = {
    "meeting:updated": MeetingUpdated,
    "agenda:updated": AgendaUpdated,
    "participants:updated": ParticipantsUpdated,
    "notification": Notification,
    "floor:state": FloorState,
    "poll:state": PollState,
    "opinion:added": OpinionAdded,
    "document:added": DocumentAdded,
    "document:removed": TypeAdapter(DocumentRemoved | DocumentReplaced),
    "document:presented": DocumentPresented,
    "document:opened": DocumentOpened,
    "note:saved": NoteSaved,
    "conclusion:updated": ConclusionUpdated,
    "conclusion:published": ConclusionPublished,
    "rtc:main": RtcMain,
    "rtc:points": RtcPoints,
}

# Pushes that carry `seq`: those that change what everyone sees (they raise it) and those to
# staff / one user about the meeting (they carry the current one).
SEQ_PUSHES = frozenset(
    {
        "meeting:updated",
        "agenda:updated",
        "participants:updated",
        "floor:state",
        "poll:state",
        "document:added",
        "document:removed",
        "document:presented",
        "conclusion:published",
        "opinion:added",
        "document:opened",
        "conclusion:updated",
    }
)
# Of those, the ones that never raise seq (API page: staff and single-user pushes).
NO_BUMP_PUSHES = frozenset({"opinion:added", "document:opened", "conclusion:updated"})
# Pushes not about the meeting's state: no seq.
NO_SEQ_PUSHES = frozenset({"notification", "note:saved", "rtc:main", "rtc:points"})
assert SEQ_PUSHES | NO_SEQ_PUSHES == set(PUSH_SCHEMAS) and not SEQ_PUSHES & NO_SEQ_PUSHES


def check_push(event: str, data: Any) -> Any:
    """Validate one received push against its schema; an unknown push is an error."""
    assert event in PUSH_SCHEMAS, f"push {event!r} has no schema"
    assert isinstance(data, dict), f"push {event!r} is not an object: {data!r}"
    schema = PUSH_SCHEMAS[event]
    if event in ("meeting:updated", "agenda:updated", "participants:updated"):
        check_core_push(event, data)  # the core's extra checks (summary adds up)
    if event != "note:saved":
        assert isinstance(data.get("meeting_id"), int), f"push {event!r} carries no meeting_id"
    assert ("seq" in data) == (event in SEQ_PUSHES), (
        f"push {event!r}: seq present = {'seq' in data}"
    )
    if isinstance(schema, TypeAdapter):
        return schema.validate_python(data, strict=True)
    return schema.model_validate(data)
