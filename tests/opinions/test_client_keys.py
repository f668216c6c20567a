"""Idempotency keys (issue 13): an opinion a device queued offline and sends again after a drop
is stored once; the repeat answers the first result (the floor's: tests/floor)."""

from __future__ import annotations

from meeting.floor.models import SpeakingRequest
from meeting.models import ClientKey
from meeting.opinions.models import Opinion
from tests.floor.common import table
from tests.live import Live


async def test_opinion_sent_twice_is_stored_once(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    c0, c1 = t.del_c
    body = {
        "meeting_id": mid,
        "text": "Góp ý viết khi mất mạng",
        "client_key": "k-4f1c2a9b-opinion",
    }
    first = await c0.ok("opinion:submit", body)
    again = await c0.ok("opinion:submit", body)
    assert first["repeated"] is False and again["repeated"] is True
    assert again["id"] == first["id"] and again["text"] == first["text"]
    assert await Opinion.filter(meeting_id=mid, text="Góp ý viết khi mất mạng").count() == 1
    staff_sees = await t.sec_c.ok("opinion:list", {"meeting_id": mid})
    assert [o["text"] for o in staff_sees] == ["Góp ý viết khi mất mạng"]
    # The key is the user's: another delegate's action with the same key is their own.
    other = await c1.ok("opinion:submit", body)
    assert other["repeated"] is False and other["id"] != first["id"]
    # A key is for one action: the same key on another action is refused and changes nothing.
    await c0.error(
        "floor:request", {"meeting_id": mid, "client_key": body["client_key"]}, "invalid"
    )
    assert not await SpeakingRequest.exists(meeting_id=mid, user_id=t.delegates[0].id)


async def test_bad_keys_are_invalid(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    c0 = t.del_c[0]
    for bad in ["short", "có dấu-tiếng-việt", "x" * 65, 12345678, "a b c d e f g h"]:
        await c0.error(
            "opinion:submit", {"meeting_id": mid, "text": "x", "client_key": bad}, "invalid"
        )
    assert await Opinion.filter(meeting_id=mid).count() == 0
    assert not await ClientKey.exists(user_id=t.delegates[0].id)
