"""Votes over real clients: who may do what, live counts for staff, results at close, and a
secret vote that links no person to a choice in the database itself."""

from __future__ import annotations

from collections import Counter

from tortoise import connections

from tests.floor.common import table
from tests.live import Live, meeting_with


async def test_named_vote(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    c0, c1 = t.del_c
    # Staff create; others may not.
    await c0.error("poll:create", {"meeting_id": mid, "question": "?"}, "forbidden")
    await t.obs_c.error("poll:create", {"meeting_id": mid, "question": "?"}, "forbidden")
    poll = await t.sec_c.ok(
        "poll:create",
        {"meeting_id": mid, "question": "Thông qua báo cáo?", "agenda_item_id": t.item_id},
    )
    pid = poll["poll_id"]
    assert poll["options"] == ["Tán thành", "Không tán thành", "Không biểu quyết"]
    assert poll["status"] == "draft" and poll["secret"] is False
    # Voting before open.
    await c0.error("poll:vote", {"poll_id": pid, "option": 0}, "conflict")
    # Only the chair opens and closes.
    await t.sec_c.error("poll:open", {"poll_id": pid}, "forbidden")
    await c0.error("poll:open", {"poll_id": pid}, "forbidden")
    opened = await t.chair_c.ok("poll:open", {"poll_id": pid})
    assert opened["status"] == "open" and opened["counts"] == [0, 0, 0]
    assert opened["eligible"] == 4  # chair, two delegates and the point, all present
    await t.chair_c.error("poll:open", {"poll_id": pid}, "conflict")

    t.sec_c.mark()
    c1.mark()
    await c0.ok("poll:vote", {"poll_id": pid, "option": 0})
    # Everyone sees how many voted, staff see the count.
    pub = await c1.push("poll:state", lambda s: s["voted"] == 1)
    assert pub["counts"] is None and "votes" not in pub
    staff = await t.sec_c.push("poll:state", lambda s: s["voted"] == 1 and s["counts"] is not None)
    assert staff["counts"] == [1, 0, 0]
    assert staff["seq"] == pub["seq"]

    # Twice, out of range, wrong type, unknown poll, non-voters.
    await c0.error("poll:vote", {"poll_id": pid, "option": 1}, "conflict")
    await c1.error("poll:vote", {"poll_id": pid, "option": 3}, "invalid")
    await c1.error("poll:vote", {"poll_id": pid, "option": -1}, "invalid")
    await c1.error("poll:vote", {"poll_id": pid, "option": "1"}, "invalid")
    await c1.error("poll:vote", {"poll_id": 10**9, "option": 1}, "not_found")
    await t.obs_c.error("poll:vote", {"poll_id": pid, "option": 0}, "forbidden")
    await t.sec_c.error("poll:vote", {"poll_id": pid, "option": 0}, "forbidden")
    await t.outsider_c.error("poll:vote", {"poll_id": pid, "option": 0}, "not_found")
    await c1.ok("poll:vote", {"poll_id": pid, "option": 1})
    await t.chair_c.ok("poll:vote", {"poll_id": pid, "option": 0})

    # A delegate's snapshot while open: the number voted, no counts.
    snap = await c1.ok("meeting:get", {"meeting_id": mid})
    (p,) = snap["polls"]
    assert p["voted"] == 3 and p["counts"] is None
    snap = await t.sec_c.ok("meeting:get", {"meeting_id": mid})
    assert snap["polls"][0]["counts"] == [2, 1, 0]

    await t.sec_c.error("poll:close", {"poll_id": pid}, "forbidden")
    c1.mark()
    closed = await t.chair_c.ok("poll:close", {"poll_id": pid})
    assert closed["status"] == "closed" and closed["counts"] == [2, 1, 0]
    assert closed["eligible"] == 4 and closed["voted"] == 3
    result = await c1.push("poll:state", lambda s: s["status"] == "closed")
    assert result["counts"] == [2, 1, 0]
    by_user = {v["user_id"]: v["option"] for v in result["votes"]}
    assert by_user == {t.delegates[0].id: 0, t.delegates[1].id: 1, t.chair.id: 0}
    # After close: no vote, and the eligible count stays frozen.
    await t.point_c.error("poll:vote", {"poll_id": pid, "option": 0}, "conflict")
    await t.chair_c.error("poll:close", {"poll_id": pid}, "conflict")
    await t.sec_c.ok(
        "attendance:mark", {"meeting_id": mid, "user_id": t.point.id, "present": False}
    )
    snap = await t.obs_c.ok("meeting:get", {"meeting_id": mid})
    assert snap["polls"][0]["eligible"] == 4 and snap["polls"][0]["counts"] == [2, 1, 0]


async def test_poll_bad_input(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    await t.sec_c.error("poll:create", {"meeting_id": mid, "question": ""}, "invalid")
    await t.sec_c.error(
        "poll:create", {"meeting_id": mid, "question": "?", "options": ["Một"]}, "invalid"
    )
    await t.sec_c.error(
        "poll:create", {"meeting_id": mid, "question": "?", "options": ["A", "A"]}, "invalid"
    )
    await t.sec_c.error(
        "poll:create", {"meeting_id": mid, "question": "?", "secret": "yes"}, "invalid"
    )
    await t.sec_c.error(
        "poll:create", {"meeting_id": mid, "question": "?", "agenda_item_id": 10**9}, "invalid"
    )
    poll = await t.sec_c.ok(
        "poll:create", {"meeting_id": mid, "question": "Chọn phương án", "options": ["A", "B"]}
    )
    assert poll["options"] == ["A", "B"]


async def test_secret_vote_links_no_person_to_a_choice(clients: Live) -> None:
    t = await table(clients, delegates=3)
    mid = t.meeting_id
    poll = await t.sec_c.ok(
        "poll:create", {"meeting_id": mid, "question": "Bầu bí mật", "secret": True}
    )
    pid = poll["poll_id"]
    await t.chair_c.ok("poll:open", {"poll_id": pid})
    choices = {t.del_c[0]: 0, t.del_c[1]: 1, t.del_c[2]: 0, t.point_c: 2, t.chair_c: 1}
    for c, option in choices.items():
        await c.ok("poll:vote", {"poll_id": pid, "option": option})
    await t.del_c[0].error("poll:vote", {"poll_id": pid, "option": 1}, "conflict")
    closed = await t.chair_c.ok("poll:close", {"poll_id": pid})
    assert closed["counts"] == [2, 2, 1] and closed["voted"] == 5
    assert "votes" not in closed

    # The database itself, by raw SQL: who voted is known, what they voted is not linked.
    conn = connections.get("default")
    voters = await conn.execute_query_dict(f"SELECT * FROM poll_voter WHERE poll_id = {int(pid)}")
    # no choice next to a person (seat_id: the member whose seat voted, issue 11)
    assert set(voters[0]) == {"id", "poll_id", "user_id", "seat_id"}
    expected = {t.delegates[0].id, t.delegates[1].id, t.delegates[2].id, t.point.id, t.chair.id}
    assert {v["user_id"] for v in voters} == expected
    ballots = await conn.execute_query_dict(f"SELECT * FROM ballot WHERE poll_id = {int(pid)}")
    assert set(ballots[0]) == {"id", "poll_id", "option", "user_id"}
    assert all(b["user_id"] is None for b in ballots)  # no person next to a choice
    assert Counter(b["option"] for b in ballots) == Counter(choices.values())
    # Ballot keys are random (not counters that could be lined up with poll_voter ids).
    assert all(not str(b["id"]).isdigit() for b in ballots)


async def test_snapshot_tells_each_voter_whether_they_voted(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=2)
    mid = m["meeting_id"]
    chair = await clients.client(m["chair"])
    poll = await m["secretary_client"].ok(
        "poll:create", {"meeting_id": mid, "question": "Bỏ phiếu kín?", "secret": True}
    )
    await chair.ok("poll:open", {"poll_id": poll["poll_id"]})
    voter, other = [await clients.client(d) for d in m["delegates"]]
    await voter.ok("poll:vote", {"poll_id": poll["poll_id"], "option": 0})
    mine = next(
        p
        for p in (await voter.ok("meeting:join", {"meeting_id": mid}))["polls"]
        if p["poll_id"] == poll["poll_id"]
    )
    theirs = next(
        p
        for p in (await other.ok("meeting:join", {"meeting_id": mid}))["polls"]
        if p["poll_id"] == poll["poll_id"]
    )
    assert mine["i_voted"] is True and theirs["i_voted"] is False
    assert mine["voted"] == theirs["voted"] == 1
