"""Pushes, checked the way Zulip checks its events (test_events.py):

- every push a client receives during a long scenario matches its schema (push_schemas.py),
  carries `meeting_id`, and the state pushes carry a `seq` that grows by one per change;
- applying the pushes, in order, to a snapshot taken at the start gives the same state as a
  fresh `meeting:join` at the end — for a secretary who joined the draft and for a delegate who
  joined later.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any

from tests.core.push_schemas import STATE_PUSHES, check_push
from tests.core.util import STATE_KEYS, admin, apply_participants, organizer, state, times
from tests.live import Client, Live, Person


class RoleChanged(Exception):
    """The client's own role changed: what it may see changed too, so it joins again."""

    def __init__(self, seq: int) -> None:
        self.seq = seq


def apply_pushes(
    snapshot: dict[str, Any], pushes: list[tuple[str, Any]], meeting_id: int, me: int = 0
) -> dict[str, Any]:
    """What a client does: ignore what the snapshot already holds (seq <= its seq), apply the
    rest in order, and insist there is no gap; a push changing its own role makes it rejoin."""
    out = copy.deepcopy(snapshot)
    base = snapshot["seq"]
    for event, data in pushes:
        if event not in STATE_PUSHES or data["meeting_id"] != meeting_id or data["seq"] <= base:
            continue
        assert data["seq"] in (out["seq"], out["seq"] + 1), (
            f"gap: at seq {out['seq']} got {event} {data['seq']}"
        )
        if event == "meeting:updated":
            out.update({k: v for k, v in data.items() if k != "meeting_id"})
        elif event == "agenda:updated":
            out["agenda"] = data["items"]
        elif event == "participants:updated":
            if any(
                p["user_id"] == me and p["role"] != out["my_role"] for p in data["participants"]
            ):
                raise RoleChanged(data["seq"])
            apply_participants(out, data)
        out["seq"] = data["seq"]
    return out


def assert_same_state(applied: dict[str, Any], fresh: dict[str, Any], who: str) -> None:
    """Key by key, so that a failure names what the pushes missed."""
    for key in STATE_KEYS:
        if key == "agenda":
            got = [(i["id"], i["title"], i["status"]) for i in applied[key]]
            want = [(i["id"], i["title"], i["status"]) for i in fresh[key]]
            assert got == want, f"{who}: agenda from pushes {got} != fresh {want}"
        assert applied[key] == fresh[key], f"{who}: {key!r} from pushes differs from a fresh join"
    assert state(applied) == state(fresh)


@dataclass
class Scenario:
    meeting_id: int
    people: dict[str, Person]
    clients: dict[str, Client]
    snapshots: dict[str, dict[str, Any]]  # the snapshot each watcher took when it joined


async def run_scenario(live: Live) -> Scenario:
    """A meeting's whole life, driven by staff and delegates through the real actions."""
    _, adm = await admin(live)
    unit = await adm.ok("unit:create", {"name": "Huyện Kịch Bản", "kind": "district"})
    commune = await adm.ok(
        "unit:create", {"name": "Xã Kịch Bản", "kind": "commune", "parent_id": unit["id"]}
    )
    sec, sc = await organizer(live)
    people = {
        "secretary": sec,
        "chair": await live.person("chutich"),
        "d0": await live.person("daibieu"),
        "d1": await live.person("daibieu"),
        "d2": await live.person("daibieu"),
        "deputy": await live.person("thay"),
        "observer": await live.person("quansat"),
        "u0": await live.person("donvi", unit_id=unit["id"]),
        "u1": await live.person("donvi", unit_id=commune["id"]),
        "pt": await live.person("diemcau", point=True, unit_id=commune["id"]),
    }
    clients = {"secretary": sc}
    for name in ("chair", "d0", "d1", "d2", "deputy", "pt"):
        clients[name] = await live.client(people[name])
    staff_watch = await live.client(
        sec
    )  # a second socket of the secretary, watching from the draft
    clients["staff_watch"] = staff_watch
    snapshots: dict[str, dict[str, Any]] = {}

    starts, ends = times(days=2)
    m = await sc.ok(
        "meeting:create",
        {
            "title": "Kỳ họp thứ 9",
            "starts_at": starts,
            "ends_at": ends,
            "chair_id": people["chair"].id,
        },
    )
    mid = m["id"]
    snapshots["staff_watch"] = await staff_watch.ok("meeting:join", {"meeting_id": mid})
    p = lambda **kw: {"meeting_id": mid, **kw}  # noqa: E731

    # Draft: the agenda and the invitations.
    items = [await sc.ok("agenda:add", p(title=t)) for t in ("Khai mạc", "Báo cáo", "Thảo luận")]
    await sc.ok(
        "agenda:update",
        {"item_id": items[1]["id"], "presenter_id": people["d0"].id, "duration_min": 20},
    )
    await sc.ok(
        "participant:add", p(role="delegate", user_ids=[people[n].id for n in ("d0", "d1", "d2")])
    )
    await sc.ok("participant:add", p(role="observer", user_ids=[people["observer"].id]))
    await sc.ok("participant:add", p(role="delegate", unit_ids=[unit["id"]]))
    await sc.ok("participant:add", p(role="point", unit_ids=[unit["id"]]))
    await sc.ok("meeting:update", p(title="Kỳ họp thứ 9 (mở rộng)", location="Hội trường tỉnh"))
    await sc.ok("agenda:reorder", p(item_ids=[items[0]["id"], items[2]["id"], items[1]["id"]]))
    await sc.ok("meeting:publish", p())

    # Published: a delegate starts watching; answers come in.
    snapshots["d0"] = await clients["d0"].ok("meeting:join", p())
    await clients["d0"].ok("invitation:respond", p(response="accepted", note="Có mặt"))
    await clients["d1"].ok("invitation:respond", p(response="declined", note="Ốm"))
    await clients["d2"].ok(
        "invitation:respond", p(response="delegated", substitute_id=people["deputy"].id)
    )
    await clients["deputy"].ok("invitation:respond", p(response="accepted"))
    await clients["pt"].ok("invitation:respond", p(response="accepted"))
    await sc.ok("participant:remove", p(user_id=people["u1"].id))
    await sc.ok("attendance:mark", p(user_id=people["d1"].id, present=True))
    s2, e2 = times(days=3, hours=4)
    await sc.ok("meeting:update", p(starts_at=s2, ends_at=e2, description="Dời sang ngày kia"))
    await sc.ok("agenda:remove", {"item_id": items[2]["id"]})
    await sc.ok("agenda:add", p(title="Điểm danh", position=1))
    await clients["d1"].ok("invitation:respond", p(response="accepted"))  # changed their mind
    await sc.ok("meeting:update", p(chair_id=people["d0"].id))  # the chair changes: d0 presides

    # In progress: joining checks people in; the new chair leads the agenda.
    await sc.ok("meeting:start", p())
    for name in ("chair", "pt", "deputy"):
        await clients[name].ok("meeting:join", p())
    agenda = (await sc.ok("meeting:get", p()))["agenda"]
    await clients["d0"].ok("agenda:activate", {"item_id": agenda[0]["id"]})
    await clients["d0"].ok("agenda:activate", {"item_id": agenda[1]["id"]})
    await sc.ok("attendance:mark", p(user_id=people["d1"].id, present=False))
    await sc.ok("agenda:update", {"item_id": agenda[2]["id"], "title": "Báo cáo (sửa)"})
    await sc.ok("meeting:end", p())
    # Every watcher has received everything once it sees the meeting end.
    for name in ("staff_watch", "d0"):
        await clients[name].push(
            "meeting:updated", lambda d: d["meeting_id"] == mid and d["status"] == "ended"
        )
    return Scenario(mid, people, clients, snapshots)


async def test_every_push_matches_its_schema_and_seq_grows_by_one(clients: Live) -> None:
    sc = await run_scenario(clients)
    seen_events: set[str] = set()
    for name, client in sc.clients.items():
        last: int | None = None
        for event, data in client.pushes:
            check_push(event, data)
            seen_events.add(event)
            if event in STATE_PUSHES:
                assert data["meeting_id"] == sc.meeting_id
                if last is not None:
                    # One change may push several events (same seq); never a gap or a step back.
                    assert data["seq"] - last in (0, 1), (
                        f"{name}: seq {last} then {data['seq']} ({event})"
                    )
                last = data["seq"]
    assert seen_events == {
        "meeting:updated",
        "agenda:updated",
        "participants:updated",
        "notification",
    }
    # Watchers saw every change from their join to the end, one seq each.
    for name in ("staff_watch", "d0"):
        seqs = sorted({d["seq"] for e, d in sc.clients[name].pushes if e in STATE_PUSHES})
        first = sc.snapshots[name]["seq"] + 1
        assert seqs == list(range(first, first + len(seqs)))
    # The notification kinds the scenario must have produced reached their people.
    kinds = {d["kind"] for e, d in sc.clients["d0"].pushes if e == "notification"}
    assert {"invitation", "meeting_changed"} <= kinds
    deputy_notes = [d for e, d in sc.clients["deputy"].pushes if e == "notification"]
    assert deputy_notes and deputy_notes[0]["kind"] == "invitation"


async def test_pushes_applied_to_an_old_snapshot_give_a_fresh_snapshot(clients: Live) -> None:
    sc = await run_scenario(clients)
    mid = sc.meeting_id
    for name in ("staff_watch", "d0"):
        client = sc.clients[name]
        old = sc.snapshots[name]
        me = (await client.ok("user:me", {}))["id"]
        try:
            applied = apply_pushes(old, client.pushes, mid, me)
        except RoleChanged as changed:
            # d0 became the chair: a resume from before that is a snapshot (the staff's view).
            assert name == "d0"
            again = await client.ok(
                "meeting:join", {"meeting_id": mid, "since_seq": changed.seq - 1}
            )
            assert again["resumed"] is False and again["my_role"] == "chair"
            continue
        fresh = await client.ok("meeting:join", {"meeting_id": mid})
        assert_same_state(applied, fresh, name)
        last_seq = max(d["seq"] for e, d in client.pushes if e in STATE_PUSHES)
        assert fresh["seq"] == last_seq == applied["seq"]
        assert old["seq"] < fresh["seq"]
    # The end state is what the scenario did.
    fresh = await sc.clients["staff_watch"].ok("meeting:get", {"meeting_id": mid})
    assert fresh["status"] == "ended" and fresh["chair_id"] == sc.people["d0"].id
    assert (
        fresh["title"] == "Kỳ họp thứ 9 (mở rộng)" and fresh["description"] == "Dời sang ngày kia"
    )
    assert [i["title"] for i in fresh["agenda"]] == ["Điểm danh", "Khai mạc", "Báo cáo (sửa)"]
    assert [i["status"] for i in fresh["agenda"]] == ["done", "done", "pending"]
    roles = {p["user_id"]: (p["role"], p["response"], p["present"]) for p in fresh["participants"]}
    people = sc.people
    assert roles[people["d0"].id][0] == "chair" and roles[people["chair"].id] == (
        "delegate",
        "pending",
        True,
    )
    assert roles[people["deputy"].id] == ("delegate", "accepted", True)
    assert roles[people["d2"].id] == ("delegate", "delegated", False)
    assert roles[people["pt"].id] == ("point", "accepted", True)
    assert people["u1"].id not in roles and roles[people["u0"].id] == ("delegate", "pending", False)
    assert set(STATE_KEYS) <= set(fresh)


async def test_a_joining_delegate_who_is_checked_in_gets_a_consistent_snapshot(
    clients: Live,
) -> None:
    """Joining a live meeting is itself a change (the check-in): the snapshot holds it and its
    seq is the seq of the push that announces it."""
    _, sc = await organizer(clients)
    chair, d = await clients.person("chutich"), await clients.person("daibieu")
    starts, ends = times()
    m = await sc.ok(
        "meeting:create",
        {"title": "Họp", "starts_at": starts, "ends_at": ends, "chair_id": chair.id},
    )
    mid = m["id"]
    await sc.ok("participant:add", {"meeting_id": mid, "role": "delegate", "user_ids": [d.id]})
    await sc.ok("meeting:publish", {"meeting_id": mid})
    await sc.ok("meeting:start", {"meeting_id": mid})
    dc = await clients.client(d)
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    own = await dc.push("participants:updated", lambda x: x["meeting_id"] == mid)
    assert own["seq"] == snap["seq"]
    mine = [p for p in snap["participants"] if p["user_id"] == d.id]
    assert own["participants"] == mine and own["summary"] == snap["summary"]
    assert apply_pushes(snap, dc.pushes, mid) == snap  # nothing to apply: the snapshot holds it


async def test_concurrent_changes_get_distinct_consecutive_seqs_in_order(clients: Live) -> None:
    """Several people act on one meeting at once: every change gets its own seq, a watcher
    receives them in seq order with no gap, and applying them gives the fresh state."""
    sec, sc = await organizer(clients)
    chair = await clients.person("chutich")
    dels = [await clients.person("daibieu") for _ in range(6)]
    starts, ends = times()
    mid = (
        await sc.ok(
            "meeting:create",
            {"title": "Đồng thời", "starts_at": starts, "ends_at": ends, "chair_id": chair.id},
        )
    )["id"]
    await sc.ok(
        "participant:add", {"meeting_id": mid, "role": "delegate", "user_ids": [x.id for x in dels]}
    )
    await sc.ok("meeting:publish", {"meeting_id": mid})
    watcher = await clients.client(sec)
    snap = await watcher.ok("meeting:join", {"meeting_id": mid})
    dcs = [await clients.client(x) for x in dels]
    cc = await clients.client(chair)
    calls = [c.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"}) for c in dcs]
    calls += [sc.ok("agenda:add", {"meeting_id": mid, "title": f"Mục {i}"}) for i in range(4)]
    calls += [
        cc.ok("attendance:mark", {"meeting_id": mid, "user_id": x.id, "present": True})
        for x in dels[:3]
    ]
    calls += [sc.ok("meeting:update", {"meeting_id": mid, "location": "Phòng 2"})]
    await asyncio.gather(*calls)
    expected_last = snap["seq"] + len(calls)
    await wait_for_seq(watcher, expected_last)
    seqs = [d["seq"] for e, d in watcher.pushes if e in STATE_PUSHES]
    assert sorted(set(seqs)) == list(range(snap["seq"] + 1, expected_last + 1)), seqs
    assert seqs == sorted(seqs), f"pushes arrived out of seq order: {seqs}"
    fresh = await watcher.ok("meeting:get", {"meeting_id": mid})
    assert fresh["seq"] == expected_last
    assert_same_state(apply_pushes(snap, watcher.pushes, mid), fresh, "watcher")


async def wait_for_seq(client: Client, seq: int) -> None:
    """Wait until a state push carrying `seq` has reached `client` (whichever event it is)."""

    def arrived() -> bool:
        return any(d.get("seq") == seq for e, d in client.pushes if e in STATE_PUSHES)

    async with asyncio.timeout(10):
        async with client._arrived:
            while not arrived():
                await client._arrived.wait()
