"""GET /api/calendar.ics: by bearer token, or by the user's revocable read-only key."""

from __future__ import annotations

from icalendar import Calendar

from tests.live import Live, meeting_with


async def test_calendar_feed_by_token_and_by_key(clients: Live) -> None:
    m = await meeting_with(clients, title="Họp về lịch")
    delegate = m["delegates"][0]
    async with clients.http(delegate.token) as http:
        r = await http.get("/api/calendar.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(r.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Họp về lịch"]

    dc = await clients.client(delegate)
    key = await dc.ok("calendar:key", {})
    assert key["url"].endswith(f"/api/calendar.ics?key={key['key']}")
    async with clients.http() as http:
        assert (await http.get("/api/calendar.ics", params={"key": key["key"]})).status_code == 200
        # The login token is never a calendar key.
        assert (
            await http.get("/api/calendar.ics", params={"key": delegate.token})
        ).status_code == 401
        assert (await http.get("/api/calendar.ics")).status_code == 401
    rotated = await dc.ok("calendar:key", {"rotate": True})
    assert rotated["key"] != key["key"]
    async with clients.http() as http:
        old = await http.get("/api/calendar.ics", params={"key": key["key"]})
        assert old.status_code == 401 and old.json()["error"]["code"] == "unauthenticated"


async def test_draft_meetings_are_not_in_a_delegates_calendar(clients: Live) -> None:
    m = await meeting_with(clients, publish=False, title="Bản nháp")
    async with clients.http(m["delegates"][0].token) as http:
        r = await http.get("/api/calendar.ics")
    assert "Bản nháp" not in r.text
    assert Calendar.from_ical(r.content).walk("VEVENT") == []
