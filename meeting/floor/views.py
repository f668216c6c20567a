"""What clients see of the floor (requests to speak): `floor:state` and the snapshot's "floor".

One function per shape, used by the actions' acks, their pushes and the snapshot alike
(/api §3.2 `floor:state`; §3.3 `floor`).

A request to speak has no status column: waiting / speaking / done follows from its timestamps
(requested_at, started_at, ended_at), as OpenSlides does. A time limit is kept as the start plus
`time_limit_s`; pushes carry the absolute `deadline` and clients draw the countdown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from meeting.floor.models import SpeakingRequest
from meeting.hub import Context, snapshot_part
from meeting.models import Meeting
from meeting.views import full_names

WAITING, SPEAKING, DONE = "waiting", "speaking", "done"


def request_state(r: SpeakingRequest) -> str:
    if r.ended_at is not None:
        return DONE
    if r.started_at is not None:
        return SPEAKING
    return WAITING


def deadline(r: SpeakingRequest) -> datetime | None:
    if r.started_at is None or r.time_limit_s is None:
        return None
    return r.started_at + timedelta(seconds=r.time_limit_s)


def request_view(r: SpeakingRequest, names: dict[int, str]) -> dict[str, Any]:
    uid = r.user_id
    return {
        "request_id": r.id,
        "user_id": uid,
        "full_name": names.get(uid, ""),
        "agenda_item_id": r.agenda_item_id,
        "topic": r.topic,
        "requested_at": r.requested_at,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
        "time_limit_s": r.time_limit_s,
        "deadline": deadline(r),
        "state": request_state(r),
        "outcome": r.outcome,
    }


async def open_requests(meeting_id: int) -> list[SpeakingRequest]:
    """Requests not ended, in request order (the queue, and the speaker if any)."""
    return await SpeakingRequest.filter(meeting_id=meeting_id, ended_at__isnull=True).order_by(
        "requested_at", "id"
    )


async def current_speaker(meeting_id: int) -> SpeakingRequest | None:
    return (
        await SpeakingRequest.filter(
            meeting_id=meeting_id, started_at__isnull=False, ended_at__isnull=True
        )
        .order_by("-started_at")
        .first()
    )


async def current_speaker_id(meeting_id: int) -> int | None:
    """Who has the floor now (e.g. for `document:present`: the chair or the current speaker)."""
    r = await current_speaker(meeting_id)
    return r.user_id if r else None


async def floor_state(meeting_id: int) -> dict[str, Any]:
    """`floor:state`: the speaker (or null) and the queue in request order."""
    rows = await open_requests(meeting_id)
    names = await full_names({r.user_id for r in rows})
    speaker = None
    queue = []
    for r in rows:
        view = request_view(r, names)
        if r.started_at is not None:
            speaker = view
        else:
            queue.append(view)
    return {"speaker": speaker, "queue": queue}


@snapshot_part("floor")
async def _snapshot_floor(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    return await floor_state(meeting.id)
