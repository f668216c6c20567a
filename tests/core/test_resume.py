"""`meeting:join {since_seq}` (/api §3.4): the changes a caller missed, only those its
role may see, the pushes that carried `since_seq` without raising it, and the snapshot when the
log cannot answer. Bad `since_seq` is `invalid`, never an empty resume."""

from __future__ import annotations

from typing import Any

import pytest

from meeting import changelog
from tests.live import Live, meeting_with


def events(answer: dict[str, Any]) -> list[str]:
    return [c["event"] for c in answer["changes"]]


async def test_resume_hands_each_role_what_it_missed_and_no_more(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2, start=True)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d1, d2 = m["delegates"]
    dc1, dc2 = await clients.client(d1), await clients.client(d2)
    cc = await clients.client(m["chair"])
    for c in (dc1, cc, dc2):
        await c.ok("meeting:join", {"meeting_id": mid})
    since = (await sc.ok("meeting:get", {"meeting_id": mid}))["seq"]
    # Not raising seq: a staff draft, another delegate's opinion, my own opinion.
    await sc.ok("conclusion:save", {"meeting_id": mid, "text": "Dự thảo"})
    await dc2.ok("opinion:submit", {"meeting_id": mid, "text": "Ý kiến của người khác"})
    await dc1.ok("opinion:submit", {"meeting_id": mid, "text": "Ý kiến của tôi"})
    # Raising it: the floor, a vote (public and staff views).
    req = await dc1.ok("floor:request", {"meeting_id": mid, "topic": "Hỏi"})
    poll = await sc.ok("poll:create", {"meeting_id": mid, "question": "Đồng ý?"})
    await cc.ok("poll:open", {"poll_id": poll["poll_id"]})
    after = await sc.ok("meeting:get", {"meeting_id": mid})
    assert after["seq"] == since + 3

    mine = await dc1.ok("meeting:join", {"meeting_id": mid, "since_seq": since})
    assert mine["resumed"] is True and mine["seq"] == after["seq"]
    assert events(mine) == ["opinion:added", "floor:state", "poll:state", "poll:state"]
    assert mine["changes"][0]["data"]["text"] == "Ý kiến của tôi"
    assert all(c["data"].get("view") != "staff" for c in mine["changes"])
    floor = mine["changes"][1]["data"]
    assert floor["queue"][0]["request_id"] == req["request_id"]

    staff = await cc.ok("meeting:join", {"meeting_id": mid, "since_seq": since})
    assert events(staff) == [
        "participants:updated",  # the staff rows of the last check-in carried since_seq
        "conclusion:updated",
        "opinion:added",
        "opinion:added",
        "floor:state",
        "poll:state",
        "poll:state",
        "poll:state",
    ]
    views = [c["data"]["view"] for c in staff["changes"] if c["event"] == "poll:state"]
    assert views == ["public", "public", "staff"]  # created; opened, and its staff view

    # Up to date: nothing to apply, still a resume.
    now = await dc1.ok("meeting:join", {"meeting_id": mid, "since_seq": after["seq"]})
    assert now == {
        "meeting_id": mid,
        "seq": after["seq"],
        "resumed": True,
        "changes": [],
        "rtc": now["rtc"],
    }


@pytest.mark.parametrize("since", [-1, "3", 1.5, True, None])
async def test_bad_since_seq_is_invalid(clients: Live, since: Any) -> None:
    m = await meeting_with(clients)
    dc = await clients.client(m["delegates"][0])
    mid = m["meeting_id"]
    if since is None:  # ahead of the meeting's seq
        since = (await dc.ok("meeting:get", {"meeting_id": mid}))["seq"] + 1
    err = await dc.error("meeting:join", {"meeting_id": mid, "since_seq": since}, "invalid")
    assert "since_seq" in err["details"]


async def test_a_resume_the_log_cannot_answer_is_the_snapshot(
    clients: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = await meeting_with(clients, delegates=1)
    mid, sc = m["meeting_id"], m["secretary_client"]
    dc = await clients.client(m["delegates"][0])
    first = await dc.ok("meeting:join", {"meeting_id": mid})
    for title in ("Một", "Hai", "Ba"):
        await sc.ok("agenda:add", {"meeting_id": mid, "title": title})
    # Too many changes missed: the snapshot is cheaper.
    monkeypatch.setattr(changelog, "RESUME_MAX", 2)
    answer = await dc.ok("meeting:join", {"meeting_id": mid, "since_seq": first["seq"]})
    assert answer["resumed"] is False and [i["title"] for i in answer["agenda"]] == [
        "Một",
        "Hai",
        "Ba",
    ]
    monkeypatch.setattr(changelog, "RESUME_MAX", 300)
    # Changes older than the log (pruned): the snapshot.
    with clients.db():
        from meeting.models import Change

        await Change.filter(meeting_id=mid, seq=first["seq"] + 1).delete()
    answer = await dc.ok("meeting:join", {"meeting_id": mid, "since_seq": first["seq"]})
    assert answer["resumed"] is False and answer["seq"] == first["seq"] + 3
    # From after the gap, the log still answers.
    answer = await dc.ok("meeting:join", {"meeting_id": mid, "since_seq": first["seq"] + 1})
    assert answer["resumed"] is True and len(answer["changes"]) == 2
