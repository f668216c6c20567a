"""user:me, user:create, user:list, user:update, user:reset_password, user:change_password."""

from __future__ import annotations

import asyncio

import socketio

from tests.core.util import admin, by_id, not_object_payloads
from tests.live import Live


async def login(live: Live, username: str, password: str) -> tuple[int, dict]:
    async with live.http() as http:
        r = await http.post("/api/login", json={"username": username, "password": password})
    return r.status_code, r.json()


async def refused_connect(live: Live, token: str) -> str:
    """Connect with `token`; return the refusal message (the connection must be refused)."""
    sio = socketio.AsyncClient(reconnection=False)
    messages: list = []
    sio.on("connect_error", lambda data=None: messages.append(data))
    try:
        await sio.connect(
            live.url, auth={"token": token}, transports=["websocket"], wait_timeout=10
        )
    except socketio.exceptions.ConnectionError:
        pass
    else:
        await sio.disconnect()
        raise AssertionError("connection with this token was accepted")
    assert messages, "no connect_error received"
    data = messages[-1]
    return data.get("message") if isinstance(data, dict) else data


# --- user:me ----------------------------------------------------------------------------


async def test_me_shows_who_i_am(clients: Live) -> None:
    who = await clients.person("canbo", organizer=True, full_name="Nguyễn Văn Ấn")
    c = await clients.client(who)
    me = await c.ok("user:me", {})
    assert me["id"] == who.id
    assert me["username"] == who.user.username
    assert me["full_name"] == "Nguyễn Văn Ấn"
    assert me["organizer"] is True and me["admin"] is False and me["point"] is False
    assert me["active"] is True and me["must_change_password"] is False
    assert "password_hash" not in me and "password" not in me


async def test_me_invalid_payloads(clients: Live) -> None:
    c = await clients.client(await clients.person())
    for payload, code, name in not_object_payloads():
        err = await c.error("user:me", payload, code)
        assert name in err["details"]
    err = await c.error("user:me", {"user_id": 1}, "invalid")
    assert "user_id" in err["details"]
    # The connection survives every refusal.
    assert (await c.ok("user:me", {}))["id"]


# --- user:create ------------------------------------------------------------------------


async def test_admin_creates_a_user_who_can_log_in(clients: Live) -> None:
    _, ac = await admin(clients)
    unit = await ac.ok("unit:create", {"name": "Sở Nội vụ", "kind": "department"})
    username = f"lan.tran{unit['id']}"
    u = await ac.ok(
        "user:create",
        {
            "username": username,
            "password": "matkhau-moi-1",
            "full_name": "Trần Thị Lan",
            "unit_id": unit["id"],
            "title": "Chánh văn phòng",
            "organizer": True,
        },
    )
    assert u["username"] == username and u["full_name"] == "Trần Thị Lan"
    assert u["unit_id"] == unit["id"] and u["title"] == "Chánh văn phòng"
    assert u["organizer"] is True and u["admin"] is False and u["point"] is False
    assert u["active"] is True and u["must_change_password"] is False
    listed = await ac.ok("user:list", {"q": username})
    assert [x["id"] for x in listed] == [u["id"]]
    status, body = await login(clients, username, "matkhau-moi-1")
    assert status == 200 and body["user"]["id"] == u["id"]


async def test_user_create_invalid_and_refused(clients: Live) -> None:
    _, ac = await admin(clients)
    organizer = await clients.person("tochuc", organizer=True)
    oc = await clients.client(organizer)
    base = {"username": f"hoa{organizer.id}", "password": "matkhau123", "full_name": "Lê Hoa"}
    cases = [
        *not_object_payloads(),
        ({**base, "username": 5}, "invalid", "username"),
        ({**base, "username": "có dấu"}, "invalid", "username"),
        ({**base, "password": "ngan"}, "invalid", "password"),
        ({**base, "full_name": ""}, "invalid", "full_name"),
        ({**base, "admin": "yes"}, "invalid", "admin"),
        ({**base, "point": 1}, "invalid", "point"),
        ({**base, "unit_id": "3"}, "invalid", "unit_id"),
        ({**base, "unit_id": 987654}, "invalid", "unit_id"),
        ({**base, "role": "admin"}, "invalid", "role"),
        ({k: v for k, v in base.items() if k != "full_name"}, "invalid", "full_name"),
    ]
    for payload, code, name in cases:
        err = await ac.error("user:create", payload, code)
        assert name in err["details"], (payload, err)
    # Only an administrator may create people; an organizer may not.
    await oc.error("user:create", base, "forbidden")
    assert await ac.ok("user:list", {"q": base["username"]}) == []
    # A taken username is a conflict, and the first user is untouched.
    first = await ac.ok("user:create", base)
    await ac.error("user:create", {**base, "full_name": "Người khác"}, "conflict")
    listed = await ac.ok("user:list", {"q": base["username"]})
    assert [(x["id"], x["full_name"]) for x in listed] == [(first["id"], "Lê Hoa")]


# --- user:list --------------------------------------------------------------------------


async def test_user_list_filters(clients: Live) -> None:
    _, ac = await admin(clients)
    unit = await ac.ok("unit:create", {"name": "Huyện Lạc Sơn", "kind": "district"})
    tag = f"x{unit['id']}"
    person = await clients.person("nguoi", unit_id=unit["id"], full_name=f"Đinh Công Tráng {tag}")
    point = await clients.person(
        "diemcau", unit_id=unit["id"], point=True, full_name=f"Điểm cầu {tag}"
    )
    gone = await clients.person("nghi", unit_id=unit["id"], full_name=f"Đã nghỉ {tag}")
    await ac.ok("user:update", {"user_id": gone.id, "active": False})
    viewer = await clients.client(await clients.person())

    ids = [u["id"] for u in await viewer.ok("user:list", {"unit_id": unit["id"]})]
    assert sorted(ids) == sorted([person.id, point.id])  # the disabled one is hidden
    assert [
        u["id"] for u in await viewer.ok("user:list", {"unit_id": unit["id"], "point": True})
    ] == [point.id]
    assert [
        u["id"] for u in await viewer.ok("user:list", {"unit_id": unit["id"], "point": False})
    ] == [person.id]
    # Search is case-insensitive on the full name and on the username.
    assert [u["id"] for u in await viewer.ok("user:list", {"q": f"TRÁNG {tag}".lower()})] == [
        person.id
    ]
    assert [u["id"] for u in await viewer.ok("user:list", {"q": person.user.username.upper()})] == [
        person.id
    ]
    # An administrator also sees disabled accounts.
    admin_ids = [u["id"] for u in await ac.ok("user:list", {"unit_id": unit["id"]})]
    assert sorted(admin_ids) == sorted([person.id, point.id, gone.id])
    assert by_id(await ac.ok("user:list", {"unit_id": unit["id"]}), gone.id)["active"] is False


async def test_user_list_invalid(clients: Live) -> None:
    c = await clients.client(await clients.person())
    cases = [
        *not_object_payloads(),
        ({"point": "yes"}, "invalid", "point"),
        ({"unit_id": "1"}, "invalid", "unit_id"),
        ({"q": 5}, "invalid", "q"),
        ({"name": "x"}, "invalid", "name"),
    ]
    for payload, code, name in cases:
        err = await c.error("user:list", payload, code)
        assert name in err["details"], (payload, err)


# --- user:update ------------------------------------------------------------------------


async def test_admin_updates_a_user(clients: Live) -> None:
    _, ac = await admin(clients)
    unit = await ac.ok("unit:create", {"name": "Xã Tân Lập", "kind": "commune"})
    target = await clients.person("canbo")
    u = await ac.ok(
        "user:update",
        {
            "user_id": target.id,
            "full_name": "Bùi Thị Mai",
            "title": "Phó chủ tịch",
            "unit_id": unit["id"],
            "organizer": True,
        },
    )
    assert u["full_name"] == "Bùi Thị Mai" and u["title"] == "Phó chủ tịch"
    assert u["unit_id"] == unit["id"] and u["organizer"] is True and u["admin"] is False
    tc = await clients.client(target)
    me = await tc.ok("user:me", {})
    assert me["full_name"] == "Bùi Thị Mai" and me["organizer"] is True
    # Unset fields stay; unit_id null takes the person out of the unit.
    u = await ac.ok("user:update", {"user_id": target.id, "unit_id": None})
    assert u["unit_id"] is None and u["title"] == "Phó chủ tịch"


async def test_user_update_invalid_and_refused(clients: Live) -> None:
    admin_person, ac = await admin(clients)
    target = await clients.person("canbo", full_name="Vũ Văn Bình")
    other = await clients.client(await clients.person("khac", organizer=True))
    cases = [
        *not_object_payloads(),
        ({"user_id": "x"}, "invalid", "user_id"),
        ({"full_name": "Ai đó"}, "invalid", "user_id"),
        ({"user_id": target.id, "admin": "true"}, "invalid", "admin"),
        ({"user_id": target.id, "active": 0}, "invalid", "active"),
        ({"user_id": target.id, "unit_id": 987654}, "invalid", "unit_id"),
        ({"user_id": target.id, "full_name": None}, "invalid", "full_name"),
        ({"user_id": target.id, "full_name": ""}, "invalid", "full_name"),
        ({"user_id": target.id, "password": "matkhau999"}, "invalid", "password"),
        ({"user_id": 987654, "full_name": "Không ai"}, "not_found", None),
    ]
    for payload, code, name in cases:
        err = await ac.error("user:update", payload, code)
        if name:
            assert name in err["details"], (payload, err)
    await other.error("user:update", {"user_id": target.id, "full_name": "Kẻ lạ"}, "forbidden")
    # An administrator cannot lock themselves out.
    await ac.error("user:update", {"user_id": admin_person.id, "active": False}, "conflict")
    await ac.error("user:update", {"user_id": admin_person.id, "admin": False}, "conflict")
    assert (await ac.ok("user:me", {}))["admin"] is True
    [row] = await ac.ok("user:list", {"q": target.user.username})
    assert row["full_name"] == "Vũ Văn Bình" and row["active"] is True and row["admin"] is False


async def test_user_update_null_for_a_required_text_is_invalid(clients: Live) -> None:
    """`title`/`email` and the flags are not nullable: null must be `invalid`, not `internal`."""
    _, ac = await admin(clients)
    target = await clients.person("canbo", title="Chuyên viên")
    for name in ("title", "email", "admin", "organizer", "point", "active"):
        err = await ac.error("user:update", {"user_id": target.id, name: None}, "invalid")
        assert name in err["details"], err
    [row] = await ac.ok("user:list", {"q": target.user.username})
    assert row["title"] == "Chuyên viên" and row["active"] is True


async def test_disabling_a_user_ends_their_access(clients: Live) -> None:
    _, ac = await admin(clients)
    target = await clients.person("canbo", password="matkhau-cu-1")
    tc = await clients.client(target)
    assert (await tc.ok("user:me", {}))["id"] == target.id
    dropped = asyncio.Event()
    tc.sio.on("disconnect", lambda *a: dropped.set())
    u = await ac.ok("user:update", {"user_id": target.id, "active": False})
    assert u["active"] is False
    await asyncio.wait_for(dropped.wait(), timeout=10)  # the open socket is ended at once
    assert await refused_connect(clients, target.token) == "unauthenticated"
    status, body = await login(clients, target.user.username, "matkhau-cu-1")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    # Enabled again, they log in (their old tokens stay revoked).
    await ac.ok("user:update", {"user_id": target.id, "active": True})
    status, body = await login(clients, target.user.username, "matkhau-cu-1")
    assert status == 200 and body["user"]["active"] is True
    assert await refused_connect(clients, target.token) == "unauthenticated"


# --- user:reset_password / user:change_password ------------------------------------------


async def test_reset_password_then_must_change(clients: Live) -> None:
    _, ac = await admin(clients)
    target = await clients.person("canbo", password="matkhau-cu-1")
    out = await ac.ok("user:reset_password", {"user_id": target.id})
    assert out["user_id"] == target.id
    initial = out["initial_password"]
    assert isinstance(initial, str) and len(initial) >= 8
    # The old password and the old token no longer work.
    status, _ = await login(clients, target.user.username, "matkhau-cu-1")
    assert status == 401
    assert await refused_connect(clients, target.token) == "unauthenticated"
    status, body = await login(clients, target.user.username, initial)
    assert status == 200 and body["user"]["must_change_password"] is True
    c = await clients.client(body["token"])
    # Until the password is changed, only user:me and user:change_password are allowed.
    assert (await c.ok("user:me", {}))["must_change_password"] is True
    for event, payload in [
        ("user:list", {}),
        ("unit:list", {}),
        ("meeting:list", {}),
        ("notification:list", {}),
        ("calendar:key", {}),
    ]:
        err = await c.error(event, payload, "forbidden")
        assert err["details"].get("must_change_password") is True
    me = await c.ok(
        "user:change_password", {"old_password": initial, "new_password": "matkhau-moi-2"}
    )
    assert me["must_change_password"] is False
    assert isinstance(await c.ok("user:list", {}), list)
    status, _ = await login(clients, target.user.username, "matkhau-moi-2")
    assert status == 200


async def test_reset_password_invalid_and_refused(clients: Live) -> None:
    _, ac = await admin(clients)
    target = await clients.person("canbo", password="matkhau-cu-1")
    cases = [
        *not_object_payloads(),
        ({"user_id": "1"}, "invalid", "user_id"),
        ({}, "invalid", "user_id"),
        ({"user_id": target.id, "password": "x"}, "invalid", "password"),
    ]
    for payload, code, name in cases:
        err = await ac.error("user:reset_password", payload, code)
        assert name in err["details"], (payload, err)
    await ac.error("user:reset_password", {"user_id": 987654}, "not_found")
    oc = await clients.client(await clients.person("tochuc", organizer=True))
    await oc.error("user:reset_password", {"user_id": target.id}, "forbidden")
    # Nothing changed: the password still works.
    status, body = await login(clients, target.user.username, "matkhau-cu-1")
    assert status == 200 and body["user"]["must_change_password"] is False


async def test_change_password(clients: Live) -> None:
    who = await clients.person("canbo", password="matkhau-cu-1")
    c = await clients.client(who)
    cases = [
        *not_object_payloads(),
        ({"old_password": "matkhau-cu-1"}, "invalid", "new_password"),
        ({"old_password": 1, "new_password": "matkhau-moi-2"}, "invalid", "old_password"),
        ({"old_password": "matkhau-cu-1", "new_password": "ngan"}, "invalid", "new_password"),
        (
            {"old_password": "sai-mat-khau", "new_password": "matkhau-moi-2"},
            "invalid",
            "old_password",
        ),
        (
            {"old_password": "matkhau-cu-1", "new_password": "matkhau-cu-1"},
            "invalid",
            "new_password",
        ),
        (
            {"old_password": "matkhau-cu-1", "new_password": "matkhau-moi-2", "user_id": 1},
            "invalid",
            "user_id",
        ),
    ]
    for payload, code, name in cases:
        err = await c.error("user:change_password", payload, code)
        assert name in err["details"], (payload, err)
    status, _ = await login(clients, who.user.username, "matkhau-cu-1")
    assert status == 200  # nothing changed
    await c.ok(
        "user:change_password", {"old_password": "matkhau-cu-1", "new_password": "matkhau-moi-2"}
    )
    assert (await login(clients, who.user.username, "matkhau-cu-1"))[0] == 401
    assert (await login(clients, who.user.username, "matkhau-moi-2"))[0] == 200
