"""Small helpers the core tests share: times, payload variants, "nothing changed" checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.live import Client, Live, Person

# Keys of the snapshot that describe the meeting's own state (what pushes cover).
MEETING_KEYS = (
    "id",
    "title",
    "description",
    "location",
    "starts_at",
    "ends_at",
    "status",
    "chair_id",
    "created_by",
    "cancel_reason",
)
STATE_KEYS = (*MEETING_KEYS, "agenda", "participants", "summary", "seq")


def times(days: float = 1, hours: float = 2) -> tuple[str, str]:
    """ISO start/end with offset, `days` from now, lasting `hours`."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


def state(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The parts of a snapshot that every viewer sees alike."""
    return {k: snapshot[k] for k in STATE_KEYS}


async def get_state(c: Client, meeting_id: int) -> dict[str, Any]:
    return state(await c.ok("meeting:get", {"meeting_id": meeting_id}))


async def assert_refused_unchanged(
    c: Client,
    checker: Client,
    meeting_id: int,
    event: str,
    payloads: list[tuple[Any, str, str | None]],
) -> None:
    """Each (payload, code, field) is refused with `code` (details naming `field` when given),
    and the meeting's state, read fresh by `checker`, is what it was."""
    before = await get_state(checker, meeting_id)
    for payload, code, name in payloads:
        err = await c.error(event, payload, code)
        if name is not None:
            assert name in err["details"], (
                f"{event} {payload!r}: details {err['details']} lack {name!r}"
            )
        assert isinstance(err["message"], str) and err["message"]
    assert await get_state(checker, meeting_id) == before


def not_object_payloads() -> list[tuple[Any, str, str]]:
    """Payloads that are not JSON objects: all `invalid`, details naming `payload`."""
    return [
        ("meeting", "invalid", "payload"),
        ([1, 2], "invalid", "payload"),
        (7, "invalid", "payload"),
    ]


def participant(snapshot_or_payload: dict[str, Any], user_id: int) -> dict[str, Any] | None:
    for p in snapshot_or_payload["participants"]:
        if p["user_id"] == user_id:
            return p
    return None


def by_id(rows: list[dict[str, Any]], ident: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["id"] == ident), None)


async def admin(live: Live) -> tuple[Person, Client]:
    who = await live.person("quantri", admin=True)
    return who, await live.client(who)


async def organizer(live: Live) -> tuple[Person, Client]:
    who = await live.person("tochuc", organizer=True)
    return who, await live.client(who)


async def new_meeting(c: Client, chair_id: int, **fields: Any) -> dict[str, Any]:
    starts, ends = times()
    return await c.ok(
        "meeting:create",
        {
            "title": "Họp giao ban",
            "starts_at": starts,
            "ends_at": ends,
            "chair_id": chair_id,
            **fields,
        },
    )


def apply_participants(state: dict[str, Any], data: dict[str, Any]) -> None:
    """A client applying `participants:updated` (/api §3.2): upsert the rows by user_id (new
    ones at the end), drop the removed, take the summary."""
    rows = {p["user_id"]: p for p in data["participants"]}
    gone = set(data["removed"])
    kept = [rows.pop(p["user_id"], p) for p in state["participants"] if p["user_id"] not in gone]
    state["participants"] = kept + list(rows.values())
    state["summary"] = data["summary"]
