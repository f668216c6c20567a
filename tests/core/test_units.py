"""unit:create, unit:update, unit:list — the province → district → commune tree."""

from __future__ import annotations

import uuid

from tests.core.util import admin, by_id, not_object_payloads
from tests.live import Live


async def test_admin_builds_the_unit_tree(clients: Live) -> None:
    _, ac = await admin(clients)
    province = await ac.ok("unit:create", {"name": "Tỉnh Hòa Bình Xanh", "kind": "province"})
    assert province["kind"] == "province" and province["parent_id"] is None
    assert province["name"] == "Tỉnh Hòa Bình Xanh"
    district = await ac.ok(
        "unit:create", {"name": "Huyện Mai Châu", "kind": "district", "parent_id": province["id"]}
    )
    commune = await ac.ok(
        "unit:create", {"name": "Xã Chiềng Châu", "kind": "commune", "parent_id": district["id"]}
    )
    assert district["parent_id"] == province["id"] and commune["parent_id"] == district["id"]
    # Anyone signed in sees the tree.
    viewer = await clients.client(await clients.person())
    units = await viewer.ok("unit:list", {})
    assert by_id(units, commune["id"]) == commune
    assert by_id(units, district["id"]) == district
    names = [u["name"] for u in units]
    assert names == sorted(names)  # ordered by name


async def test_unit_create_invalid_and_refused(clients: Live) -> None:
    _, ac = await admin(clients)
    organizer = await clients.client(await clients.person("tochuc", organizer=True))
    before = await ac.ok("unit:list", {})
    cases = [
        *not_object_payloads(),
        ({"name": "Làng Vân", "kind": "village"}, "invalid", "kind"),
        ({"name": "Làng Vân", "kind": 1}, "invalid", "kind"),
        ({"name": "", "kind": "commune"}, "invalid", "name"),
        ({"name": 5, "kind": "commune"}, "invalid", "name"),
        ({"kind": "commune"}, "invalid", "name"),
        ({"name": "Xã A", "kind": "commune", "parent_id": "1"}, "invalid", "parent_id"),
        ({"name": "Xã A", "kind": "commune", "parent_id": 987654}, "invalid", "parent_id"),
        (
            {"name": "Xã A", "kind": "commune", "code": "mã có dấu cách"},
            "invalid",
            "code",
        ),  # issue 12: codes exist now; a malformed one is refused
    ]
    for payload, code, name in cases:
        err = await ac.error("unit:create", payload, code)
        assert name in err["details"], (payload, err)
    await organizer.error("unit:create", {"name": "Xã B", "kind": "commune"}, "forbidden")
    assert await ac.ok("unit:list", {}) == before


async def test_unit_update(clients: Live) -> None:
    _, ac = await admin(clients)
    a = await ac.ok("unit:create", {"name": "Huyện Cũ", "kind": "district"})
    b = await ac.ok("unit:create", {"name": "Huyện Mới", "kind": "district"})
    c = await ac.ok("unit:create", {"name": "Xã Đồng", "kind": "commune", "parent_id": a["id"]})
    moved = await ac.ok(
        "unit:update", {"unit_id": c["id"], "parent_id": b["id"], "name": "Xã Đồng Tâm"}
    )
    assert moved == {
        "id": c["id"],
        "name": "Xã Đồng Tâm",
        "code": None,  # issue 12: units have an optional code
        "kind": "commune",
        "parent_id": b["id"],
    }
    top = await ac.ok("unit:update", {"unit_id": c["id"], "parent_id": None})
    assert top["parent_id"] is None and top["name"] == "Xã Đồng Tâm"
    assert by_id(await ac.ok("unit:list", {}), c["id"]) == top


async def test_unit_update_invalid_and_refused(clients: Live) -> None:
    _, ac = await admin(clients)
    province = await ac.ok("unit:create", {"name": "Tỉnh Thử", "kind": "province"})
    district = await ac.ok(
        "unit:create", {"name": "Huyện Thử", "kind": "district", "parent_id": province["id"]}
    )
    commune = await ac.ok(
        "unit:create", {"name": "Xã Thử", "kind": "commune", "parent_id": district["id"]}
    )
    pid = province["id"]
    before = await ac.ok("unit:list", {})
    cases = [
        *not_object_payloads(),
        ({"unit_id": "x"}, "invalid", "unit_id"),
        ({"name": "Không rõ"}, "invalid", "unit_id"),
        ({"unit_id": pid, "kind": "village"}, "invalid", "kind"),
        ({"unit_id": pid, "name": ""}, "invalid", "name"),
        ({"unit_id": pid, "name": None}, "invalid", "name"),
        ({"unit_id": pid, "kind": None}, "invalid", "kind"),
        ({"unit_id": pid, "parent_id": 987654}, "invalid", "parent_id"),
        ({"unit_id": pid, "parent_id": pid}, "invalid", "parent_id"),  # under itself
        ({"unit_id": pid, "parent_id": commune["id"]}, "invalid", "parent_id"),  # a cycle
        ({"unit_id": pid, "color": "red"}, "invalid", "color"),
    ]
    for payload, code, name in cases:
        err = await ac.error("unit:update", payload, code)
        assert name in err["details"], (payload, err)
    await ac.error("unit:update", {"unit_id": 987654, "name": "Không có"}, "not_found")
    other = await clients.client(await clients.person("tochuc", organizer=True))
    await other.error("unit:update", {"unit_id": pid, "name": "Bị đổi"}, "forbidden")
    assert await ac.ok("unit:list", {}) == before


async def test_unit_list_invalid(clients: Live) -> None:
    c = await clients.client(await clients.person())
    for payload, code, name in [*not_object_payloads(), ({"kind": "province"}, "invalid", "kind")]:
        err = await c.error("unit:list", payload, code)
        assert name in err["details"], (payload, err)


async def test_unit_codes_are_unique_and_can_be_cleared(clients: Live) -> None:
    """Issue 12: a unit's optional code (mã đơn vị), for the CSV import."""
    _, ac = await admin(clients)
    code = f"M{uuid.uuid4().hex[:6]}"
    a = await ac.ok("unit:create", {"name": "Xã Có Mã", "kind": "commune", "code": code})
    assert a["code"] == code
    err = await ac.error(
        "unit:create", {"name": "Xã Khác", "kind": "commune", "code": code.upper()}, "invalid"
    )
    assert err["details"] == {"code": "taken"}
    await ac.error("unit:create", {"name": "Xã Sai", "kind": "commune", "code": "a b"}, "invalid")
    same = await ac.ok("unit:update", {"unit_id": a["id"], "code": code, "name": "Xã Có Mã Mới"})
    assert same["code"] == code  # its own code is not "taken"
    cleared = await ac.ok("unit:update", {"unit_id": a["id"], "code": ""})
    assert cleared["code"] is None
