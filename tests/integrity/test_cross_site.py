"""Cross-site requests (issue 11, finding 4): a request authenticated by the session cookie alone
must come from our own origin; `GET /logout` signs nobody out."""

from __future__ import annotations

import httpx

from tests.core.util import admin
from tests.docs.pdfs import vietnamese_pdf
from tests.live import Live, Person, free_port, meeting_with


def browser(live: Live, who: Person, origin: str | None) -> httpx.AsyncClient:
    """What a browser sends: the session cookie, and the Origin of the page that sends it."""
    headers = {"Origin": origin} if origin else {}
    return httpx.AsyncClient(
        base_url=live.url, cookies={"hop_session": who.token}, headers=headers, timeout=30
    )


async def documents(live: Live, who: Person, meeting_id: int) -> list:
    c = await live.client(who)
    return (await c.ok("meeting:get", {"meeting_id": meeting_id}))["documents"]


async def test_a_cookie_from_another_site_or_port_uploads_nothing(clients: Live) -> None:
    m = await meeting_with(clients, delegates=1)
    sec, mid = m["secretary"], m["meeting_id"]
    pdf = vietnamese_pdf(pages=1)
    files = {"file": ("to-trinh.pdf", pdf, "application/pdf")}
    other_port = f"http://127.0.0.1:{free_port()}"  # same host, another port: same "site"
    for origin in (other_port, "http://evil.example", None):
        async with browser(clients, sec, origin) as http:
            r = await http.post(f"/api/meetings/{mid}/documents", files=files, data={"title": "X"})
        assert r.status_code == 403, (origin, r.status_code, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    assert await documents(clients, sec, mid) == []
    # The page itself (our origin) uploads; so does a client with the bearer token.
    async with browser(clients, sec, clients.url) as http:
        r = await http.post(
            f"/api/meetings/{mid}/documents", files=files, data={"title": "Tờ trình"}
        )
    assert r.status_code == 201, r.text
    async with clients.http(sec.token) as http:
        r = await http.post(
            f"/api/meetings/{mid}/documents", files=files, data={"title": "Báo cáo"}
        )
    assert r.status_code == 201, r.text
    assert len(await documents(clients, sec, mid)) == 2


async def test_csv_import_from_another_origin_creates_nobody(clients: Live) -> None:
    boss, boss_c = await admin(clients)
    csv = f"username,full_name,unit_id,title,point,organizer\nxsite.{boss.id},Kẻ Lạ,,,0,0\n"
    async with browser(clients, boss, "http://evil.example") as http:
        r = await http.post(
            "/api/users/import", files={"file": ("u.csv", csv.encode(), "text/csv")}
        )
    assert r.status_code == 403
    found = await boss_c.ok("user:list", {"q": f"xsite.{boss.id}"})
    assert found == []


async def test_logout_is_post_only_and_same_origin(clients: Live) -> None:
    who = await clients.person("dangxuat")
    async with browser(clients, who, None) as http:
        r = await http.get("/logout")
        assert r.status_code == 405
        assert (await http.get("/api/calendar.ics")).status_code == 200  # still signed in
    async with browser(clients, who, "http://evil.example") as http:
        assert (await http.post("/logout")).status_code == 403
        assert (await http.get("/api/calendar.ics")).status_code == 200
    async with browser(clients, who, clients.url) as http:
        r = await http.post("/logout")
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert (await http.get("/api/calendar.ics")).status_code == 401
