"""Sessions (issue 11, finding 8): a password change ends the user's other sessions; a session
may not guess the old password without limit; the initial-password rule holds over HTTP."""

from __future__ import annotations

import asyncio

from tests.core.test_users import login, refused_connect
from tests.core.util import admin
from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.live import Live, meeting_with


async def test_password_change_ends_the_other_sessions(clients: Live) -> None:
    who = await clients.person("doimatkhau", password="matkhau-cu-1")
    _, phone = await login(clients, who.user.username, "matkhau-cu-1")
    _, tablet = await login(clients, who.user.username, "matkhau-cu-1")
    phone_c = await clients.client(phone["token"])
    tablet_c = await clients.client(tablet["token"])
    dropped = asyncio.Event()
    phone_c.sio.on("disconnect", lambda *a: dropped.set())
    await tablet_c.ok(
        "user:change_password", {"old_password": "matkhau-cu-1", "new_password": "matkhau-moi-2"}
    )
    await asyncio.wait_for(dropped.wait(), timeout=10)  # the phone's socket ends at once
    assert await refused_connect(clients, phone["token"]) == "unauthenticated"
    async with clients.http(phone["token"]) as http:
        assert (await http.get("/api/calendar.ics")).status_code == 401
    # The session that changed the password goes on.
    assert (await tablet_c.ok("user:me", {}))["id"] == who.id
    async with clients.http(tablet["token"]) as http:
        assert (await http.get("/api/calendar.ics")).status_code == 200


async def test_a_session_cannot_guess_the_old_password_freely(clients: Live) -> None:
    who = await clients.person("phiendanhcap", password="matkhau-that-1")
    c = await clients.client(who)
    for i in range(clients.server.settings.login_max_failures):
        await c.error(
            "user:change_password",
            {"old_password": f"doan-{i}", "new_password": "matkhau-moi-9"},
            "invalid",
        )
    # Now even the right old password waits: guesses count as failed logins.
    err = await c.error(
        "user:change_password",
        {"old_password": "matkhau-that-1", "new_password": "matkhau-moi-9"},
        "rate_limited",
    )
    assert err["details"]["retry_after_s"] > 0
    status, _ = await login(clients, who.user.username, "matkhau-moi-9")
    assert status in (401, 429)  # the password did not change


async def test_initial_password_rule_holds_over_http(clients: Live) -> None:
    m = await meeting_with(clients, delegates=1)
    mid, sec = m["meeting_id"], m["secretary"]
    doc = await uploaded(clients, sec.token, mid, vietnamese_pdf(pages=1), title="Tờ trình")
    delegate = m["delegates"][0]
    dc = await clients.client(delegate)
    key = (await dc.ok("calendar:key", {}))["key"]
    _, ac = await admin(clients)
    initial = (await ac.ok("user:reset_password", {"user_id": delegate.id}))["initial_password"]
    status, body = await login(clients, delegate.user.username, initial)
    assert status == 200 and body["user"]["must_change_password"] is True
    async with clients.http(body["token"]) as http:
        for path in (
            f"/api/documents/{doc['id']}/file",
            f"/api/meetings/{mid}/minutes.pdf",
            "/api/calendar.ics",
        ):
            r = await http.get(path)
            assert r.status_code == 403, (path, r.status_code)
            assert r.json()["error"]["details"] == {"must_change_password": True}
        assert (await http.get(f"/api/calendar.ics?key={key}")).status_code == 403
        # The app still loads (it shows the change form), and signing out works.
        assert (await http.get("/")).status_code == 200
        assert (await http.post("/api/logout")).status_code == 200


async def test_a_burst_of_old_password_guesses_is_limited_too(clients: Live) -> None:
    who = await clients.person("dongloat", password="matkhau-that-2")
    c = await clients.client(who)
    guesses = [
        c.call("user:change_password", {"old_password": f"doan-{i}", "new_password": "moi-123456"})
        for i in range(20)
    ]
    codes = [ack["error"]["code"] for ack in await asyncio.gather(*guesses)]
    # Never more wrong guesses answered than the limit. A guess whose row is written but not yet
    # off the in-flight count (meeting/identity.py check_old_password) is counted twice by a check
    # running meanwhile: the limit may come a guess early (seen once in CI, on PostgreSQL: 4 of
    # 5), never late.
    invalid = codes.count("invalid")
    assert 0 < invalid <= clients.server.settings.login_max_failures, codes
    assert codes.count("rate_limited") == 20 - invalid, codes
