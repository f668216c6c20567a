"""attendance:mark — check-in by hand for people in the hall."""

from __future__ import annotations

from tests.core.util import assert_refused_unchanged, not_object_payloads, participant
from tests.live import Live, meeting_with


async def test_staff_check_people_in_and_out(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d = m["delegates"][0]
    dc = await clients.client(d)
    watcher = await clients.client(m["delegates"][1])
    snap = await watcher.ok("meeting:join", {"meeting_id": mid})
    watcher.mark()
    out = await sc.ok("attendance:mark", {"meeting_id": mid, "user_id": d.id, "present": True})
    seat = participant(out, d.id)
    assert seat["present"] is True and seat["checked_in_at"]
    assert out["summary"]["present"] == snap["summary"]["present"] + 1
    pushed = await watcher.push("participants:updated", lambda x: x["meeting_id"] == mid)
    assert participant(pushed, d.id)["present"] is True and pushed["seq"] == snap["seq"] + 1
    assert pushed["summary"] == out["summary"]
    # The person sees themselves checked in.
    mine = participant(await dc.ok("meeting:get", {"meeting_id": mid}), d.id)
    assert mine["present"] is True
    # The chair (staff) may check someone out again.
    cc = await clients.client(m["chair"])
    out = await cc.ok("attendance:mark", {"meeting_id": mid, "user_id": d.id, "present": False})
    assert (
        participant(out, d.id)["present"] is False
        and participant(out, d.id)["checked_in_at"] is None
    )
    pushed = await watcher.push("participants:updated", lambda x: x["meeting_id"] == mid)
    assert pushed["seq"] == snap["seq"] + 2 and participant(pushed, d.id)["present"] is False


async def test_check_in_before_the_start_is_allowed(clients: Live) -> None:
    m = await meeting_with(clients)
    d = m["delegates"][0]
    out = await m["secretary_client"].ok(
        "attendance:mark", {"meeting_id": m["meeting_id"], "user_id": d.id, "present": True}
    )
    assert participant(out, d.id)["present"] is True


async def test_mark_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=2)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d, other = m["delegates"]
    stranger = await clients.person("la")
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "attendance:mark",
        [
            *not_object_payloads(),
            ({"meeting_id": mid, "user_id": d.id}, "invalid", "present"),
            ({"meeting_id": mid, "user_id": d.id, "present": "yes"}, "invalid", "present"),
            ({"meeting_id": mid, "user_id": d.id, "present": 1}, "invalid", "present"),
            ({"meeting_id": mid, "user_id": str(d.id), "present": True}, "invalid", "user_id"),
            ({"meeting_id": mid, "present": True}, "invalid", "user_id"),
            ({"meeting_id": mid, "user_id": d.id, "present": True, "at": "now"}, "invalid", "at"),
            # Someone not invited cannot be checked in.
            ({"meeting_id": mid, "user_id": stranger.id, "present": True}, "not_found", None),
        ],
    )
    dc = await clients.client(d)
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "attendance:mark",
        [({"meeting_id": mid, "user_id": other.id, "present": True}, "forbidden", None)],
    )
    # Not even oneself: joining is how a delegate checks in.
    await assert_refused_unchanged(
        dc,
        sc,
        mid,
        "attendance:mark",
        [({"meeting_id": mid, "user_id": d.id, "present": True}, "forbidden", None)],
    )
    sc2 = await clients.client(stranger)
    await assert_refused_unchanged(
        sc2,
        sc,
        mid,
        "attendance:mark",
        [({"meeting_id": mid, "user_id": d.id, "present": True}, "not_found", None)],
    )
    await sc.ok("meeting:end", {"meeting_id": mid})
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "attendance:mark",
        [({"meeting_id": mid, "user_id": d.id, "present": True}, "conflict", None)],
    )


async def test_no_check_in_on_a_draft(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d = m["delegates"][0]
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "attendance:mark",
        [({"meeting_id": mid, "user_id": d.id, "present": True}, "conflict", None)],
    )
