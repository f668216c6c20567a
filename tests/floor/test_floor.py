"""The floor over real clients: queue order, grant, next, end; refusals by role and state."""

from __future__ import annotations

from datetime import datetime, timedelta

from meeting.floor.actions import FloorChanged
from tests.floor.common import table
from tests.live import Live
from tests.signal_log import SignalLog


def changes(live: Live, mid: int) -> list[int | None]:
    """The speakers FloorChanged announced for the meeting, in order (the session server is
    built with tests/signal_log.py)."""
    seen = live.server.state(SignalLog).seen
    return [s.speaker_id for s in seen if isinstance(s, FloorChanged) and s.meeting_id == mid]


async def test_queue_grant_next_end(clients: Live) -> None:
    t = await table(clients)
    d0, d1 = t.delegates
    c0, c1 = t.del_c
    assert t.snapshots["d0"]["floor"] == {"speaker": None, "queue": []}

    r0 = await c0.ok("floor:request", {"meeting_id": t.meeting_id, "topic": "Về ngân sách"})
    r1 = await c1.ok("floor:request", {"meeting_id": t.meeting_id})
    rp = await t.point_c.ok("floor:request", {"meeting_id": t.meeting_id, "topic": "Ý kiến xã"})
    state = await t.chair_c.push("floor:state", lambda s: len(s["queue"]) == 3)
    assert [q["user_id"] for q in state["queue"]] == [d0.id, d1.id, t.point.id]
    assert [q["request_id"] for q in state["queue"]] == [
        r0["request_id"],
        r1["request_id"],
        rp["request_id"],
    ]
    assert state["queue"][0]["topic"] == "Về ngân sách"
    assert state["queue"][0]["agenda_item_id"] == t.item_id  # the active item
    assert state["queue"][0]["full_name"] == d0.user.full_name
    assert state["speaker"] is None
    assert isinstance(state["seq"], int)

    # One open request per person.
    await c0.error("floor:request", {"meeting_id": t.meeting_id}, "conflict")

    # Grant with a time limit: a deadline, not a ticking counter.
    t.obs_c.mark()
    granted = await t.chair_c.ok(
        "floor:grant", {"request_id": r0["request_id"], "time_limit_s": 120}
    )
    assert granted["speaker"]["user_id"] == d0.id
    seen = await t.obs_c.push("floor:state", lambda s: s["speaker"] is not None)
    sp = seen["speaker"]
    assert sp["request_id"] == r0["request_id"] and sp["time_limit_s"] == 120
    started = datetime.fromisoformat(sp["started_at"])
    assert datetime.fromisoformat(sp["deadline"]) == started + timedelta(seconds=120)
    assert [q["user_id"] for q in seen["queue"]] == [d1.id, t.point.id]
    # The speaker's own request cannot be requested again nor granted twice.
    await c0.error("floor:request", {"meeting_id": t.meeting_id}, "conflict")
    await t.chair_c.error("floor:grant", {"request_id": r0["request_id"]}, "conflict")

    # Granting the next ends the current speaker.
    nxt = await t.chair_c.ok("floor:grant", {"request_id": r1["request_id"]})
    assert nxt["speaker"]["user_id"] == d1.id and nxt["speaker"]["deadline"] is None
    assert [q["user_id"] for q in nxt["queue"]] == [t.point.id]
    await t.chair_c.error("floor:grant", {"request_id": r0["request_id"]}, "conflict")  # finished

    # The speaker ends their own turn; someone else may not.
    await c0.error("floor:end", {"meeting_id": t.meeting_id}, "forbidden")
    await t.point_c.error("floor:end", {"meeting_id": t.meeting_id}, "forbidden")
    ended = await c1.ok("floor:end", {"meeting_id": t.meeting_id})
    assert ended["speaker"] is None
    await t.chair_c.error("floor:end", {"meeting_id": t.meeting_id}, "conflict")  # nobody speaks

    # The first speaker may ask again now that their request is done.
    again = await c0.ok("floor:request", {"meeting_id": t.meeting_id})
    assert [q["user_id"] for q in again["queue"]] == [t.point.id, d0.id]

    await t.chair_c.ok("floor:grant", {"request_id": rp["request_id"], "time_limit_s": 60})
    await t.chair_c.ok("floor:end", {"meeting_id": t.meeting_id})
    assert changes(clients, t.meeting_id) == [d0.id, d1.id, None, t.point.id, None]

    # A fresh snapshot agrees with the pushes.
    snap = await c1.ok("meeting:get", {"meeting_id": t.meeting_id})
    last = c1.seen("floor:state")[-1]
    assert snap["floor"] == {"speaker": last["speaker"], "queue": last["queue"]}
    assert snap["seq"] == last["seq"]


async def test_withdraw_and_reject(clients: Live) -> None:
    t = await table(clients)
    c0, c1 = t.del_c
    r0 = await c0.ok("floor:request", {"meeting_id": t.meeting_id})
    r1 = await c1.ok("floor:request", {"meeting_id": t.meeting_id})
    # Only the requester withdraws.
    await c1.error("floor:withdraw", {"request_id": r0["request_id"]}, "forbidden")
    await t.chair_c.error("floor:withdraw", {"request_id": r0["request_id"]}, "forbidden")
    state = await c0.ok("floor:withdraw", {"request_id": r0["request_id"]})
    assert [q["request_id"] for q in state["queue"]] == [r1["request_id"]]
    await c0.error("floor:withdraw", {"request_id": r0["request_id"]}, "conflict")
    await t.chair_c.error("floor:grant", {"request_id": r0["request_id"]}, "conflict")  # withdrawn

    c1.mark()
    state = await t.chair_c.ok(
        "floor:reject", {"request_id": r1["request_id"], "reason": "Đã hết thời gian"}
    )
    assert state["queue"] == []
    note = await c1.push("notification", lambda n: n["kind"] == "floor_rejected")
    assert "Đã hết thời gian" in note["text"]
    await t.chair_c.error("floor:grant", {"request_id": r1["request_id"]}, "conflict")  # rejected
    await t.chair_c.error("floor:reject", {"request_id": r1["request_id"]}, "conflict")
    assert changes(clients, t.meeting_id) == []


async def test_roles_refused(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    # Who may request: delegates, points, secretaries. Not observers, not the chair.
    await t.obs_c.error("floor:request", {"meeting_id": mid}, "forbidden")
    await t.chair_c.error("floor:request", {"meeting_id": mid}, "forbidden")
    await t.outsider_c.error("floor:request", {"meeting_id": mid}, "not_found")
    rs = await t.sec_c.ok("floor:request", {"meeting_id": mid, "topic": "Thư ký báo cáo"})
    rd = await t.del_c[0].ok("floor:request", {"meeting_id": mid})
    # Only the chair grants, rejects.
    for c in (t.sec_c, t.del_c[0], t.del_c[1], t.point_c, t.obs_c):
        await c.error("floor:grant", {"request_id": rd["request_id"]}, "forbidden")
        await c.error("floor:reject", {"request_id": rd["request_id"]}, "forbidden")
    await t.outsider_c.error("floor:grant", {"request_id": rd["request_id"]}, "not_found")
    await t.chair_c.ok("floor:grant", {"request_id": rs["request_id"]})
    # Chair, or the current speaker (here the secretary), ends; nobody else.
    for c in (t.del_c[0], t.point_c, t.obs_c):
        await c.error("floor:end", {"meeting_id": mid}, "forbidden")
    await t.sec_c.ok("floor:end", {"meeting_id": mid})


async def test_bad_input(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    c = t.del_c[0]
    await c.error("floor:request", {"meeting_id": str(mid)}, "invalid")
    await c.error("floor:request", {"meeting_id": mid, "extra": 1}, "invalid")
    await c.error("floor:request", {"meeting_id": mid, "topic": "x" * 501}, "invalid")
    await c.error("floor:request", [mid], "invalid")
    err = await c.error("floor:request", {"meeting_id": mid, "agenda_item_id": 10**9}, "invalid")
    assert "agenda_item_id" in err["details"]
    await c.error("floor:withdraw", {"request_id": 10**9}, "not_found")
    r = await c.ok("floor:request", {"meeting_id": mid})
    await t.chair_c.error(
        "floor:grant", {"request_id": r["request_id"], "time_limit_s": -5}, "invalid"
    )
    await t.chair_c.error(
        "floor:grant", {"request_id": r["request_id"], "time_limit_s": "60"}, "invalid"
    )
    # Not while the meeting is not running.
    await t.sec_c.ok("meeting:end", {"meeting_id": mid})
    await t.chair_c.error("floor:grant", {"request_id": r["request_id"]}, "conflict")
    await t.del_c[1].error("floor:request", {"meeting_id": mid}, "conflict")


async def test_meeting_end_closes_the_floor(clients: Live) -> None:
    t = await table(clients)
    r0 = await t.del_c[0].ok("floor:request", {"meeting_id": t.meeting_id})
    await t.del_c[1].ok("floor:request", {"meeting_id": t.meeting_id})
    await t.chair_c.ok("floor:grant", {"request_id": r0["request_id"]})
    t.obs_c.mark()
    await t.sec_c.ok("meeting:end", {"meeting_id": t.meeting_id})
    state = await t.obs_c.push("floor:state")
    assert state["speaker"] is None and state["queue"] == []
    assert changes(clients, t.meeting_id) == [t.delegates[0].id, None]
    snap = await t.obs_c.ok("meeting:get", {"meeting_id": t.meeting_id})
    assert snap["seq"] == state["seq"] and snap["floor"] == {"speaker": None, "queue": []}
