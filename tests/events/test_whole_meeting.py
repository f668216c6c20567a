"""One whole meeting over real clients, checked the way Zulip checks its events (test_events.py).

The secretary creates a meeting, invites delegates and a connection point, uploads documents
(over HTTP), publishes and starts it; the chair leads the agenda, presents documents (a new
version follows the presented page), gives the floor (grant, next, end, reject), runs a named
and a secret vote; delegates write opinions and private notes; a hall connects its media; the
secretary drafts and publishes the conclusions; the meeting ends.

Three watchers record every push: a staff socket joined from the draft, a delegate joined from
publication, and a delegate who joins half-way (during a vote). Then:

- every push any client received matches its schema (tests/events/schemas.py);
- `seq` follows the API page: pushes carrying it never go back and never skip; staff-only and
  single-user pushes carry the current seq without raising it; each change raises it by exactly
  one, shared by all of its pushes; the staff view of poll:state follows the public one;
- after EVERY step, each watcher's state, built from its join snapshot plus the pushes in
  order, equals a fresh snapshot (meeting:get; meeting:join at the end), key by key.

Differences are collected (not stopped at) so that one run names every step where pushes and
the snapshot part ways; after a difference the watcher resynchronises from the fresh snapshot,
as a client that saw a gap would, so each difference is reported at the step that caused it.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from tests.core.util import apply_participants
from tests.docs.helpers import download, uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.events.schemas import NO_BUMP_PUSHES, PUSH_SCHEMAS, SEQ_PUSHES, check_push
from tests.live import Client, Live, Person
from tests.rtc.rtc_peers import GREEN, RED
from tests.rtc.rtc_peers import Client as Hall

WAIT_S = 10  # how long a push that should come may take


# --- what a client does with pushes -------------------------------------------------------------


def _conclusion_order(model: dict[str, Any]) -> None:
    """Conclusions in agenda order, the overall one (no item) last — the snapshot's order."""
    pos = {i["id"]: i["position"] for i in model["agenda"]}
    model["conclusions"].sort(
        key=lambda c: (c["agenda_item_id"] is None, pos.get(c["agenda_item_id"], 0), c["id"])
    )


def apply_push(
    model: dict[str, Any], event: str, data: dict[str, Any], my_votes: set[int]
) -> str | None:
    """Apply one push to a client's state; returns a complaint when its seq is a gap."""
    if event in SEQ_PUSHES:
        if data["meeting_id"] != model["id"]:
            return None
        if data["seq"] < model["seq"]:
            return None  # stale: the state already holds it
        if data["seq"] > model["seq"] + 1:
            return f"gap: state at seq {model['seq']}, then {event} with seq {data['seq']}"
        model["seq"] = data["seq"]
    body = {k: v for k, v in data.items() if k != "seq"}
    if event == "meeting:updated":
        model.update({k: v for k, v in body.items() if k != "meeting_id"})
    elif event == "agenda:updated":
        model["agenda"] = body["items"]
        _conclusion_order(model)
    elif event == "participants:updated":
        apply_participants(model, body)
    elif event == "floor:state":
        model["floor"] = {"speaker": body["speaker"], "queue": body["queue"]}
    elif event == "poll:state":
        view = {k: v for k, v in body.items() if k != "meeting_id"}
        old = next((p for p in model["polls"] if p["poll_id"] == view["poll_id"]), None)
        if old is None:
            model["polls"].append({**view, "i_voted": view["poll_id"] in my_votes})
        else:
            old.update(view)
    elif event == "document:added":
        model["documents"] = [d for d in model["documents"] if d["id"] != body["id"]] + [body]
    elif event == "document:removed":
        model["documents"] = [d for d in model["documents"] if d["id"] != body["document_id"]]
    elif event == "document:presented":
        model["presented"] = (
            None
            if body["document_id"] is None
            else {k: body[k] for k in ("document_id", "page", "by", "by_name", "at")}
        )
    elif event == "conclusion:updated":
        model["conclusions"] = [c for c in model["conclusions"] if c["id"] != body["id"]] + [body]
        _conclusion_order(model)
    elif event == "conclusion:published":
        # Staff follow the drafts through conclusion:updated; everyone else gets the published
        # conclusions with this push.
        if model["my_role"] not in ("chair", "secretary"):
            model["conclusions"] = body["conclusions"]
    elif event == "rtc:main":
        model["rtc"]["main"] = body["user_id"]
        model["rtc"]["source_id"] = body["source_id"]
    # opinion:added, document:opened, note:saved, notification and rtc:points change nothing
    # the snapshot holds.
    return None


def differences(got: Any, want: Any, path: str, out: list[str], limit: int = 4) -> None:
    """Where two JSON values differ, as short lines."""
    if len(out) >= limit or got == want:
        return
    if isinstance(got, dict) and isinstance(want, dict):
        for k in sorted(set(got) | set(want), key=str):
            if k not in got:
                out.append(f"{path}.{k}: absent from pushes; fresh {want[k]!r:.160}")
            elif k not in want:
                out.append(f"{path}.{k}: pushes {got[k]!r:.160}; absent from fresh")
            else:
                differences(got[k], want[k], f"{path}.{k}", out, limit)
    elif isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            differences(a, b, f"{path}[{i}]", out, limit)
    else:
        out.append(f"{path}: pushes {got!r:.200} != fresh {want!r:.200}")


# --- the watchers -------------------------------------------------------------------------------


@dataclass
class Watcher:
    name: str
    client: Client
    model: dict[str, Any]
    done: int  # pushes of client.pushes already applied
    join_seq: int
    my_votes: set[int] = field(default_factory=set)


async def wait_until(client: Client, found: Any, timeout: float = WAIT_S) -> bool:
    """Wait (on pushes, never a sleep) until found() holds; False on timeout."""
    try:
        async with asyncio.timeout(timeout):
            async with client._arrived:
                while not found():
                    await client._arrived.wait()
        return True
    except TimeoutError:
        return False


class Run:
    def __init__(self, live: Live) -> None:
        self.live = live
        self.mid = 0
        self.watchers: list[Watcher] = []
        self.problems: list[str] = []  # pushes applied to a state != the fresh snapshot
        self.seq_problems: list[str] = []  # seq does not follow the API page
        self.seq = 0  # the meeting's seq after the last step
        self.steps = 0
        # Per watcher (and per role watched by meeting:get only): its state at each seq, to
        # resume from at the end.
        self.states: dict[str, dict[int, dict[str, Any]]] = {}
        self.getters: dict[str, Client] = {}

    async def watch(self, name: str, client: Client) -> Watcher:
        start = len(client.pushes)
        snap = await client.ok("meeting:join", {"meeting_id": self.mid})
        w = Watcher(name, client, copy.deepcopy(snap), start, snap["seq"])
        self.watchers.append(w)
        self.seq = max(self.seq, snap["seq"])
        return w

    def _apply_new(self, w: Watcher, step: str) -> None:
        while w.done < len(w.client.pushes):
            event, data = w.client.pushes[w.done]
            w.done += 1
            if isinstance(data, dict) and event in SEQ_PUSHES | {"rtc:main"}:
                complaint = apply_push(w.model, event, data, w.my_votes)
                if complaint:
                    self.seq_problems.append(f"[{step}] {w.name}: {complaint}")

    async def _check_watcher(self, w: Watcher, step: str, join: bool) -> int:
        """One watcher: its state from pushes == its fresh snapshot; returns the fresh seq."""
        c = w.client
        fresh = await c.ok("meeting:join" if join else "meeting:get", {"meeting_id": self.mid})
        seq = fresh["seq"]

        def seq_arrived() -> bool:
            pending = c.pushes[w.done :]
            return w.model["seq"] >= seq or any(
                e in SEQ_PUSHES and d.get("seq", -1) >= seq for e, d in pending
            )

        if not await wait_until(c, seq_arrived):
            self.seq_problems.append(f"[{step}] {w.name}: no push with seq {seq} arrived")
        self._apply_new(w, step)
        want_main = fresh.get("rtc", {}).get("main")

        def main_arrived() -> bool:
            pending = c.pushes[w.done :]
            return any(e == "rtc:main" and d["user_id"] == want_main for e, d in pending)

        if w.model.get("rtc", {}).get("main") != want_main:
            # rtc:main is sent from a task of its own, so it may trail the ack.
            await wait_until(c, main_arrived)
            self._apply_new(w, step)
        # The staff's rtc.points are the last rtc:points pushed (link figures, not meeting state):
        # one this watcher got, or will get.
        fresh_points = fresh.get("rtc", {}).pop("points", None)
        w.model.get("rtc", {}).pop("points", None)
        if fresh_points:
            if not await wait_until(
                c, lambda: fresh_points in [d["points"] for e, d in c.pushes if e == "rtc:points"]
            ):
                self.problems.append(f"[{step}] {w.name}: rtc.points never pushed")
        for p in w.model["polls"]:
            # What the client knows from its own poll:vote acks (pushes go to everyone).
            p["i_voted"] = p.get("i_voted", False) or p["poll_id"] in w.my_votes
        found: list[str] = []
        for key in sorted(set(fresh) | set(w.model)):
            differences(w.model.get(key), fresh.get(key), key, found)
        if found:
            self.problems.append(f"[{step}] {w.name}: " + "; ".join(found))
            mine = w.my_votes
            w.model = copy.deepcopy(fresh)  # resynchronise, as a client would
            w.my_votes = mine
        return seq

    async def check(self, step: str, bump: int = 1, *, join: bool = False) -> None:
        """After one step: the meeting's seq rose by `bump`; every watcher's pushes applied to
        its state give the fresh snapshot."""
        self.steps += 1
        fresh_seqs = set()
        for w in self.watchers:
            fresh_seqs.add(await self._check_watcher(w, step, join))
        if len(fresh_seqs) != 1:
            self.seq_problems.append(
                f"[{step}] watchers' fresh snapshots disagree on seq: {fresh_seqs}"
            )
        now = max(fresh_seqs)
        # The FIRST state seen at each seq: later pushes that carry the same seq without raising
        # it (staff drafts, opinions) must then come with the resume.
        for w in self.watchers:
            self.states.setdefault(w.name, {}).setdefault(w.model["seq"], copy.deepcopy(w.model))
        for name, client in self.getters.items():
            ack = await client.call("meeting:get", {"meeting_id": self.mid})
            if ack["ok"]:
                self.states.setdefault(name, {}).setdefault(ack["data"]["seq"], ack["data"])
        if now - self.seq != bump:
            self.seq_problems.append(f"[{step}] seq rose by {now - self.seq}, expected {bump}")
        self.seq = now


async def person(live: Live, label: str, **flags: Any) -> tuple[Person, Client]:
    who = await live.person(label, **flags)
    return who, await live.client(who)


# --- the meeting --------------------------------------------------------------------------------


@dataclass
class Recorded:
    run: Run
    clients: dict[str, Client]  # every socket of the meeting, watchers and actors


@pytest.fixture(scope="module")
async def meeting(events_live: Live) -> AsyncIterator[Recorded]:
    """The whole meeting, once; the tests below check what its clients recorded."""
    live = events_live
    run = Run(live)
    sec, sc = await person(live, "thuky", organizer=True)
    chair, cc = await person(live, "chutich")
    early, ec = await person(live, "daibieu")  # joins at publication
    late, lc = await person(live, "daibieu")  # joins half-way, during the named vote
    d2, d2c = await person(live, "daibieu")
    d3, d3c = await person(live, "daibieu")
    point, pc = await person(live, "diemcau", point=True)
    cast = {
        "secretary": (sec, sc),
        "chair": (chair, cc),
        "early": (early, ec),
        "late": (late, lc),
        "d2": (d2, d2c),
        "d3": (d3, d3c),
        "point": (point, pc),
    }
    staff_watch = await live.client(sec)  # a second socket of the secretary
    everyone = {
        "staff": staff_watch,
        "early": ec,
        "late": lc,
        "secretary": sc,
        "chair": cc,
        "d2": d2c,
        "d3": d3c,
        "point": pc,
    }
    halls: list[Hall] = []
    try:
        await _meeting(live, run, cast, staff_watch, halls)
        yield Recorded(run, everyone)
    finally:
        for hall in halls:
            await hall.close()
        for c in everyone.values():
            await c.close()


def _leak(role: str, me: int, event: str, data: dict[str, Any]) -> str | None:
    """A change a non-staff caller may not see (/api §3.2: staff-only pushes, others'
    opinions)."""
    if role in ("chair", "secretary"):
        return None
    if event in ("conclusion:updated", "document:opened"):
        return f"staff-only {event}"
    if event == "poll:state" and data.get("view") == "staff":
        return "the staff view of a vote"
    if event == "opinion:added" and data["user_id"] != me:
        return "someone else's opinion"
    if event in ("note:saved", "notification") and data.get("user_id", me) != me:
        return f"someone else's {event}"
    return None


async def test_resume_from_every_seq_gives_the_fresh_snapshot_per_role(
    meeting: Recorded,
) -> None:
    """Resuming (/api §3.4): for each role, from the state it had at every seq along the meeting,
    `meeting:join {since_seq}` + applying its changes == a fresh snapshot; never a change the
    role may not see; never an empty resume that leaves the state behind."""
    run = meeting.run
    sockets = {"staff": "staff", "early": "early", "late": "late", "point": "point"}
    sockets["chair"] = "chair"
    problems: list[str] = []
    resumed = 0
    for name, states in run.states.items():
        client = meeting.clients[sockets[name]]
        fresh = await client.ok("meeting:get", {"meeting_id": run.mid})
        # What the client knows from its own poll:vote acks.
        votes = {p["poll_id"] for p in fresh["polls"] if p["i_voted"]}
        me = (await client.ok("user:me", {}))["id"]
        role = fresh["my_role"]
        for seq, state in sorted(states.items()):
            answer = await client.ok("meeting:join", {"meeting_id": run.mid, "since_seq": seq})
            if not answer.get("resumed"):
                # Allowed when what was missed weighs more than the snapshot (early seqs).
                assert answer.pop("resumed") is False and answer["seq"] == fresh["seq"]
                if answer != fresh:
                    problems.append(f"{name} from seq {seq}: a snapshot unlike a fresh one")
                continue
            resumed += 1
            model = copy.deepcopy(state)
            for change in answer["changes"]:
                leak = _leak(role, me, change["event"], change["data"])
                if leak:
                    problems.append(f"{name} ({role}) from seq {seq}: {leak}")
                if change["event"] in SEQ_PUSHES:
                    apply_push(model, change["event"], change["data"], votes)
                    model["seq"] = max(model["seq"], change["data"]["seq"])
            assert answer["seq"] == fresh["seq"]
            model["seq"] = answer["seq"]
            model["rtc"] = answer["rtc"]
            for p in model["polls"]:
                p["i_voted"] = p.get("i_voted", False) or p["poll_id"] in votes
            found: list[str] = []
            for key in sorted(set(fresh) | set(model)):
                differences(model.get(key), fresh.get(key), key, found)
            if found:
                problems.append(f"{name} ({role}) from seq {seq}: " + "; ".join(found))
    assert resumed > 150, resumed
    assert not problems, _report(problems)


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(problems)


async def test_every_push_matches_its_schema(meeting: Recorded) -> None:
    problems = []
    for name, client in meeting.clients.items():
        for i, (event, data) in enumerate(client.pushes):
            try:
                check_push(event, data)
            except (AssertionError, ValidationError) as exc:
                lines = str(exc).strip().splitlines()
                problems.append(
                    f"{name} push #{i} {event}: {' | '.join(lines[:3])} — {data!r:.300}"
                )
    seen = {e for c in meeting.clients.values() for e, _ in c.pushes}
    assert seen == set(PUSH_SCHEMAS), (
        f"not seen: {set(PUSH_SCHEMAS) - seen}; unknown: {seen - set(PUSH_SCHEMAS)}"
    )
    assert not problems, _report(problems)


async def test_seq_follows_the_api_page(meeting: Recorded) -> None:
    """Never back, never a skip; one seq per change shared by its pushes; staff and single-user
    pushes carry the current seq without raising it; the staff poll view follows the public one;
    pushes that are not meeting state carry none."""
    _check_seq_rules(meeting.run, meeting.clients)
    assert meeting.run.steps > 40
    assert not meeting.run.seq_problems, _report(meeting.run.seq_problems)


async def test_pushes_applied_to_each_snapshot_give_the_fresh_one_after_every_step(
    meeting: Recorded,
) -> None:
    """For the staff socket (from the draft), the early delegate (from publication) and the late
    one (from half-way): join snapshot + pushes == a fresh snapshot, after every step."""
    assert {w.name for w in meeting.run.watchers} == {"staff", "early", "late"}
    assert not meeting.run.problems, _report(meeting.run.problems)


def _check_seq_rules(run: Run, everyone: dict[str, Client]) -> None:
    """API page, "Pushes and seq", over each client's pushes in arrival order."""
    mid, bad = run.mid, run.seq_problems.append
    staff = ("staff", "secretary", "chair")
    for name, client in everyone.items():
        last: int | None = None
        prev_poll: dict[str, Any] | None = None
        for event, data in client.pushes:
            if not isinstance(data, dict) or data.get("meeting_id", mid) != mid:
                continue
            if event not in SEQ_PUSHES:
                if "seq" in data:
                    bad(f"seq: {name}: {event} is not meeting state yet carries seq")
                continue
            seq = data.get("seq")
            if not isinstance(seq, int):
                bad(f"seq: {name}: {event} carries no seq: {data!r:.200}")
                continue
            if last is not None:
                if seq < last:
                    bad(f"seq: {name}: went back from {last} to {seq} ({event})")
                elif seq - last > 1:
                    bad(f"seq: {name}: skipped from {last} to {seq} ({event})")
                elif event in NO_BUMP_PUSHES and seq != last:
                    bad(f"seq: {name}: {event} raised seq {last} -> {seq}")
            last = seq if last is None else max(last, seq)
            if event == "poll:state":
                if data.get("view") == "staff":
                    if name not in staff:
                        bad(f"seq: {name} (not staff) got the staff view of poll:state")
                    if not (
                        prev_poll is not None
                        and prev_poll.get("view") == "public"
                        and prev_poll["poll_id"] == data["poll_id"]
                        and prev_poll["seq"] == seq
                    ):
                        bad(
                            f"seq: {name}: staff poll:state not right after its public one: {data!r:.200}"
                        )
                prev_poll = data
            if event in ("conclusion:updated", "document:opened") and name not in staff:
                bad(f"seq: {name} (not staff) got staff-only {event}")
        if name in staff:
            # The public view of an open named poll is followed by the staff one, with the same
            # seq. A secret poll has no staff view: no counts for anyone until it closes (issue 11).
            polls = [
                d for e, d in client.pushes if e == "poll:state" and d.get("meeting_id") == mid
            ]
            for a, b in zip(polls, [*polls[1:], None][: len(polls)], strict=True):
                if (
                    a.get("view") == "public"
                    and a.get("status") == "open"
                    and not a.get("secret")
                    and not (b is not None and b.get("view") == "staff" and b["seq"] == a["seq"])
                ):
                    bad(
                        f"seq: {name}: public poll:state {a['poll_id']} (seq {a['seq']}) without its staff view"
                    )


async def _meeting(
    live: Live,
    run: Run,
    cast: dict[str, tuple[Person, Client]],
    staff_watch: Client,
    halls: list[Hall],
) -> None:
    (sec, sc), (chair, cc) = cast["secretary"], cast["chair"]
    (early, ec), (late, lc) = cast["early"], cast["late"]
    (d2, d2c), (d3, d3c), (point, pc) = cast["d2"], cast["d3"], cast["point"]
    check = run.check
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    m = await sc.ok(
        "meeting:create",
        {
            "title": "Kỳ họp chuyên đề",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "chair_id": chair.id,
        },
    )
    mid = run.mid = m["id"]
    P = lambda **kw: {"meeting_id": mid, **kw}  # noqa: E731
    run.getters = {"point": pc, "chair": cc}

    # --- draft: the staff socket watches from here --------------------------------------------
    W = await run.watch("staff", staff_watch)
    items = []
    for title in ("Khai mạc", "Tờ trình ngân sách", "Thảo luận và kết luận"):
        items.append(await sc.ok("agenda:add", P(title=title, duration_min=30)))
        await check(f"agenda:add {title}")
    await sc.ok("agenda:update", {"item_id": items[1]["id"], "presenter_id": d2.id})
    await check("agenda:update presenter")
    await sc.ok("participant:add", P(role="delegate", user_ids=[early.id, late.id, d2.id, d3.id]))
    await check("participant:add delegates")
    await sc.ok("participant:add", P(role="point", user_ids=[point.id]))
    await check("participant:add point")
    doc_a = await uploaded(
        live,
        sec.token,
        mid,
        vietnamese_pdf(4, title="Tờ trình ngân sách"),
        title="Tờ trình ngân sách",
        agenda_item_id=items[1]["id"],
    )
    await check("upload A (draft)")
    await sc.ok("meeting:update", P(location="Hội trường A"))
    await check("meeting:update location")
    await sc.ok("meeting:publish", P())
    await check("meeting:publish")

    # --- scheduled: the first delegate watches from publication -------------------------------
    E = await run.watch("early", ec)
    await ec.ok("invitation:respond", P(response="accepted", note="Sẽ dự"))
    await check("early accepts")
    for c in (d2c, pc):
        await c.ok("invitation:respond", P(response="accepted"))
        await check("accepts")
    doc_b = await uploaded(
        live, sec.token, mid, vietnamese_pdf(2, title="Báo cáo"), title="Báo cáo"
    )
    await check("upload B")
    await ec.ok("opinion:submit", P(text="Đề nghị bổ sung số liệu", agenda_item_id=items[1]["id"]))
    await _wait(W, "opinion:added", lambda d: d["user_id"] == early.id)
    await _wait(E, "opinion:added", lambda d: d["user_id"] == early.id)
    await check("early opinion before the start", 0)
    await sc.ok("meeting:start", P())
    await check("meeting:start")

    # --- in progress ---------------------------------------------------------------------------
    for c in (cc, d2c, d3c, pc):
        await c.ok("meeting:join", P())
        await check("join checks in")
    await sc.ok("attendance:mark", P(user_id=early.id, present=True))
    await check("attendance:mark early")
    await cc.ok("agenda:activate", {"item_id": items[0]["id"]})
    await check("agenda:activate 1")
    await cc.ok("agenda:activate", {"item_id": items[1]["id"]})
    await check("agenda:activate 2")

    # Documents: present, a new version follows the presented page, open, notes.
    await cc.ok("document:present", P(document_id=doc_a["id"], page=2))
    await check("present A p2")
    await cc.ok("document:present", P(document_id=doc_a["id"], page=4))
    await check("present A p4")
    doc_a2 = await uploaded(
        live,
        sec.token,
        mid,
        vietnamese_pdf(3, title="Tờ trình (sửa)"),
        title="Tờ trình ngân sách (sửa)",
        replaces=doc_a["id"],
    )
    assert doc_a2["version"] == 2 and doc_a2["replaces"] == doc_a["id"]
    await check("new version of A (presented)")
    r = await download(live, early.token, doc_a2["id"])
    assert r.status_code == 200
    await _wait(W, "document:opened", lambda d: d["document_id"] == doc_a2["id"])
    await check("early opens A v2", 0)
    note = await ec.ok(
        "note:save", {"document_id": doc_a2["id"], "page": 1, "text": "Hỏi về mục 3"}
    )
    await _wait(E, "note:saved", lambda d: d["id"] == note["id"])
    await ec.ok("note:save", {"document_id": doc_a2["id"], "page": 1, "text": ""})
    await _wait(E, "note:saved", lambda d: d["deleted"])
    await check("early notes", 0)

    # Media: the chair's and the hall's cameras; the main stream is the chair's.
    for c, colour in ((cc, RED), (pc, GREEN)):
        hall = Hall(colour)
        halls.append(hall)
        ack = await c.ok("rtc:join", P(type="offer", sdp=await hall.offer()))
        await hall.accept(ack["sdp"])
    await _wait(W, "rtc:main", lambda d: d["user_id"] == chair.id)
    await check("rtc: chair and hall connect", 0)
    await _wait(W, "rtc:points", lambda d: len(d["points"]) == 2)

    # The floor: requests, grant, the speaker presents, next, withdraw, reject, end.
    req_e = await ec.ok("floor:request", P(topic="Ý kiến về ngân sách"))
    await check("early requests the floor")
    req_p = await pc.ok("floor:request", P(topic="Ý kiến của xã"))
    await check("hall requests the floor")
    await cc.ok("floor:grant", {"request_id": req_e["request_id"], "time_limit_s": 180})
    await check("grant early")
    await ec.ok("document:present", P(document_id=doc_b["id"], page=2))
    await check("speaker presents B p2")
    await cc.ok("floor:grant", {"request_id": req_p["request_id"]})  # next: ends the early turn
    await _wait(W, "rtc:main", lambda d: d["user_id"] == point.id)
    await check("grant the hall (next)")
    req_3 = await d3c.ok("floor:request", P())
    await check("d3 requests")
    await d3c.ok("floor:withdraw", {"request_id": req_3["request_id"]})
    await check("d3 withdraws")
    req_s = await sc.ok("floor:request", P(topic="Thư ký hỏi"))
    await check("secretary requests")
    await cc.ok("floor:reject", {"request_id": req_s["request_id"], "reason": "Hết giờ"})
    await check("chair rejects the secretary")
    await pc.ok("floor:end", P())
    await _wait(W, "rtc:main", lambda d: d["user_id"] == chair.id)
    await check("the hall ends its turn")
    await cc.ok("document:present", P(document_id=None))
    await check("stop presenting")

    # A named vote; a delegate arrives half-way, during it.
    named = await sc.ok(
        "poll:create", P(question="Thông qua tờ trình?", agenda_item_id=items[1]["id"])
    )
    await check("create named poll")
    await cc.ok("poll:open", {"poll_id": named["poll_id"]})
    await check("open named poll")
    for w, c, option in ((E, ec, 0), (None, d2c, 1)):
        await c.ok("poll:vote", {"poll_id": named["poll_id"], "option": option})
        if w is not None:
            w.my_votes.add(named["poll_id"])
        await check("vote named")
    L = await run.watch("late", lc)  # checks in: the open vote's eligible count changes
    await check("late delegate joins during the vote", 0)
    await lc.ok("poll:vote", {"poll_id": named["poll_id"], "option": 0})
    L.my_votes.add(named["poll_id"])
    await check("late votes named")
    await cc.ok("poll:vote", {"poll_id": named["poll_id"], "option": 0})
    await check("chair votes named")
    await cc.ok("poll:close", {"poll_id": named["poll_id"]})
    await check("close named poll")

    secret = await sc.ok(
        "poll:create", P(question="Bầu trưởng ban?", options=["Ông A", "Bà B"], secret=True)
    )
    await check("create secret poll")
    await cc.ok("poll:open", {"poll_id": secret["poll_id"]})
    await check("open secret poll")
    for w, c, option in ((E, ec, 1), (L, lc, 1), (None, pc, 0)):
        await c.ok("poll:vote", {"poll_id": secret["poll_id"], "option": option})
        if w is not None:
            w.my_votes.add(secret["poll_id"])
        await check("vote secret")
    await cc.ok("poll:close", {"poll_id": secret["poll_id"]})
    await check("close secret poll")

    # Opinions (to staff and their author).
    await lc.ok("opinion:submit", P(text="Góp ý vào tờ trình", document_id=doc_a2["id"]))
    await _wait(W, "opinion:added", lambda d: d["user_id"] == late.id)
    await _wait(L, "opinion:added", lambda d: d["user_id"] == late.id)
    await check("late opinion", 0)
    await d2c.ok("opinion:submit", P(text="Đồng ý"))
    await _wait(W, "opinion:added", lambda d: d["user_id"] == d2.id)
    await sc.ok("opinion:submit", P(text="Thư ký ghi nhận"))
    await _wait(W, "opinion:added", lambda d: d["user_id"] == sec.id)
    await check("more opinions", 0)

    # A document removed while presented stops the presentation.
    doc_c = await uploaded(
        live, sec.token, mid, vietnamese_pdf(1, title="Phụ lục"), title="Phụ lục"
    )
    await check("upload C")
    await cc.ok("document:present", P(document_id=doc_c["id"], page=1))
    await check("present C")
    await sc.ok("document:remove", {"document_id": doc_c["id"]})
    await check("remove presented C")
    await cc.ok("agenda:activate", {"item_id": items[2]["id"]})
    await check("agenda:activate 3")

    # Conclusions: drafts (staff), then published.
    drafts = []
    for item, text in (
        (None, "Kết luận chung"),
        (items[2]["id"], "Giao sở tài chính"),
        (items[1]["id"], "Thông qua tờ trình"),
    ):
        drafts.append(await sc.ok("conclusion:save", P(text=text, agenda_item_id=item)))
        await _wait(W, "conclusion:updated", lambda d, i=drafts[-1]["id"]: d["id"] == i)
        await check("conclusion:save", 0)
    await sc.ok(
        "conclusion:save", P(text="Thông qua tờ trình, có sửa đổi", agenda_item_id=items[1]["id"])
    )
    await _wait(W, "conclusion:updated", lambda d: d["text"].endswith("sửa đổi"))
    await check("conclusion:save again", 0)
    await sc.ok("conclusion:publish", P())
    await check("conclusion:publish")

    # At the end a speaker, a waiting request and an open vote are still there.
    req_3 = await d3c.ok("floor:request", P(topic="Câu hỏi cuối"))
    await check("d3 requests again")
    await cc.ok("floor:grant", {"request_id": req_3["request_id"], "time_limit_s": 60})
    await check("grant d3")
    await sc.ok("floor:request", P(topic="Thư ký"))
    await check("secretary requests again")
    last = await sc.ok("poll:create", P(question="Kéo dài thời gian họp?"))
    await check("create last poll")
    await cc.ok("poll:open", {"poll_id": last["poll_id"]})
    await check("open last poll")
    await ec.ok("poll:vote", {"poll_id": last["poll_id"], "option": 0})
    E.my_votes.add(last["poll_id"])
    await check("early votes last poll")
    await sc.ok("meeting:end", P())
    await _wait(W, "rtc:main", lambda d: d["user_id"] is None)
    await check("meeting:end")

    # After the end: the overall conclusion amended and published again (a new notice version).
    await sc.ok("conclusion:save", P(text="Kết luận chung (bổ sung)"))
    await _wait(W, "conclusion:updated", lambda d: d["text"].endswith("(bổ sung)"))
    await check("conclusion:save after the end", 0)
    await sc.ok("conclusion:publish", P())
    await check("conclusion:publish again")
    await check("fresh meeting:join at the end", 0, join=True)

    # What the meeting did, in the end.
    final = await staff_watch.ok("meeting:get", P())
    assert final["status"] == "ended" and final["floor"] == {"speaker": None, "queue": []}
    assert [p["status"] for p in final["polls"]] == ["closed"] * 3
    assert [d["kind"] for d in final["documents"]] == ["upload", "upload", "notice"]
    assert final["documents"][2]["version"] == 2
    assert final["presented"] is None
    assert final["rtc"] == {
        "main": None,
        "source_id": None,
        "muted": {},
        "points": [],
    }  # staff's view


async def _wait(w: Watcher, event: str, where: Any) -> None:
    """Wait for a push to a watcher (after what it has applied) that carries no change of seq."""
    c = w.client
    ok = await wait_until(c, lambda: any(e == event and where(d) for e, d in c.pushes[w.done :]))
    assert ok, f"{w.name}: no {event} push arrived"
