"""notification:list, notification:read, and calendar:key (the read-only feed key)."""

from __future__ import annotations

from tests.core.util import not_object_payloads
from tests.live import Live, meeting_with


async def test_notifications_are_stored_pushed_and_read(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    d = m["delegates"][0]
    dc = await clients.client(d)
    await sc.ok("meeting:publish", {"meeting_id": mid})
    pushed = await dc.push("notification", lambda n: n["meeting_id"] == mid)
    await sc.ok("meeting:cancel", {"meeting_id": mid, "reason": "Hoãn"})
    pushed2 = await dc.push("notification", lambda n: n["kind"] == "cancelled")
    rows = await dc.ok("notification:list", {})
    assert [r["id"] for r in rows] == [pushed2["id"], pushed["id"]]  # newest first
    assert rows[1] == pushed and rows[1]["read_at"] is None
    assert (
        rows[1]["kind"] == "invitation" and rows[1]["meeting_id"] == mid and rows[1]["created_at"]
    )
    out = await dc.ok("notification:read", {"ids": [pushed["id"]]})
    assert out == {"read": 1}
    unread = await dc.ok("notification:list", {"unread_only": True})
    assert [r["id"] for r in unread] == [pushed2["id"]]
    rows = await dc.ok("notification:list", {"unread_only": False})
    assert rows[1]["read_at"] is not None
    # Reading again changes nothing; reading someone else's notification is ignored.
    assert await dc.ok("notification:read", {"ids": [pushed["id"]]}) == {"read": 0}
    chair_rows = await (await clients.client(m["chair"])).ok("notification:list", {})
    assert chair_rows, "the chair was invited too"
    assert await dc.ok("notification:read", {"ids": [chair_rows[0]["id"]]}) == {"read": 0}
    cc = await clients.client(m["chair"])
    assert (await cc.ok("notification:list", {"unread_only": True}))[0]["id"] == chair_rows[0]["id"]
    # Other people's notifications never show up in my list.
    assert {r["id"] for r in rows}.isdisjoint({r["id"] for r in chair_rows})


async def test_notifications_invalid(clients: Live) -> None:
    c = await clients.client(await clients.person())
    for event, cases in {
        "notification:list": [
            *not_object_payloads(),
            ({"unread_only": "yes"}, "invalid", "unread_only"),
            ({"unread_only": 1}, "invalid", "unread_only"),
            ({"limit": 5}, "invalid", "limit"),
        ],
        "notification:read": [
            *not_object_payloads(),
            ({}, "invalid", "ids"),
            ({"ids": 5}, "invalid", "ids"),
            ({"ids": ["5"]}, "invalid", "ids.0"),
            ({"ids": [1], "all": True}, "invalid", "all"),
        ],
    }.items():
        for payload, code, name in cases:
            err = await c.error(event, payload, code)
            assert name in err["details"], (event, payload, err)


async def test_calendar_key_gives_a_revocable_feed(clients: Live) -> None:
    m = await meeting_with(clients, title="Họp về lịch")
    d = m["delegates"][0]
    dc = await clients.client(d)
    first = await dc.ok("calendar:key", {})
    assert first["key"] and first["url"].endswith(f"/api/calendar.ics?key={first['key']}")
    assert first["key"] != d.token  # never the login token
    assert await dc.ok("calendar:key", {}) == first  # stable until rotated
    async with clients.http() as http:
        r = await http.get("/api/calendar.ics", params={"key": first["key"]})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
        assert "Họp về lịch" in r.text and "BEGIN:VEVENT" in r.text
    rotated = await dc.ok("calendar:key", {"rotate": True})
    assert rotated["key"] != first["key"]
    async with clients.http() as http:
        old = await http.get("/api/calendar.ics", params={"key": first["key"]})
        assert old.status_code == 401 and old.json()["error"]["code"] == "unauthenticated"
        new = await http.get("/api/calendar.ics", params={"key": rotated["key"]})
        assert new.status_code == 200 and "Họp về lịch" in new.text
    for payload, code, name in [
        *not_object_payloads(),
        ({"rotate": "yes"}, "invalid", "rotate"),
        ({"user_id": 1}, "invalid", "user_id"),
    ]:
        err = await dc.error("calendar:key", payload, code)
        assert name in err["details"], (payload, err)
    assert (await dc.ok("calendar:key", {}))["key"] == rotated[
        "key"
    ]  # the refusals changed nothing
