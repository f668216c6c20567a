"""Idempotency keys (issue 13): a request to speak a device queued offline and sends again
after a drop is made once; the repeat answers the first result (opinions': tests/opinions)."""

from __future__ import annotations

from meeting.floor.models import SpeakingRequest
from meeting.models import ClientKey
from tests.floor.common import table
from tests.live import Live


async def test_floor_request_repeat_and_refusal(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    c0, c1 = t.del_c
    body = {"meeting_id": mid, "topic": "Về số liệu", "client_key": "floor-0001-aaaa"}
    first = await c0.ok("floor:request", body)
    again = await c0.ok("floor:request", body)
    assert again["request_id"] == first["request_id"] and again["repeated"] is True
    assert await SpeakingRequest.filter(meeting_id=mid, user_id=t.delegates[0].id).count() == 1
    # Refused (the meeting ended while the device was offline): nothing is kept, and the
    # device is told why.
    await t.sec_c.ok("meeting:end", {"meeting_id": mid})
    late = {"meeting_id": mid, "client_key": "floor-0002-bbbb"}
    err = await c1.error("floor:request", late, "conflict")
    assert err["message"]
    assert not await ClientKey.exists(key="floor-0002-bbbb")
