"""meeting:create/update/publish/cancel/start/end/list/get/join/leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.core.util import (
    assert_refused_unchanged,
    get_state,
    new_meeting,
    not_object_payloads,
    organizer,
    participant,
    times,
)
from tests.live import Live, meeting_with

SNAPSHOT_KEYS = {
    "id", "title", "description", "location", "starts_at", "ends_at", "status", "chair_id",
    "created_by", "cancel_reason", "seq", "agenda", "participants", "summary", "documents",
    "floor", "polls", "conclusions", "presented", "my_role",
}  # fmt: skip


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


# --- meeting:create -------------------------------------------------------------------------


async def test_create_makes_a_draft_with_chair_and_secretary(clients: Live) -> None:
    sec, sc = await organizer(clients)
    chair = await clients.person("chutich")
    starts, ends = times(days=3)
    m = await sc.ok(
        "meeting:create",
        {
            "title": "Họp UBND tỉnh tháng 5",
            "starts_at": starts,
            "ends_at": ends,
            "location": "Phòng họp tầng 3",
            "description": "Kinh tế – xã hội",
            "chair_id": chair.id,
        },
    )
    assert m["status"] == "draft" and m["title"] == "Họp UBND tỉnh tháng 5"
    assert m["chair_id"] == chair.id and m["created_by"] == sec.id
    assert m["location"] == "Phòng họp tầng 3" and m["description"] == "Kinh tế – xã hội"
    assert parse(m["starts_at"]) == parse(starts) and parse(m["ends_at"]) == parse(ends)
    assert m["starts_at"].endswith("+07:00")  # times go out in the province's zone, with offset
    snap = await sc.ok("meeting:get", {"meeting_id": m["id"]})
    assert SNAPSHOT_KEYS <= set(snap)
    assert snap["my_role"] == "secretary" and snap["seq"] == 0 and snap["agenda"] == []
    roles = {(p["user_id"], p["role"], p["response"]) for p in snap["participants"]}
    assert roles == {(chair.id, "chair", "pending"), (sec.id, "secretary", "accepted")}
    assert snap["summary"]["invited"] == 2 and snap["summary"]["accepted"] == 1
    # The chair (staff) sees the draft too.
    cc = await clients.client(chair)
    assert (await cc.ok("meeting:get", {"meeting_id": m["id"]}))["my_role"] == "chair"


async def test_organizer_chairing_their_own_meeting_has_one_seat(clients: Live) -> None:
    sec, sc = await organizer(clients)
    m = await new_meeting(sc, sec.id)
    snap = await sc.ok("meeting:get", {"meeting_id": m["id"]})
    assert [(p["user_id"], p["role"]) for p in snap["participants"]] == [(sec.id, "chair")]
    assert snap["my_role"] == "chair"


async def test_create_invalid_and_refused(clients: Live) -> None:
    sec, sc = await organizer(clients)
    chair = await clients.person("chutich")
    gone = await clients.person("nghi")
    gone.user.is_active = False
    await gone.user.save()
    starts, ends = times()
    base = {"title": "Họp", "starts_at": starts, "ends_at": ends, "chair_id": chair.id}
    naive = datetime.now().replace(microsecond=0) + timedelta(days=1)
    cases = [
        *not_object_payloads(),
        ({**base, "starts_at": naive.isoformat()}, "invalid", "starts_at"),  # no offset
        ({**base, "ends_at": (naive + timedelta(hours=1)).isoformat()}, "invalid", "ends_at"),
        ({**base, "starts_at": ends, "ends_at": starts}, "invalid", "ends_at"),  # end before start
        ({**base, "ends_at": starts}, "invalid", "ends_at"),  # no length at all
        ({**base, "starts_at": "ngày mai"}, "invalid", "starts_at"),
        ({**base, "starts_at": 1700000000}, "invalid", "starts_at"),
        ({**base, "title": ""}, "invalid", "title"),
        ({**base, "title": None}, "invalid", "title"),
        ({**base, "chair_id": str(chair.id)}, "invalid", "chair_id"),
        ({**base, "chair_id": 987654}, "invalid", "chair_id"),
        ({**base, "chair_id": gone.id}, "invalid", "chair_id"),  # a disabled account
        ({**base, "location": 5}, "invalid", "location"),
        ({**base, "status": "scheduled"}, "invalid", "status"),
        ({k: v for k, v in base.items() if k != "chair_id"}, "invalid", "chair_id"),
    ]
    wide = {
        "from": (datetime.now(UTC) - timedelta(days=30)).isoformat(),
        "to": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
    }
    assert await sc.ok("meeting:list", wide) == []
    for payload, code, name in cases:
        err = await sc.error("meeting:create", payload, code)
        assert name in err["details"], (payload, err)
    # Only organizers create meetings; an ordinary user is refused.
    plain = await clients.client(await clients.person())
    await plain.error("meeting:create", base, "forbidden")
    assert await sc.ok("meeting:list", wide) == []
    assert await (await clients.client(chair)).ok("meeting:list", wide) == []


# --- meeting:update -------------------------------------------------------------------------


async def test_update_pushes_and_notifies_a_moved_meeting(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    dc = await clients.client(m["delegates"][0])
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    starts, ends = times(days=2, hours=3)
    out = await sc.ok(
        "meeting:update",
        {
            "meeting_id": mid,
            "title": "Họp bất thường",
            "location": "Hội trường B",
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    assert out["title"] == "Họp bất thường" and out["location"] == "Hội trường B"
    pushed = await dc.push("meeting:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["title"] == "Họp bất thường" and pushed["location"] == "Hội trường B"
    assert parse(pushed["starts_at"]) == parse(starts) and parse(pushed["ends_at"]) == parse(ends)
    assert pushed["seq"] == snap["seq"] + 1
    note = await dc.push(
        "notification", lambda n: n["meeting_id"] == mid and n["kind"] == "meeting_changed"
    )
    assert "Hội trường B" in note["text"]
    fresh = await get_state(dc, mid)
    assert fresh["title"] == "Họp bất thường" and fresh["seq"] == pushed["seq"]


async def test_update_changes_the_chair(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc, old = m["meeting_id"], m["secretary_client"], m["chair"]
    new = await clients.person("chutichmoi")
    await sc.ok("meeting:update", {"meeting_id": mid, "chair_id": new.id})
    snap = await sc.ok("meeting:get", {"meeting_id": mid})
    assert snap["chair_id"] == new.id
    assert participant(snap, new.id)["role"] == "chair"
    assert participant(snap, old.id)["role"] == "delegate"
    assert [p["user_id"] for p in snap["participants"] if p["role"] == "chair"] == [new.id]
    # The former chair may no longer do what only staff may.
    oc = await clients.client(old)
    await oc.error("meeting:update", {"meeting_id": mid, "title": "X"}, "forbidden")
    nc = await clients.client(new)
    await nc.ok("meeting:update", {"meeting_id": mid, "title": "Chủ trì mới"})


async def test_update_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    snap = await sc.ok("meeting:get", {"meeting_id": mid})
    before_start = (parse(snap["starts_at"]) - timedelta(hours=1)).isoformat()
    after_end = (parse(snap["ends_at"]) + timedelta(hours=1)).isoformat()
    naive = datetime.now().replace(microsecond=0) + timedelta(days=1)
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "meeting:update",
        [
            *not_object_payloads(),
            ({"meeting_id": str(mid), "title": "X"}, "invalid", "meeting_id"),
            ({"title": "X"}, "invalid", "meeting_id"),
            ({"meeting_id": mid, "starts_at": naive.isoformat()}, "invalid", "starts_at"),
            (
                {"meeting_id": mid, "ends_at": before_start},
                "invalid",
                "ends_at",
            ),  # end before start
            ({"meeting_id": mid, "starts_at": after_end}, "invalid", "ends_at"),  # start after end
            ({"meeting_id": mid, "title": ""}, "invalid", "title"),
            ({"meeting_id": mid, "title": None}, "invalid", "title"),
            ({"meeting_id": mid, "starts_at": None}, "invalid", "starts_at"),
            ({"meeting_id": mid, "chair_id": None}, "invalid", "chair_id"),
            ({"meeting_id": mid, "chair_id": 987654}, "invalid", "chair_id"),
            ({"meeting_id": mid, "status": "ended"}, "invalid", "status"),
            ({"meeting_id": mid, "seq": 100}, "invalid", "seq"),
        ],
    )
    dc = await clients.client(m["delegates"][0])
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        dc, sc, mid, "meeting:update", [({"meeting_id": mid, "title": "X"}, "forbidden", None)]
    )
    await assert_refused_unchanged(
        outsider,
        sc,
        mid,
        "meeting:update",
        [({"meeting_id": mid, "title": "X"}, "not_found", None)],
    )
    # A meeting that does not exist is indistinguishable from one the caller cannot see.
    await outsider.error("meeting:update", {"meeting_id": 987654, "title": "X"}, "not_found")


async def test_update_null_for_a_text_field_is_invalid(clients: Live) -> None:
    """location/description are not nullable: null must be `invalid` naming them, not `internal`."""
    m = await meeting_with(clients, location="Phòng 1")
    mid, sc = m["meeting_id"], m["secretary_client"]
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "meeting:update",
        [
            ({"meeting_id": mid, "location": None}, "invalid", "location"),
            ({"meeting_id": mid, "description": None}, "invalid", "description"),
        ],
    )


async def test_draft_is_not_found_for_a_delegate(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    dc = await clients.client(m["delegates"][0])
    for event, payload in [
        ("meeting:get", {"meeting_id": mid}),
        ("meeting:join", {"meeting_id": mid}),
        ("meeting:update", {"meeting_id": mid, "title": "X"}),
        ("meeting:publish", {"meeting_id": mid}),
        ("meeting:cancel", {"meeting_id": mid, "reason": "X"}),
        ("invitation:respond", {"meeting_id": mid, "response": "accepted"}),
    ]:
        await dc.error(event, payload, "not_found")
    assert (await get_state(sc, mid))["status"] == "draft"
    starts, ends = times(days=-1, hours=96)
    listed = await dc.ok("meeting:list", {"from": starts, "to": ends})
    assert mid not in [x["id"] for x in listed]


async def test_update_refused_after_the_meeting_ends_or_is_cancelled(clients: Live) -> None:
    ended = await meeting_with(clients, start=True)
    sc = ended["secretary_client"]
    await sc.ok("meeting:end", {"meeting_id": ended["meeting_id"]})
    await assert_refused_unchanged(
        sc,
        sc,
        ended["meeting_id"],
        "meeting:update",
        [({"meeting_id": ended["meeting_id"], "title": "Y"}, "conflict", None)],
    )
    cancelled = await meeting_with(clients)
    cc = cancelled["secretary_client"]
    await cc.ok("meeting:cancel", {"meeting_id": cancelled["meeting_id"], "reason": "Hoãn"})
    await assert_refused_unchanged(
        cc,
        cc,
        cancelled["meeting_id"],
        "meeting:update",
        [({"meeting_id": cancelled["meeting_id"], "title": "Y"}, "conflict", None)],
    )


# --- meeting:publish ------------------------------------------------------------------------


async def test_publish_invites_and_twice_is_a_conflict(clients: Live) -> None:
    m = await meeting_with(clients, publish=False, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    joined = await clients.client(m["secretary"])
    await joined.ok("meeting:join", {"meeting_id": mid})
    chair_c = await clients.client(m["chair"])
    d_clients = [await clients.client(d) for d in m["delegates"]]
    out = await sc.ok("meeting:publish", {"meeting_id": mid})
    assert out["status"] == "scheduled"
    pushed = await joined.push("meeting:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["status"] == "scheduled"
    for c in [chair_c, *d_clients]:
        note = await c.push("notification", lambda n: n["meeting_id"] == mid)
        assert note["kind"] == "invitation" and "Họp thường kỳ" in note["text"]
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:publish", [({"meeting_id": mid}, "conflict", None)]
    )
    # Delegates may not publish (or, on a draft, even see the meeting): forbidden once published.
    await assert_refused_unchanged(
        d_clients[0], sc, mid, "meeting:publish", [({"meeting_id": mid}, "forbidden", None)]
    )


async def test_publish_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "meeting:publish",
        [
            *not_object_payloads(),
            ({"meeting_id": str(mid)}, "invalid", "meeting_id"),
            ({"meeting_id": mid, "notify": False}, "invalid", "notify"),
            ({}, "invalid", "meeting_id"),
        ],
    )
    outsider = await clients.client(await clients.person("tochuc", organizer=True))
    await assert_refused_unchanged(
        outsider, sc, mid, "meeting:publish", [({"meeting_id": mid}, "not_found", None)]
    )
    # The chair is staff: the chair may publish.
    cc = await clients.client(m["chair"])
    assert (await cc.ok("meeting:publish", {"meeting_id": mid}))["status"] == "scheduled"


# --- meeting:cancel -------------------------------------------------------------------------


async def test_cancel_notifies_and_closes_the_meeting(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    dc = await clients.client(m["delegates"][0])
    await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    out = await sc.ok("meeting:cancel", {"meeting_id": mid, "reason": "Trùng lịch tiếp dân"})
    assert out["status"] == "cancelled" and out["cancel_reason"] == "Trùng lịch tiếp dân"
    pushed = await dc.push("meeting:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["status"] == "cancelled" and pushed["cancel_reason"] == "Trùng lịch tiếp dân"
    note = await dc.push(
        "notification", lambda n: n["meeting_id"] == mid and n["kind"] == "cancelled"
    )
    assert "Trùng lịch tiếp dân" in note["text"]
    # A cancelled meeting takes no answers, no second cancel, no start.
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "invitation:respond",
        [({"meeting_id": mid, "response": "accepted"}, "conflict", None)],
    )
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:cancel", [({"meeting_id": mid, "reason": "Lại"}, "conflict", None)]
    )
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:start", [({"meeting_id": mid}, "conflict", None)]
    )
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:publish", [({"meeting_id": mid}, "conflict", None)]
    )


async def test_cancel_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "meeting:cancel",
        [
            *not_object_payloads(),
            ({"meeting_id": mid}, "invalid", "reason"),
            ({"meeting_id": mid, "reason": ""}, "invalid", "reason"),
            ({"meeting_id": mid, "reason": "   "}, "invalid", "reason"),
            ({"meeting_id": mid, "reason": 5}, "invalid", "reason"),
            ({"meeting_id": mid, "reason": "x", "notify": True}, "invalid", "notify"),
        ],
    )
    dc = await clients.client(m["delegates"][0])
    await assert_refused_unchanged(
        dc, sc, mid, "meeting:cancel", [({"meeting_id": mid, "reason": "x"}, "forbidden", None)]
    )
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider,
        sc,
        mid,
        "meeting:cancel",
        [({"meeting_id": mid, "reason": "x"}, "not_found", None)],
    )
    # In progress it can only be ended, not cancelled.
    await sc.ok("meeting:start", {"meeting_id": mid})
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:cancel", [({"meeting_id": mid, "reason": "x"}, "conflict", None)]
    )


async def test_a_draft_can_be_cancelled(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    out = await m["secretary_client"].ok(
        "meeting:cancel", {"meeting_id": m["meeting_id"], "reason": "Không cần"}
    )
    assert out["status"] == "cancelled"


# --- meeting:start / meeting:end ------------------------------------------------------------


async def test_start_and_end(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    dc = await clients.client(m["delegates"][0])
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    await assert_refused_unchanged(
        dc, sc, mid, "meeting:start", [({"meeting_id": mid}, "forbidden", None)]
    )
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:end", [({"meeting_id": mid}, "conflict", None)]
    )
    assert (await sc.ok("meeting:start", {"meeting_id": mid}))["status"] == "in_progress"
    pushed = await dc.push("meeting:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["status"] == "in_progress" and pushed["seq"] == snap["seq"] + 1
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:start", [({"meeting_id": mid}, "conflict", None)]
    )
    await assert_refused_unchanged(
        dc, sc, mid, "meeting:end", [({"meeting_id": mid}, "forbidden", None)]
    )
    cc = await clients.client(m["chair"])
    assert (await cc.ok("meeting:end", {"meeting_id": mid}))["status"] == "ended"
    pushed = await dc.push("meeting:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["status"] == "ended" and pushed["seq"] == snap["seq"] + 2
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:end", [({"meeting_id": mid}, "conflict", None)]
    )
    await assert_refused_unchanged(
        sc, sc, mid, "meeting:start", [({"meeting_id": mid}, "conflict", None)]
    )


async def test_start_end_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    for event in ("meeting:start", "meeting:end"):
        await assert_refused_unchanged(
            sc,
            sc,
            mid,
            event,
            [
                *not_object_payloads(),
                ({"meeting_id": None}, "invalid", "meeting_id"),
                ({"meeting_id": mid, "at": "now"}, "invalid", "at"),
                ({"meeting_id": mid}, "conflict", None),  # a draft neither starts nor ends
            ],
        )
    outsider = await clients.client(await clients.person())
    for event in ("meeting:start", "meeting:end"):
        await assert_refused_unchanged(
            outsider, sc, mid, event, [({"meeting_id": mid}, "not_found", None)]
        )


# --- meeting:list ---------------------------------------------------------------------------


async def test_list_shows_my_meetings_in_the_range(clients: Live) -> None:
    _, sc = await organizer(clients)
    chair = await clients.person("chutich")
    delegate = await clients.person("daibieu")
    soon = await new_meeting(sc, chair.id, title="Sắp tới")
    s2, e2 = times(days=20)
    later = await sc.ok(
        "meeting:create",
        {"title": "Tháng sau", "starts_at": s2, "ends_at": e2, "chair_id": chair.id},
    )
    draft = await new_meeting(sc, chair.id, title="Nháp")
    for mt in (soon, later, draft):
        await sc.ok(
            "participant:add",
            {"meeting_id": mt["id"], "role": "delegate", "user_ids": [delegate.id]},
        )
    for mt in (soon, later):
        await sc.ok("meeting:publish", {"meeting_id": mt["id"]})
    dc = await clients.client(delegate)
    await dc.ok("invitation:respond", {"meeting_id": soon["id"], "response": "accepted"})
    frm = datetime.now(UTC).isoformat()
    to = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    rows = await dc.ok("meeting:list", {"from": frm, "to": to})
    assert [(r["id"], r["my_role"], r["my_response"]) for r in rows] == [
        (soon["id"], "delegate", "accepted")
    ]
    assert rows[0]["title"] == "Sắp tới" and rows[0]["status"] == "scheduled"
    wide = await dc.ok(
        "meeting:list", {"from": frm, "to": (datetime.now(UTC) + timedelta(days=30)).isoformat()}
    )
    assert [r["id"] for r in wide] == [
        soon["id"],
        later["id"],
    ]  # ordered by start; the draft hidden
    mine = await sc.ok("meeting:list", {"from": frm, "to": to})
    assert {r["id"]: r["my_role"] for r in mine} == {
        soon["id"]: "secretary",
        draft["id"]: "secretary",
    }
    assert [r["id"] for r in await dc.ok("meeting:list", {})] == [
        soon["id"],
        later["id"],
    ]  # default range
    outsider = await clients.client(await clients.person())
    assert await outsider.ok("meeting:list", {"from": frm, "to": to}) == []


async def test_list_invalid(clients: Live) -> None:
    c = await clients.client(await clients.person())
    frm, to = times()
    naive = datetime.now().replace(microsecond=0).isoformat()
    cases = [
        *not_object_payloads(),
        ({"from": naive, "to": to}, "invalid", "from"),
        ({"from": frm, "to": naive}, "invalid", "to"),
        ({"from": to, "to": frm}, "invalid", "to"),  # to before from
        ({"from": 5}, "invalid", "from"),
        ({"from": "hôm qua"}, "invalid", "from"),
        ({"status": "draft"}, "invalid", "status"),
    ]
    for payload, code, name in cases:
        err = await c.error("meeting:list", payload, code)
        assert name in err["details"], (payload, err)


# --- meeting:get / meeting:join / meeting:leave --------------------------------------------


async def test_get_is_for_participants_only(clients: Live) -> None:
    m = await meeting_with(clients, points=1)
    mid, sc = m["meeting_id"], m["secretary_client"]
    observer = await clients.person("quansat")
    await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [observer.id]}
    )
    for who, role in [
        (m["chair"], "chair"),
        (m["delegates"][0], "delegate"),
        (m["points"][0], "point"),
        (observer, "observer"),
    ]:
        c = await clients.client(who)
        snap = await c.ok("meeting:get", {"meeting_id": mid})
        assert snap["my_role"] == role and snap["id"] == mid and SNAPSHOT_KEYS <= set(snap)
    # Not a participant, even an organizer or an admin: not found.
    for who in [
        await clients.person("khac"),
        await clients.person("tochuc", organizer=True),
        await clients.person("quantri", admin=True),
    ]:
        c = await clients.client(who)
        await c.error("meeting:get", {"meeting_id": mid}, "not_found")
        await c.error("meeting:join", {"meeting_id": mid}, "not_found")
        await c.error("meeting:leave", {"meeting_id": mid}, "not_found")
    await sc.error("meeting:get", {"meeting_id": 987654}, "not_found")


async def test_get_invalid(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    for event in ("meeting:get", "meeting:join", "meeting:leave"):
        for payload, code, name in [
            *not_object_payloads(),
            ({}, "invalid", "meeting_id"),
            ({"meeting_id": "1"}, "invalid", "meeting_id"),
            ({"meeting_id": 1.5}, "invalid", "meeting_id"),
            ({"meeting_id": True}, "invalid", "meeting_id"),
            ({"meeting_id": mid, "full": True}, "invalid", "full"),
        ]:
            err = await sc.error(event, payload, code)
            assert name in err["details"], (event, payload, err)


async def test_an_id_beyond_the_database_range_is_not_an_internal_error(clients: Live) -> None:
    """A JSON number too big for the id column must be refused cleanly (not_found or invalid),
    never `internal`."""
    c = await clients.client(await clients.person())
    for event, payload in [
        ("meeting:get", {"meeting_id": 2**63}),
        ("meeting:join", {"meeting_id": 2**70}),
        ("agenda:remove", {"item_id": 2**63}),
        ("user:update", {"user_id": 2**63, "full_name": "X"}),
    ]:
        ack = await c.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] in {
            "not_found",
            "invalid",
            "forbidden",
        }, (event, ack)


async def test_join_subscribes_and_checks_in_while_in_progress(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    watcher = await clients.client(m["secretary"])
    snap0 = await watcher.ok("meeting:join", {"meeting_id": mid})
    watcher.mark()
    d0 = m["delegates"][0]
    dc = await clients.client(d0)
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    me = participant(snap, d0.id)
    assert me["present"] is True and me["checked_in_at"]
    # The watcher (the secretary) was checked in by joining; now the delegate is too.
    assert snap0["summary"]["present"] == 1
    assert snap["summary"]["present"] == 2 and snap["seq"] == snap0["seq"] + 1
    pushed = await watcher.push("participants:updated", lambda d: d["meeting_id"] == mid)
    assert participant(pushed, d0.id)["present"] is True and pushed["seq"] == snap["seq"]
    # Joining again does not check in twice (no change, no seq).
    again = await dc.ok("meeting:join", {"meeting_id": mid})
    assert again["seq"] == snap["seq"]
    # A joined socket receives the meeting's pushes; after leaving it no longer does.
    await dc.ok("meeting:leave", {"meeting_id": mid})
    dc.mark()
    await sc.ok("meeting:update", {"meeting_id": mid, "title": "Sau khi rời"})
    left_seq = (await watcher.push("meeting:updated", lambda d: d["title"] == "Sau khi rời"))["seq"]
    await dc.ok("meeting:join", {"meeting_id": mid})
    await sc.ok("meeting:update", {"meeting_id": mid, "title": "Sau khi vào lại"})
    back = await dc.push("meeting:updated", lambda d: d["meeting_id"] == mid)
    assert back["title"] == "Sau khi vào lại"  # the first push it gets is the later change
    assert left_seq not in [d["seq"] for d in dc.seen("meeting:updated")]


async def test_join_before_the_start_does_not_check_in(clients: Live) -> None:
    m = await meeting_with(clients)
    d = m["delegates"][0]
    dc = await clients.client(d)
    snap = await dc.ok("meeting:join", {"meeting_id": m["meeting_id"]})
    assert participant(snap, d.id)["present"] is False and snap["my_role"] == "delegate"
    assert snap["summary"]["present"] == 0
