from tests.live import Live, meeting_with


async def test_healthz(clients: Live) -> None:
    async with clients.http() as http:
        r = await http.get("/healthz")
    assert r.status_code == 200 and r.json() == {"ok": True}


async def test_secretary_publishes_and_delegate_is_invited(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    delegate = m["delegates"][0]
    dc = await clients.client(delegate)
    await m["secretary_client"].ok("meeting:publish", {"meeting_id": m["meeting_id"]})
    note = await dc.push("notification", lambda n: n["meeting_id"] == m["meeting_id"])
    assert note["kind"] == "invitation"
    assert "Giấy mời" in note["text"]
