"""participant:add, participant:remove, invitation:respond — and the quorum they feed."""

from __future__ import annotations

from typing import Any

from tests.core.util import (
    admin,
    assert_refused_unchanged,
    get_state,
    new_meeting,
    not_object_payloads,
    participant,
)
from tests.live import Client, Live, Person, meeting_with


def roles_of(payload: dict[str, Any]) -> dict[int, str]:
    return {p["user_id"]: p["role"] for p in payload["participants"]}


# --- participant:add ------------------------------------------------------------------------


async def test_add_people_pushes_and_invites(clients: Live) -> None:
    m = await meeting_with(clients, delegates=0)
    mid, sc = m["meeting_id"], m["secretary_client"]
    watcher = await clients.client(m["chair"])
    snap = await watcher.ok("meeting:join", {"meeting_id": mid})
    watcher.mark()
    a, b = await clients.person("daibieu"), await clients.person("quansat")
    ac = await clients.client(a)
    out = await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "delegate", "user_ids": [a.id]}
    )
    assert out["added"] == [a.id] and roles_of(out)[a.id] == "delegate"
    seat = participant(out, a.id)
    assert (
        seat["response"] == "pending"
        and seat["present"] is False
        and seat["full_name"] == a.user.full_name
    )
    pushed = await watcher.push("participants:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["seq"] == snap["seq"] + 1
    assert roles_of(pushed)[a.id] == "delegate"
    assert pushed["summary"]["invited"] == snap["summary"]["invited"] + 1
    note = await ac.push("notification", lambda n: n["meeting_id"] == mid)
    assert note["kind"] == "invitation"
    # The new delegate now sees the meeting.
    assert (await ac.ok("meeting:get", {"meeting_id": mid}))["my_role"] == "delegate"
    before = roles_of(out)
    out = await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [b.id, a.id]}
    )
    assert out["added"] == [b.id]
    assert roles_of(out) == {**before, b.id: "observer"}  # `a` keeps the delegate role
    # The push carries only the row that changed (/api §3.2).
    pushed = await watcher.push("participants:updated", lambda d: d["seq"] == snap["seq"] + 2)
    assert roles_of(pushed) == {b.id: "observer"} and pushed["removed"] == []


async def test_add_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    x = await clients.person("moi")
    gone = await clients.person("nghi")
    gone.user.is_active = False
    await gone.user.save()
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "participant:add",
        [
            *not_object_payloads(),
            ({"meeting_id": mid, "role": "boss", "user_ids": [x.id]}, "invalid", "role"),
            (
                {"meeting_id": mid, "role": "chair", "user_ids": [x.id]},
                "invalid",
                "role",
            ),  # chair via update
            ({"meeting_id": mid, "user_ids": [x.id]}, "invalid", "role"),
            ({"meeting_id": mid, "role": "delegate", "user_ids": x.id}, "invalid", "user_ids"),
            (
                {"meeting_id": mid, "role": "delegate", "user_ids": [str(x.id)]},
                "invalid",
                "user_ids.0",
            ),
            (
                {"meeting_id": mid, "role": "delegate", "user_ids": [x.id, 987654]},
                "invalid",
                "user_ids",
            ),
            ({"meeting_id": mid, "role": "delegate", "user_ids": [gone.id]}, "invalid", "user_ids"),
            ({"meeting_id": mid, "role": "delegate", "unit_ids": [987654]}, "invalid", "unit_ids"),
            ({"meeting_id": mid, "role": "delegate", "unit_ids": "1"}, "invalid", "unit_ids"),
            (
                {"meeting_id": mid, "role": "delegate", "user_ids": [x.id], "note": "hi"},
                "invalid",
                "note",
            ),
        ],
    )
    # Naming nobody at all is invalid too.
    err = await sc.error("participant:add", {"meeting_id": mid, "role": "delegate"}, "invalid")
    assert err["details"]
    dc = await clients.client(m["delegates"][0])
    payload = {"meeting_id": mid, "role": "delegate", "user_ids": [x.id]}
    await assert_refused_unchanged(dc, sc, mid, "participant:add", [(payload, "forbidden", None)])
    outsider = await clients.client(x)
    await assert_refused_unchanged(
        outsider, sc, mid, "participant:add", [(payload, "not_found", None)]
    )
    await sc.ok("meeting:cancel", {"meeting_id": mid, "reason": "Hoãn"})
    await assert_refused_unchanged(sc, sc, mid, "participant:add", [(payload, "conflict", None)])


async def test_unit_invitation_reaches_everyone_below(clients: Live) -> None:
    _, adm = await admin(clients)
    prov = await adm.ok("unit:create", {"name": "Tỉnh Sơn Thủy", "kind": "province"})
    d1 = await adm.ok(
        "unit:create", {"name": "Huyện Một", "kind": "district", "parent_id": prov["id"]}
    )
    d2 = await adm.ok(
        "unit:create", {"name": "Huyện Hai", "kind": "district", "parent_id": prov["id"]}
    )
    c1 = await adm.ok("unit:create", {"name": "Xã Một", "kind": "commune", "parent_id": d1["id"]})
    c2 = await adm.ok("unit:create", {"name": "Xã Hai", "kind": "commune", "parent_id": d2["id"]})
    other = await adm.ok("unit:create", {"name": "Tỉnh Khác", "kind": "province"})

    async def at(unit: dict, label: str, **kw: Any) -> Person:
        return await clients.person(label, unit_id=unit["id"], **kw)

    p_prov, p_d1, p_c1, p_c2 = (
        await at(prov, "tinh"),
        await at(d1, "huyen"),
        await at(c1, "xa"),
        await at(c2, "xa"),
    )
    pt_prov, pt_c1, pt_c2 = [await at(u, "diemcau", point=True) for u in (prov, c1, c2)]
    outsider, outsider_pt = await at(other, "ngoai"), await at(other, "ngoaidc", point=True)
    gone = await at(c1, "nghi")
    gone.user.is_active = False
    await gone.user.save()

    m = await meeting_with(clients, delegates=0)
    mid, sc = m["meeting_id"], m["secretary_client"]
    # p_c2 is already an observer: inviting the unit later must not change that.
    await sc.ok("participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [p_c2.id]})

    out = await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "delegate", "unit_ids": [d1["id"]]}
    )
    assert sorted(out["added"]) == sorted([p_d1.id, p_c1.id])  # district and its commune, no points

    out = await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "point", "unit_ids": [prov["id"]]}
    )
    assert sorted(out["added"]) == sorted(
        [pt_prov.id, pt_c1.id, pt_c2.id]
    )  # only connection points

    out = await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "delegate", "unit_ids": [prov["id"]]}
    )
    assert sorted(out["added"]) == [p_prov.id]
    roles = roles_of(await get_state(sc, mid))
    assert roles[p_prov.id] == roles[p_d1.id] == roles[p_c1.id] == "delegate"
    assert roles[p_c2.id] == "observer"  # kept the role they had
    assert roles[pt_prov.id] == roles[pt_c1.id] == roles[pt_c2.id] == "point"
    assert roles[m["chair"].id] == "chair" and roles[m["secretary"].id] == "secretary"
    for nobody in (outsider, outsider_pt, gone):
        assert nobody.id not in roles
    # Inviting everyone again adds nobody and changes nothing.
    before = await get_state(sc, mid)
    out = await sc.ok(
        "participant:add",
        {"meeting_id": mid, "role": "observer", "unit_ids": [prov["id"]], "user_ids": [p_d1.id]},
    )
    assert out["added"] == [] and await get_state(sc, mid) == before


async def test_staff_keep_their_role_when_their_unit_is_invited(clients: Live) -> None:
    _, adm = await admin(clients)
    unit = await adm.ok("unit:create", {"name": "Văn phòng UBND", "kind": "department"})
    chair = await clients.person("chutich", unit_id=unit["id"])
    sec = await clients.person("thuky", organizer=True, unit_id=unit["id"])
    sc = await clients.client(sec)
    mt = await new_meeting(sc, chair.id)
    out = await sc.ok(
        "participant:add", {"meeting_id": mt["id"], "role": "observer", "unit_ids": [unit["id"]]}
    )
    assert out["added"] == []
    assert roles_of(out) == {chair.id: "chair", sec.id: "secretary"}


# --- participant:remove ---------------------------------------------------------------------


async def test_remove_uninvites(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    gone, stays = m["delegates"]
    gc = await clients.client(gone)
    await gc.ok("meeting:join", {"meeting_id": mid})
    watcher = await clients.client(stays)
    snap = await watcher.ok("meeting:join", {"meeting_id": mid})
    watcher.mark()
    gc.mark()
    out = await sc.ok("participant:remove", {"meeting_id": mid, "user_id": gone.id})
    assert gone.id not in roles_of(out)
    pushed = await watcher.push("participants:updated", lambda d: d["meeting_id"] == mid)
    assert gone.id not in roles_of(pushed) and pushed["seq"] == snap["seq"] + 1
    assert pushed["summary"]["invited"] == snap["summary"]["invited"] - 1
    note = await gc.push("notification", lambda n: n["meeting_id"] == mid)
    assert note["kind"] == "uninvited"
    # The meeting no longer exists for them.
    await gc.error("meeting:get", {"meeting_id": mid}, "not_found")
    await gc.error("invitation:respond", {"meeting_id": mid, "response": "accepted"}, "not_found")
    await sc.error("participant:remove", {"meeting_id": mid, "user_id": gone.id}, "not_found")


async def test_a_removed_participant_stops_receiving_the_meetings_pushes(clients: Live) -> None:
    """Pushes go to sockets that joined; one who is no longer invited must not keep getting
    the meeting's state (it would reveal a meeting that is `not_found` for them)."""
    m = await meeting_with(clients, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    gone = m["delegates"][0]
    gc = await clients.client(gone)
    await gc.ok("meeting:join", {"meeting_id": mid})
    await sc.ok("participant:remove", {"meeting_id": mid, "user_id": gone.id})
    await gc.push("notification", lambda n: n["kind"] == "uninvited")
    gc.mark()
    await sc.ok("meeting:update", {"meeting_id": mid, "title": "Nội dung mật"})
    # A later push to this user: a notification for a meeting they are invited to afterwards.
    await sc.ok("participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [gone.id]})
    await gc.push("notification", lambda n: n["kind"] == "invitation")
    leaked = [d for d in gc.seen("meeting:updated") if d["title"] == "Nội dung mật"]
    assert leaked == [], "a removed participant's socket still gets the meeting's pushes"


async def test_remove_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d = m["delegates"][0]
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "participant:remove",
        [
            *not_object_payloads(),
            ({"meeting_id": mid}, "invalid", "user_id"),
            ({"meeting_id": mid, "user_id": str(d.id)}, "invalid", "user_id"),
            ({"meeting_id": mid, "user_id": d.id, "reason": "x"}, "invalid", "reason"),
            ({"meeting_id": mid, "user_id": 987654}, "not_found", None),
            (
                {"meeting_id": mid, "user_id": m["chair"].id},
                "conflict",
                None,
            ),  # change the chair first
        ],
    )
    dc = await clients.client(d)
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "participant:remove",
        [({"meeting_id": mid, "user_id": d.id}, "forbidden", None)],
    )
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider,
        sc,
        mid,
        "participant:remove",
        [({"meeting_id": mid, "user_id": d.id}, "not_found", None)],
    )


# --- invitation:respond ---------------------------------------------------------------------


async def test_accept_and_decline(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2)
    mid = m["meeting_id"]
    watcher = await clients.client(m["secretary"])
    snap = await watcher.ok("meeting:join", {"meeting_id": mid})
    watcher.mark()
    a, b = m["delegates"]
    ac, bc = await clients.client(a), await clients.client(b)
    out = await ac.ok(
        "invitation:respond", {"meeting_id": mid, "response": "accepted", "note": "Sẽ đến sớm"}
    )
    seat = participant(out, a.id)
    assert seat["response"] == "accepted" and seat["note"] == "Sẽ đến sớm"
    staff_row = participant(await watcher.ok("meeting:get", {"meeting_id": mid}), a.id)
    assert staff_row["responded_at"]  # staff see when; the delegate's own ack is the public row
    pushed = await watcher.push(
        "participants:updated", lambda d: d["meeting_id"] == mid and d["view"] == "staff"
    )
    assert participant(pushed, a.id)["response"] == "accepted" and pushed["seq"] == snap["seq"] + 1
    assert pushed["summary"]["accepted"] == snap["summary"]["accepted"] + 1
    assert pushed["summary"]["pending"] == snap["summary"]["pending"] - 1
    out = await bc.ok(
        "invitation:respond", {"meeting_id": mid, "response": "declined", "note": "Đi công tác"}
    )
    pushed = await watcher.push(
        "participants:updated", lambda d: d["meeting_id"] == mid and d["view"] == "staff"
    )
    assert participant(pushed, b.id)["response"] == "declined" and pushed["seq"] == snap["seq"] + 2
    assert pushed["summary"]["declined"] == 1
    # Changing one's mind is allowed.
    out = await bc.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    assert participant(out, b.id)["response"] == "accepted" and participant(out, b.id)["note"] == ""


async def test_delegating_makes_the_deputy_a_participant_with_the_same_role(clients: Live) -> None:
    m = await meeting_with(clients, delegates=1, points=1)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d, pt = m["delegates"][0], m["points"][0]
    deputy = await clients.person("cappho")
    deputy_c = await clients.client(deputy)
    await deputy_c.error("meeting:get", {"meeting_id": mid}, "not_found")
    dc = await clients.client(d)
    before = (await get_state(sc, mid))["summary"]
    out = await dc.ok(
        "invitation:respond",
        {
            "meeting_id": mid,
            "response": "delegated",
            "substitute_id": deputy.id,
            "note": "Bận tiếp dân",
        },
    )
    assert participant(out, d.id)["response"] == "delegated"
    seat = participant(out, deputy.id)
    assert (
        seat["role"] == "delegate"
        and seat["substitute_for"] == d.id
        and seat["response"] == "pending"
    )
    assert out["summary"]["delegated"] == 1 and out["summary"]["invited"] == before["invited"] + 1
    # The deputy takes the seat in the quorum; the one who sent them is not counted twice.
    assert out["summary"]["members"] == before["members"]
    note = await deputy_c.push("notification", lambda n: n["meeting_id"] == mid)
    assert note["kind"] == "invitation" and d.user.full_name in note["text"]
    snap = await deputy_c.ok("meeting:get", {"meeting_id": mid})
    assert snap["my_role"] == "delegate"
    out = await deputy_c.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    assert participant(out, deputy.id)["response"] == "accepted"
    # A connection point sends another point, who attends as a point.
    pt2 = await clients.person("diemcau", point=True)
    ptc = await clients.client(pt)
    out = await ptc.ok(
        "invitation:respond", {"meeting_id": mid, "response": "delegated", "substitute_id": pt2.id}
    )
    assert (
        participant(out, pt2.id)["role"] == "point"
        and participant(out, pt2.id)["substitute_for"] == pt.id
    )
    # Changing one's mind withdraws the deputy.
    out = await dc.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    assert participant(out, deputy.id) is None and participant(out, d.id)["response"] == "accepted"
    await deputy_c.error("meeting:get", {"meeting_id": mid}, "not_found")


async def test_an_observer_deputy_is_an_observer(clients: Live) -> None:
    m = await meeting_with(clients, delegates=0)
    mid, sc = m["meeting_id"], m["secretary_client"]
    obs, deputy = await clients.person("quansat"), await clients.person("thay")
    await sc.ok("participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [obs.id]})
    oc = await clients.client(obs)
    out = await oc.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id},
    )
    assert participant(out, deputy.id)["role"] == "observer"


async def test_respond_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d, other_delegate = m["delegates"]
    dc = await clients.client(d)
    deputy = await clients.person("thay")
    gone = await clients.person("nghi")
    gone.user.is_active = False
    await gone.user.save()
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "invitation:respond",
        [
            *not_object_payloads(),
            ({"meeting_id": mid}, "invalid", "response"),
            ({"meeting_id": mid, "response": "maybe"}, "invalid", "response"),
            ({"meeting_id": mid, "response": "pending"}, "invalid", "response"),
            ({"meeting_id": mid, "response": "accepted", "note": 5}, "invalid", "note"),
            ({"meeting_id": mid, "response": "accepted", "seat": 3}, "invalid", "seat"),
            ({"meeting_id": mid, "response": "delegated"}, "invalid", "substitute_id"),
            (
                {"meeting_id": mid, "response": "delegated", "substitute_id": str(deputy.id)},
                "invalid",
                "substitute_id",
            ),
            (
                {"meeting_id": mid, "response": "delegated", "substitute_id": d.id},
                "invalid",
                "substitute_id",
            ),
            (
                {"meeting_id": mid, "response": "delegated", "substitute_id": 987654},
                "invalid",
                "substitute_id",
            ),
            (
                {"meeting_id": mid, "response": "delegated", "substitute_id": gone.id},
                "invalid",
                "substitute_id",
            ),
            (
                {"meeting_id": mid, "response": "accepted", "substitute_id": deputy.id},
                "invalid",
                "substitute_id",
            ),
            # Someone already invited cannot be sent as a deputy.
            (
                {"meeting_id": mid, "response": "delegated", "substitute_id": other_delegate.id},
                "conflict",
                None,
            ),
        ],
    )
    # The chair does not send a deputy (the chair is changed instead).
    cc = await clients.client(m["chair"])
    await assert_refused_unchanged(
        cc,
        sc,
        mid,
        "invitation:respond",
        [
            (
                {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id},
                "conflict",
                None,
            )
        ],
    )
    outsider = await clients.client(deputy)
    await assert_refused_unchanged(
        outsider,
        sc,
        mid,
        "invitation:respond",
        [({"meeting_id": mid, "response": "accepted"}, "not_found", None)],
    )


async def test_respond_to_a_draft_or_finished_meeting(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    cc = await clients.client(m["chair"])  # staff see the draft, but it takes no answers yet
    await assert_refused_unchanged(
        cc,
        sc,
        mid,
        "invitation:respond",
        [({"meeting_id": mid, "response": "accepted"}, "conflict", None)],
    )
    await sc.ok("meeting:publish", {"meeting_id": mid})
    await sc.ok("meeting:start", {"meeting_id": mid})
    dc = await clients.client(m["delegates"][0])
    out = await dc.ok(
        "invitation:respond", {"meeting_id": mid, "response": "accepted"}
    )  # still in progress
    assert participant(out, m["delegates"][0].id)["response"] == "accepted"
    await sc.ok("meeting:end", {"meeting_id": mid})
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "invitation:respond",
        [({"meeting_id": mid, "response": "declined"}, "conflict", None)],
    )


# --- quorum ---------------------------------------------------------------------------------


async def mark(sc: Client, mid: int, who: Person, present: bool = True) -> dict:
    return (
        await sc.ok("attendance:mark", {"meeting_id": mid, "user_id": who.id, "present": present})
    )["summary"]


async def test_quorum_is_more_than_half_of_chair_delegates_and_points(clients: Live) -> None:
    m = await meeting_with(
        clients, delegates=2, points=1
    )  # members: chair, 2 delegates, 1 point = 4
    mid, sc = m["meeting_id"], m["secretary_client"]
    obs = await clients.person("quansat")
    await sc.ok("participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [obs.id]})
    s = (await get_state(sc, mid))["summary"]
    assert s["members"] == 4 and s["members_present"] == 0 and s["quorum_met"] is False
    # Secretaries and observers do not count.
    s = await mark(sc, mid, m["secretary"])
    s = await mark(sc, mid, obs)
    assert s["present"] == 2 and s["members_present"] == 0 and s["quorum_met"] is False
    s = await mark(sc, mid, m["chair"])
    s = await mark(sc, mid, m["delegates"][0])
    assert s["members_present"] == 2 and s["quorum_met"] is False  # exactly half is not enough
    s = await mark(sc, mid, m["points"][0])
    assert s["members_present"] == 3 and s["quorum_met"] is True
    s = await mark(sc, mid, m["points"][0], present=False)
    assert s["members_present"] == 2 and s["quorum_met"] is False
    # A deputy replaces the one who sent them: still 4 members, and the deputy's presence counts.
    deputy = await clients.person("thay")
    d1c = await clients.client(m["delegates"][1])
    out = await d1c.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id},
    )
    assert out["summary"]["members"] == 4
    s = await mark(sc, mid, deputy)
    assert s["members_present"] == 3 and s["quorum_met"] is True


async def test_quorum_with_an_odd_number_of_members(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2)  # chair + 2 delegates = 3 members
    mid, sc = m["meeting_id"], m["secretary_client"]
    s = await mark(sc, mid, m["chair"])
    assert s["members"] == 3 and s["quorum_met"] is False
    s = await mark(sc, mid, m["delegates"][1])
    assert s["members_present"] == 2 and s["quorum_met"] is True


async def test_sending_the_same_answer_again_is_harmless(clients: Live) -> None:
    """On a weak link a client re-sends a request whose ack was lost: the same answer twice —
    including naming the same deputy — must succeed and leave one deputy seat, not `conflict`."""
    m = await meeting_with(clients, delegates=2)
    mid = m["meeting_id"]
    a, b = m["delegates"]
    deputy = await clients.person("thay")
    ac, bc = await clients.client(a), await clients.client(b)
    first = await ac.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    again = await ac.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    assert (
        participant(again, a.id)["response"] == participant(first, a.id)["response"] == "accepted"
    )
    payload = {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id}
    first = await bc.ok("invitation:respond", payload)
    assert participant(first, deputy.id)["substitute_for"] == b.id
    again = await bc.ok("invitation:respond", payload)
    assert [p["user_id"] for p in again["participants"]].count(deputy.id) == 1
    assert participant(again, deputy.id)["substitute_for"] == b.id
    assert again["summary"] == first["summary"]
