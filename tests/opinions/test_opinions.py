"""Written opinions: to staff and the author; staff list all, others their own."""

from __future__ import annotations

from tests.floor.common import table
from tests.live import Live


async def test_opinions(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    c0, c1 = t.del_c
    t.sec_c.mark()
    t.chair_c.mark()
    c1.mark()
    o = await c0.ok(
        "opinion:submit",
        {"meeting_id": mid, "text": "Đề nghị bổ sung số liệu quý IV", "agenda_item_id": t.item_id},
    )
    assert o["user_id"] == t.delegates[0].id and o["agenda_item_id"] == t.item_id
    for c in (t.sec_c, t.chair_c, c0):
        got = await c.push("opinion:added", lambda d: d["id"] == o["id"])
        assert got["text"] == "Đề nghị bổ sung số liệu quý IV" and got["meeting_id"] == mid
    await c1.ok("opinion:submit", {"meeting_id": mid, "text": "Ý kiến thứ hai"})
    await t.point_c.ok("opinion:submit", {"meeting_id": mid, "text": "Ý kiến của điểm cầu"})
    assert [d for d in c1.seen("opinion:added") if d["id"] == o["id"]] == []  # not to others

    mine = await c0.ok("opinion:list", {"meeting_id": mid})
    assert [x["id"] for x in mine] == [o["id"]]
    all_ = await t.sec_c.ok("opinion:list", {"meeting_id": mid})
    assert len(all_) == 3
    assert (await t.obs_c.ok("opinion:list", {"meeting_id": mid})) == []

    # Observers give no opinions; outsiders do not see the meeting; bad input.
    await t.obs_c.error("opinion:submit", {"meeting_id": mid, "text": "x"}, "forbidden")
    await t.outsider_c.error("opinion:submit", {"meeting_id": mid, "text": "x"}, "not_found")
    await c0.error("opinion:submit", {"meeting_id": mid, "text": ""}, "invalid")
    await c0.error("opinion:submit", {"meeting_id": mid, "text": 5}, "invalid")
    await c0.error(
        "opinion:submit", {"meeting_id": mid, "text": "x", "agenda_item_id": 10**9}, "invalid"
    )
