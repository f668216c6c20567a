"""The small findings of issue 11 (9): oversized names and ids get a clear 4xx, a secretary's
deputy gets no staff rights, and one user's sockets and opinions are capped."""

from __future__ import annotations

import asyncio
import logging

import pytest
import socketio

from tests.core.test_users import login
from tests.live import Live, make_settings, meeting_with, running


async def test_oversized_usernames_and_ids_get_a_clear_4xx(
    clients: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    huge = "a" * 1_000_000
    status, body = await login(clients, huge, "matkhau123")
    assert status == 400 and body["error"]["code"] == "invalid"
    status, _ = await login(clients, "b" * 101, "matkhau123")
    assert status == 400
    who = await clients.person("id")
    async with clients.http(who.token) as http:
        r = await http.post(
            "/login", data={"username": huge, "password": "x"}, headers={"Origin": clients.url}
        )
        assert r.status_code == 400 and huge not in r.text
        for path in (
            f"/api/documents/{10**20}/file",
            f"/api/documents/{2**31}/file",
            f"/api/meetings/{10**30}/minutes.pdf",
            f"/api/documents/{2**40}/signature",
        ):
            r = await http.get(path)
            assert r.status_code == 404, (path, r.status_code)
    assert all(len(rec.getMessage()) < 10_000 for rec in caplog.records)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


async def test_a_secretary_who_sends_a_deputy_hands_on_no_staff_rights(clients: Live) -> None:
    m = await meeting_with(clients, delegates=1)
    mid, sec_c = m["meeting_id"], m["secretary_client"]
    second = await clients.person("thuky2")
    await sec_c.ok(
        "participant:add", {"meeting_id": mid, "role": "secretary", "user_ids": [second.id]}
    )
    second_c = await clients.client(second)
    await second_c.ok("agenda:add", {"meeting_id": mid, "title": "Báo cáo tài chính"})
    deputy = await clients.person("nguoithay")
    deputy_c = await clients.client(deputy)
    await second_c.ok("meeting:join", {"meeting_id": mid})  # in the staff room
    payload = await second_c.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id},
    )
    roles = {p["user_id"]: p["role"] for p in payload["participants"]}
    assert roles[deputy.id] == "observer" and roles[second.id] == "secretary"
    # Neither she (while delegated) nor her deputy acts as staff.
    await second_c.error("agenda:add", {"meeting_id": mid, "title": "X"}, "forbidden")
    await deputy_c.error("agenda:add", {"meeting_id": mid, "title": "X"}, "forbidden")
    assert (await deputy_c.ok("meeting:get", {"meeting_id": mid}))["my_role"] == "observer"
    assert (await second_c.ok("meeting:get", {"meeting_id": mid}))["my_role"] == "observer"
    # Staff-only pushes no longer reach her: the opinion reaches the other secretary; a round
    # trip on her socket after it shows nothing was queued for her.
    del_c = await clients.client(m["delegates"][0])
    await sec_c.ok("meeting:join", {"meeting_id": mid})
    sec_c.mark()
    await del_c.ok("opinion:submit", {"meeting_id": mid, "text": "Góp ý về báo cáo"})
    await sec_c.push("opinion:added")
    await second_c.ok("user:me", {})
    assert second_c.seen("opinion:added") == []
    # Back at her post, she is the secretary again.
    await second_c.ok("invitation:respond", {"meeting_id": mid, "response": "accepted"})
    await second_c.ok("agenda:add", {"meeting_id": mid, "title": "Kiến nghị"})


async def test_sockets_and_opinions_of_one_user_are_capped() -> None:
    async with running(make_settings(max_sockets_per_user=4, max_opinions_per_user=3)) as live:
        m = await meeting_with(live, start=True, delegates=1)
        delegate = m["delegates"][0]
        held = [await live.client(delegate) for _ in range(4)]
        extra = socketio.AsyncClient(reconnection=False)
        refusals: list = []
        extra.on("connect_error", lambda data=None: refusals.append(data))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await extra.connect(live.url, auth={"token": delegate.token}, transports=["websocket"])
        assert refusals and "too_many_connections" in str(refusals[0])
        # Another user is not affected; closing one socket frees a place.
        assert await live.client(m["chair"])
        await held.pop().close()
        c = await live.client(delegate)

        # Connects at once do not slip past the cap either.
        newcomer = await live.person("dongloat")
        burst = [socketio.AsyncClient(reconnection=False) for _ in range(8)]
        outcomes = await asyncio.gather(
            *(
                b.connect(live.url, auth={"token": newcomer.token}, transports=["websocket"])
                for b in burst
            ),
            return_exceptions=True,
        )
        assert sum(o is None for o in outcomes) == 4, outcomes
        for b in burst:
            if b.connected:
                await b.disconnect()

        for i in range(3):
            await c.ok("opinion:submit", {"meeting_id": m["meeting_id"], "text": f"Góp ý {i + 1}"})
        await c.error(
            "opinion:submit", {"meeting_id": m["meeting_id"], "text": "Nữa"}, "rate_limited"
        )
        assert len(await c.ok("opinion:list", {"meeting_id": m["meeting_id"]})) == 3
