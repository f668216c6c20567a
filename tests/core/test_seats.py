"""participant:seat, and the default hall of each person (/api §3.1 participant:seat)."""

from __future__ import annotations

from tests.core.util import admin, assert_refused_unchanged, not_object_payloads, participant
from tests.live import Live, meeting_with


async def test_default_hall_is_own_unit_then_nearest_above(clients: Live) -> None:
    _, ac = await admin(clients)
    province = await ac.ok("unit:create", {"name": "Tỉnh", "kind": "province"})
    district = await ac.ok(
        "unit:create", {"name": "Huyện", "kind": "district", "parent_id": province["id"]}
    )
    commune = await ac.ok(
        "unit:create", {"name": "Xã", "kind": "commune", "parent_id": district["id"]}
    )
    other = await ac.ok("unit:create", {"name": "Xã khác", "kind": "commune"})
    m = await meeting_with(clients, delegates=0)
    mid, sc = m["meeting_id"], m["secretary_client"]
    hall_p = await clients.person("diemcau", point=True, unit_id=province["id"])
    hall_c = await clients.person("diemcau", point=True, unit_id=commune["id"])
    in_commune = await clients.person("daibieu", unit_id=commune["id"])
    in_district = await clients.person("daibieu", unit_id=district["id"])
    nowhere = await clients.person("daibieu", unit_id=other["id"])
    await sc.ok(
        "participant:add",
        {"meeting_id": mid, "role": "point", "user_ids": [hall_p.id, hall_c.id]},
    )
    out = await sc.ok(
        "participant:add",
        {
            "meeting_id": mid,
            "role": "delegate",
            "user_ids": [in_commune.id, in_district.id, nowhere.id],
        },
    )
    hall = {p["user_id"]: p["hall_id"] for p in out["participants"]}
    assert hall[in_commune.id] == hall_c.id  # own unit's point
    assert hall[in_district.id] == hall_p.id  # no point in the district: the province's
    assert hall[nowhere.id] is None
    assert hall[hall_c.id] == hall_c.id  # a point sits in itself
    assert participant(out, in_commune.id)["seat_id"] is None  # type: ignore[index]

    # Staff seat the commune delegate in the provincial hall: everyone is told.
    watcher = await clients.client(m["chair"])
    await watcher.ok("meeting:join", {"meeting_id": mid})
    watcher.mark()
    out = await sc.ok(
        "participant:seat", {"meeting_id": mid, "user_id": in_commune.id, "hall_id": hall_p.id}
    )
    row = participant(out, in_commune.id)
    assert row is not None and row["seat_id"] == hall_p.id and row["hall_id"] == hall_p.id
    pushed = await watcher.push("participants:updated", lambda d: d["meeting_id"] == mid)
    assert participant(pushed, in_commune.id)["hall_id"] == hall_p.id  # type: ignore[index]
    # Back to the default.
    out = await sc.ok(
        "participant:seat", {"meeting_id": mid, "user_id": in_commune.id, "hall_id": None}
    )
    assert participant(out, in_commune.id)["hall_id"] == hall_c.id  # type: ignore[index]


async def test_seat_refused(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2, points=1)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d1, d2 = m["delegates"]
    (pt,) = m["points"]
    outsider = await clients.person("diemcau", point=True)
    dc = await clients.client(d1)
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "participant:seat",
        [
            *not_object_payloads(),
            ({"meeting_id": mid, "user_id": d1.id, "hall_id": d2.id}, "invalid", "hall_id"),
            ({"meeting_id": mid, "user_id": d1.id, "hall_id": outsider.id}, "invalid", "hall_id"),
            ({"meeting_id": mid, "user_id": d1.id, "hall_id": "x"}, "invalid", "hall_id"),
            ({"meeting_id": mid, "user_id": d1.id}, "invalid", "hall_id"),
            ({"meeting_id": mid, "user_id": outsider.id, "hall_id": pt.id}, "not_found", None),
        ],
    )
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "participant:seat",
        [({"meeting_id": mid, "user_id": d1.id, "hall_id": pt.id}, "forbidden", None)],
    )


async def test_a_point_invited_or_removed_moves_its_people_in_the_delta(clients: Live) -> None:
    """participants:updated carries only changed rows (v2): when a hall is invited after the
    people of its unit, their rows change too (their hall_id), and every client is told."""
    _, ac = await admin(clients)
    commune = await ac.ok("unit:create", {"name": "Xã Tân Lập", "kind": "commune"})
    m = await meeting_with(clients, delegates=0)
    mid, sc = m["meeting_id"], m["secretary_client"]
    local = await clients.person("daibieu", unit_id=commune["id"])
    hall = await clients.person("diemcau", point=True, unit_id=commune["id"])
    await sc.ok("participant:add", {"meeting_id": mid, "role": "delegate", "user_ids": [local.id]})
    dc = await clients.client(local)
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    assert participant(snap, local.id)["hall_id"] is None  # type: ignore[index]
    dc.mark()

    await sc.ok("participant:add", {"meeting_id": mid, "role": "point", "user_ids": [hall.id]})
    pushed = await dc.push("participants:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["seq"] == snap["seq"] + 1
    assert participant(pushed, local.id)["hall_id"] == hall.id  # type: ignore[index]
    assert participant(pushed, hall.id)["hall_id"] == hall.id  # type: ignore[index]

    await sc.ok("participant:remove", {"meeting_id": mid, "user_id": hall.id})
    pushed = await dc.push("participants:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["removed"] == [hall.id]
    assert participant(pushed, local.id)["hall_id"] is None  # type: ignore[index]
