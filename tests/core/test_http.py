"""HTTP login/logout and the user import; Socket.IO authentication, transports and bad events."""

from __future__ import annotations

import asyncio

import socketio

from tests.core.test_users import login, refused_connect
from tests.core.util import admin
from tests.live import Client, Live, meeting_with

# --- POST /api/login and /api/logout ------------------------------------------------------


async def test_login_gives_a_token_and_the_user(clients: Live) -> None:
    who = await clients.person("dangnhap", password="mat-khau-dung-1", organizer=True)
    async with clients.http() as http:
        r = await http.post(
            "/api/login", json={"username": who.user.username, "password": "mat-khau-dung-1"}
        )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "user"}
    assert body["user"]["id"] == who.id and body["user"]["organizer"] is True
    assert "password_hash" not in body["user"]
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # The token opens a socket.
    c = await clients.client(body["token"])
    assert (await c.ok("user:me", {}))["id"] == who.id


async def test_login_refuses_a_bad_pair(clients: Live) -> None:
    who = await clients.person("dangnhap", password="mat-khau-dung-1")
    for username, password in [
        (who.user.username, "sai-mat-khau"),
        ("khong-co-ai-ten-nay", "mat-khau-dung-1"),
        (who.user.username.upper(), "mat-khau-dung-1"),
    ]:
        status, body = await login(clients, username, password)
        assert status == 401 and body["error"]["code"] == "unauthenticated", body
        assert body["error"]["message"]
    async with clients.http() as http:
        for payload in [
            {"username": who.user.username},
            {"username": 1, "password": "x"},
            ["a", "b"],
        ]:
            r = await http.post("/api/login", json=payload)
            assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
        r = await http.post(
            "/api/login", content=b"not json", headers={"content-type": "application/json"}
        )
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"


async def test_login_is_limited_after_repeated_failures(clients: Live) -> None:
    who = await clients.person("dangnhap", password="mat-khau-dung-1")
    max_failures = clients.server.settings.login_max_failures
    for _ in range(max_failures):
        status, body = await login(clients, who.user.username, "sai-mat-khau")
        assert status == 401
    status, body = await login(clients, who.user.username, "sai-mat-khau")
    assert status == 429 and body["error"]["code"] == "rate_limited"
    # Even the right password waits now: guessing is stopped, not slowed.
    status, body = await login(clients, who.user.username, "mat-khau-dung-1")
    assert status == 429
    # Another account is not affected.
    other = await clients.person("dangnhap", password="mat-khau-dung-1")
    assert (await login(clients, other.user.username, "mat-khau-dung-1"))[0] == 200


async def test_logout_revokes_the_token(clients: Live) -> None:
    who = await clients.person("dangxuat", password="mat-khau-dung-1")
    status, body = await login(clients, who.user.username, "mat-khau-dung-1")
    token = body["token"]
    async with clients.http(token) as http:
        assert (await http.get("/api/calendar.ics")).status_code == 200
        r = await http.post("/api/logout")
        assert r.status_code == 200
        r = await http.get("/api/calendar.ics")
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
        assert (await http.post("/api/logout")).status_code == 401
    assert await refused_connect(clients, token) == "unauthenticated"
    # The person's other sessions are untouched.
    c = await clients.client(who)
    assert (await c.ok("user:me", {}))["id"] == who.id
    async with clients.http() as http:
        assert (await http.post("/api/logout")).status_code == 401


# --- Socket.IO: authentication and transports ------------------------------------------------


async def test_socket_refuses_a_bad_or_missing_token(clients: Live) -> None:
    assert await refused_connect(clients, "not-a-token") == "unauthenticated"
    assert await refused_connect(clients, "") == "unauthenticated"
    assert await refused_connect(clients, "x" * 500) == "unauthenticated"
    sio = socketio.AsyncClient(reconnection=False)
    messages: list = []
    sio.on("connect_error", lambda data=None: messages.append(data))
    try:
        await sio.connect(clients.url, transports=["websocket"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        pass
    else:
        await sio.disconnect()
        raise AssertionError("a connection without a token was accepted")
    assert messages and messages[-1]["message"] == "unauthenticated"


async def test_socket_accepts_the_session_cookie(clients: Live) -> None:
    who = await clients.person("cookie")
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        clients.url,
        headers={"Cookie": f"hop_session={who.token}"},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        ack = await sio.call("user:me", {}, timeout=10)
        assert ack["ok"] is True and ack["data"]["id"] == who.id
    finally:
        await sio.disconnect()


async def test_the_polling_transport_works(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    d = m["delegates"][0]
    c = await clients.client(d, transports=["polling"])
    assert (await c.ok("user:me", {}))["id"] == d.id
    await m["secretary_client"].ok("meeting:publish", {"meeting_id": m["meeting_id"]})
    note = await c.push("notification", lambda n: n["meeting_id"] == m["meeting_id"])
    assert note["kind"] == "invitation"
    snap = await c.ok("meeting:join", {"meeting_id": m["meeting_id"]})
    assert snap["my_role"] == "delegate"
    await m["secretary_client"].ok(
        "meeting:update", {"meeting_id": m["meeting_id"], "title": "Qua polling"}
    )
    pushed = await c.push("meeting:updated", lambda x: x["meeting_id"] == m["meeting_id"])
    assert pushed["title"] == "Qua polling"
    await close_polling(clients, c)


async def close_polling(live: Live, c: Client) -> None:
    """End a polling client at once. A client-side close leaves the server's long poll waiting
    (ping_interval + ping_timeout, 45 s) and python-engineio's client idling in its write loop
    for 30 s: so the server closes the socket, which answers the pending poll, and the client's
    write loop is told to stop. Library behaviour, not the server's."""
    eio = c.sio.eio
    await live.server.sio.eio.disconnect(eio.sid)
    eio.queue.put_nowait(None)
    await eio.read_loop_task
    assert not c.sio.connected


async def test_malformed_events_never_drop_the_connection(clients: Live) -> None:
    who = await clients.person()
    c = await clients.client(who)

    cases = [
        await c.sio.call("user:me", timeout=10),  # no payload at all
        await c.sio.call("khong:co", {}, timeout=10),  # unknown event
        await c.sio.call("meeting:get", b"\x00\x01binary", timeout=10),
        await c.sio.call("meeting:get", "chuỗi", timeout=10),
        await c.sio.call("meeting:get", None, timeout=10),
        await c.sio.call(
            "meeting:get", {"meeting_id": {"nested": [1, {"deep": True}]}}, timeout=10
        ),
        await c.sio.call("meeting:get", {"meeting_id": float("1e308")}, timeout=10),
        await c.sio.call(
            "meeting:get", ({"meeting_id": 1}, {"meeting_id": 2}), timeout=10
        ),  # two arguments
        await c.sio.call("user:list", {"q": "x" * 5000}, timeout=10),
    ]
    for a in cases:
        assert a["ok"] is False and a["error"]["code"] == "invalid", a
        assert set(a["error"]) == {"code", "message", "details"} and a["error"]["details"]
        assert "Traceback" not in a["error"]["message"]
    assert cases[1]["error"]["details"] == {"event": "unknown"}
    # An event sent without asking for an ack is simply answered into the void.
    await c.sio.emit("meeting:get", "không có ack")
    await c.sio.emit("khong:co")
    assert c.sio.connected
    assert (await c.ok("user:me", {}))["id"] == who.id


async def test_a_flood_is_rate_limited_without_dropping_the_connection(clients: Live) -> None:
    c = await clients.client(await clients.person())
    acks = await asyncio.gather(*(c.call("user:me", {}) for _ in range(100)))
    codes = {a["error"]["code"] for a in acks if not a["ok"]}
    assert codes == {"rate_limited"}
    assert sum(a["ok"] for a in acks) >= 50
    assert c.sio.connected


# --- POST /api/users/import -----------------------------------------------------------------


CSV_HEADER = "username,full_name,unit_id,title,point,organizer\n"


async def import_csv(live: Live, token: str | None, content: bytes) -> tuple[int, dict]:
    async with live.http(token) as http:
        r = await http.post(
            "/api/users/import", files={"file": ("nguoi-dung.csv", content, "text/csv")}
        )
    return r.status_code, r.json()


async def test_import_creates_users_who_must_change_their_password(clients: Live) -> None:
    admin_person, ac = await admin(clients)
    unit = await ac.ok("unit:create", {"name": "Xã Nhập Liệu", "kind": "commune"})
    tag = f"{unit['id']}x{admin_person.id}"
    existing = await clients.person("dacoroi")
    u = unit["id"]
    rows = [
        f"hoa.{tag},Nguyễn Thị Hoa,{u},Chuyên viên,0,1",  # 2: created
        f"dc.{tag},Điểm cầu xã,{u},,1,0",  # 3: created (a connection point)
        f"có dấu {tag},Tên sai,{u},,0,0",  # 4: bad username
        f"{existing.user.username},Trùng tên,{u},,0,0",  # 5: taken
        f"hoa.{tag},Nguyễn Thị Hoa 2,{u},,0,0",  # 6: twice in the file
        f"noname.{tag},,{u},,0,0",  # 7: no name
        f"nounit.{tag},Không đơn vị,987654,,0,0",  # 8: unknown unit
        f"flag.{tag},Cờ sai,{u},,có lẽ,0",  # 9: bad flag
        f"short.{tag},Thiếu cột",  # 10: wrong column count
        "",  # blank lines are skipped
        f"nounit2.{tag},Không đơn vị,,Cán bộ,no,yes",  # 12: created, no unit
    ]
    content = ("\ufeff" + CSV_HEADER + "\n".join(rows) + "\n").encode()
    status, body = await import_csv(clients, admin_person.token, content)
    assert status == 200, body
    assert [c["username"] for c in body["created"]] == [f"hoa.{tag}", f"dc.{tag}", f"nounit2.{tag}"]
    assert [r["row"] for r in body["refused"]] == [4, 5, 6, 7, 8, 9, 10]
    assert all(isinstance(r["reason"], str) and r["reason"] for r in body["refused"])
    # Nothing of a refused row is stored.
    for name in (f"có dấu {tag}", f"noname.{tag}", f"nounit.{tag}", f"flag.{tag}", f"short.{tag}"):
        assert await ac.ok("user:list", {"q": name}) == [], name
    [hoa] = await ac.ok("user:list", {"q": f"hoa.{tag}"})
    assert hoa["full_name"] == "Nguyễn Thị Hoa" and hoa["organizer"] is True and hoa["unit_id"] == u
    [dc] = await ac.ok("user:list", {"q": f"dc.{tag}"})
    assert dc["point"] is True and dc["organizer"] is False
    [noun] = await ac.ok("user:list", {"q": f"nounit2.{tag}"})
    assert noun["unit_id"] is None and noun["title"] == "Cán bộ" and noun["organizer"] is True
    [ex] = await ac.ok("user:list", {"q": existing.user.username})
    assert ex["full_name"] == existing.user.full_name
    # Each initial password logs in, and must be changed before anything else.
    for created in body["created"]:
        status, login_body = await login(clients, created["username"], created["initial_password"])
        assert status == 200 and login_body["user"]["must_change_password"] is True
    status, login_body = await login(clients, f"hoa.{tag}", body["created"][0]["initial_password"])
    c = await clients.client(login_body["token"])
    await c.error("meeting:list", {}, "forbidden")
    await c.ok(
        "user:change_password",
        {
            "old_password": body["created"][0]["initial_password"],
            "new_password": "mat-khau-rieng-1",
        },
    )
    assert (await c.ok("user:me", {}))["must_change_password"] is False


async def test_import_is_for_admins_only(clients: Live) -> None:
    organizer = await clients.person("tochuc", organizer=True)
    content = (CSV_HEADER + f"lau.{organizer.id},Kẻ lạ,,,0,0\n").encode()
    status, body = await import_csv(clients, organizer.token, content)
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await import_csv(clients, None, content)
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    _, ac = await admin(clients)
    assert await ac.ok("user:list", {"q": f"lau.{organizer.id}"}) == []


async def test_import_refuses_a_bad_file(clients: Live) -> None:
    admin_person, ac = await admin(clients)
    tag = admin_person.id
    for content in [
        f"ten,ho_ten\nbad.{tag},X\n".encode(),  # wrong header
        (CSV_HEADER + f"latin.{tag},Nguyễn,,,0,0\n").encode("utf-16"),  # not UTF-8
        b"",
    ]:
        status, body = await import_csv(clients, admin_person.token, content)
        assert status == 400 and body["error"]["code"] == "invalid", body
    async with clients.http(admin_person.token) as http:
        r = await http.post("/api/users/import", data={"nothing": "here"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    assert await ac.ok("user:list", {"q": f"latin.{tag}"}) == []


async def test_logout_ends_an_open_socket_session(clients: Live) -> None:
    person = await clients.person("daibieu")
    c = await clients.client(person)
    assert (await c.ok("user:me", {}))["id"] == person.id
    disconnected = asyncio.Event()
    c.sio.on("disconnect", lambda *a: disconnected.set())
    async with clients.http(person.token) as http:
        assert (await http.post("/api/logout")).status_code == 200
    await asyncio.wait_for(disconnected.wait(), timeout=10)
    assert not c.sio.connected
