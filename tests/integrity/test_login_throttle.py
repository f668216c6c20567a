"""Login throttling an attacker cannot turn against the chair (issue 11, finding 3): failures are
counted per account and per client address, answered with a growing backoff, and a browser that
signed in to the account before keeps signing in whatever strangers try. Other clients are other
loopback addresses (httpx's `local_address`)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any

import httpx

from meeting.clock import ManualClock
from tests.live import Live, make_settings, running

PASSWORD = "mat-khau-chu-tich-1"
# Failures are stored in the (shared) test database: each run takes its own addresses.
NET = f"127.{secrets.randbelow(200) + 20}"


def client_at(live: Live, address: str) -> httpx.AsyncClient:
    """A client from another loopback address; it keeps cookies and, like a browser, names
    the page's origin."""
    return httpx.AsyncClient(
        base_url=live.url,
        transport=httpx.AsyncHTTPTransport(local_address=address),
        headers={"Origin": live.url},
        timeout=30,
    )


async def login(http: httpx.AsyncClient, username: str, password: str) -> tuple[int, Any]:
    r = await http.post("/api/login", json={"username": username, "password": password})
    return r.status_code, (r.json(), r.headers.get("retry-after"))


async def test_strangers_cannot_lock_the_chair_out() -> None:
    clock = ManualClock()
    settings = make_settings(login_max_failures=3, login_backoff_s=30, login_backoff_max_s=600)
    async with running(settings, clock=clock) as live:
        chair = await live.person("chutich", password=PASSWORD)
        name = chair.user.username
        async with (
            client_at(live, f"{NET}.11.1") as tablet,
            client_at(live, f"{NET}.11.2") as attacker,
            client_at(live, f"{NET}.11.3") as new_pc,
        ):
            # The chair's tablet signed in once before: it carries the device mark.
            assert (await login(tablet, name, PASSWORD))[0] == 200
            assert "hop_device" in tablet.cookies

            # A participant who read the chair's username guesses from another machine.
            for _ in range(3):
                assert (await login(attacker, name, "doan-bua"))[0] == 401
            status, (body, retry) = await login(attacker, name, "doan-bua")
            assert status == 429 and body["error"]["code"] == "rate_limited"
            assert int(retry) == body["error"]["details"]["retry_after_s"] > 0

            # The chair's own tablet still signs in with the right password...
            assert (await login(tablet, name, PASSWORD))[0] == 200
            # ...a new machine waits a backoff, not a lock: after it, the right password works.
            status, (body, retry) = await login(new_pc, name, PASSWORD)
            assert status == 429 and 0 < int(retry) <= 30
            await clock.advance(timedelta(seconds=int(retry)))
            assert (await login(new_pc, name, PASSWORD))[0] == 200

            # The attacker's next guesses are slower and slower (the backoff doubles).
            await clock.advance(timedelta(seconds=31))
            assert (await login(attacker, name, "doan-bua-2"))[0] == 401
            status, (body, retry) = await login(attacker, name, "doan-bua-3")
            assert status == 429 and 30 < int(retry) <= 60


async def test_one_address_guessing_many_accounts_is_slowed() -> None:
    clock = ManualClock()
    settings = make_settings(login_max_failures=5, login_address_max_failures=4)
    async with running(settings, clock=clock) as live:
        people = [await live.person("nannhan", password=PASSWORD) for _ in range(6)]
        async with (
            client_at(live, f"{NET}.12.1") as sprayer,
            client_at(live, f"{NET}.12.2") as other,
        ):
            for p in people[:4]:
                assert (await login(sprayer, p.user.username, "123456789"))[0] == 401
            # Every account now, even with the right password, from this address: wait.
            status, (body, _) = await login(sprayer, people[4].user.username, PASSWORD)
            assert status == 429 and body["error"]["details"]["retry_after_s"] > 0
            # Another address is not affected, and no account was slowed for it.
            assert (await login(other, people[0].user.username, PASSWORD))[0] == 200
            assert (await login(other, people[5].user.username, PASSWORD))[0] == 200


async def test_a_known_browser_that_keeps_guessing_loses_its_pass() -> None:
    settings = make_settings(login_max_failures=3)
    async with running(settings) as live:
        who = await live.person("maytinhchung", password=PASSWORD)
        name = who.user.username
        async with client_at(live, f"{NET}.13.1") as shared_pc:
            assert (await login(shared_pc, name, PASSWORD))[0] == 200
            for _ in range(3):
                assert (await login(shared_pc, name, "doan-thu"))[0] == 401
            assert (await login(shared_pc, name, "doan-thu"))[0] == 429


async def test_a_burst_of_concurrent_guesses_does_not_slip_past_the_limit() -> None:
    settings = make_settings(login_max_failures=3)
    async with running(settings) as live:
        who = await live.person("dongloat", password=PASSWORD)
        async with client_at(live, f"{NET}.14.1") as attacker:
            results = await asyncio.gather(
                *(login(attacker, who.user.username, f"doan-{i}") for i in range(12))
            )
        codes = [status for status, _ in results]
        assert codes.count(401) <= 3 and codes.count(429) >= 9, codes
