"""One seat, one vote (issue 11, finding 1): the member and whoever holds the seat for them vote
once per poll, whatever the order of delegations, re-delegations and taking the seat back; a
deputy votes only when present."""

from __future__ import annotations

from tests.live import Live, meeting_with


async def _open_poll(m: dict, chair_c, question: str, secret: bool = False) -> int:
    poll = await m["secretary_client"].ok(
        "poll:create", {"meeting_id": m["meeting_id"], "question": question, "secret": secret}
    )
    await chair_c.ok("poll:open", {"poll_id": poll["poll_id"]})
    return poll["poll_id"]


async def test_a_seat_votes_once_through_any_chain_of_deputies(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=1)
    mid = m["meeting_id"]
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("meeting:join", {"meeting_id": mid})
    member = m["delegates"][0]
    deputy1, deputy2 = await clients.person("phothu"), await clients.person("phothu")
    member_c = await clients.client(member)
    d1_c, d2_c = await clients.client(deputy1), await clients.client(deputy2)
    pid = await _open_poll(m, chair_c, "Thông qua nghị quyết?")

    # The member hands the seat to deputy 1, who comes and votes.
    await member_c.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy1.id},
    )
    await d1_c.ok("meeting:join", {"meeting_id": mid})
    await d1_c.ok("poll:vote", {"poll_id": pid, "option": 1})

    # Re-delegated to deputy 2: deputy 1's place is gone, but the seat has voted.
    await member_c.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy2.id},
    )
    # Not yet present: a deputy must be at the meeting to vote.
    err = await d2_c.error("poll:vote", {"poll_id": pid, "option": 0}, "forbidden")
    assert "có mặt" in err["message"]
    await d2_c.ok("meeting:join", {"meeting_id": mid})
    await d2_c.error("poll:vote", {"poll_id": pid, "option": 1}, "conflict")

    # The member takes the seat back: still the one ballot.
    await member_c.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    await member_c.ok("meeting:join", {"meeting_id": mid})
    err = await member_c.error("poll:vote", {"poll_id": pid, "option": 1}, "conflict")
    assert "biểu quyết" in err["message"]

    await chair_c.ok("poll:vote", {"poll_id": pid, "option": 0})
    closed = await chair_c.ok("poll:close", {"poll_id": pid})
    assert closed["counts"] == [1, 1, 0] and closed["voted"] == 2
    assert closed["eligible"] == 2  # the chair's seat and the member's seat
    assert {v["user_id"] for v in closed["votes"]} == {m["chair"].id, deputy1.id}


async def test_a_member_who_voted_cannot_vote_again_through_a_deputy(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=1)
    mid = m["meeting_id"]
    chair_c = await clients.client(m["chair"])
    member_c = await clients.client(m["delegates"][0])
    await member_c.ok("meeting:join", {"meeting_id": mid})
    deputy = await clients.person("phothu")
    deputy_c = await clients.client(deputy)
    pid = await _open_poll(m, chair_c, "Bầu kín", secret=True)
    await member_c.ok("poll:vote", {"poll_id": pid, "option": 2})
    await member_c.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id},
    )
    await deputy_c.ok("meeting:join", {"meeting_id": mid})
    await deputy_c.error("poll:vote", {"poll_id": pid, "option": 0}, "conflict")
    closed = await chair_c.ok("poll:close", {"poll_id": pid})
    assert closed["counts"] == [0, 0, 1] and closed["voted"] == 1
