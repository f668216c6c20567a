"""Issue 12: the CSV import takes a unit's name (as the unit tree shows it) or its code as well
as its id, and the unit tree shows the ids and codes."""

from __future__ import annotations

import unicodedata
import uuid

from playwright.async_api import expect

from meeting.models import User
from tests.e2e.conftest import Browsers, shot, unique
from tests.live import Live


async def test_import_by_unit_name_and_ids_in_the_tree(clients: Live, browsers: Browsers) -> None:
    admin = await clients.person("quantri", admin=True, full_name=unique("Vũ Quản Trị"))
    ac = await clients.client(admin)
    province = await ac.ok("unit:create", {"name": unique("Tỉnh Sơn Cước"), "kind": "province"})
    office = await ac.ok(
        "unit:create",
        {"name": unique("Văn phòng UBND tỉnh"), "kind": "department", "parent_id": province["id"]},
    )
    districts = [
        await ac.ok(
            "unit:create",
            {"name": unique(f"Huyện {n}"), "kind": "district", "parent_id": province["id"]},
        )
        for n in ("Bắc", "Nam")
    ]
    code = f"X{uuid.uuid4().hex[:6].upper()}"
    coded = await ac.ok(
        "unit:create",
        {
            "name": unique("Xã Tây Sơn"),
            "kind": "commune",
            "parent_id": province["id"],
            "code": code,
        },
    )
    assert coded["code"] == code
    twin = unique("Xã Đông Hòa")  # one name under both districts
    twins = [
        await ac.ok("unit:create", {"name": twin, "kind": "commune", "parent_id": d["id"]})
        for d in districts
    ]

    page = await browsers.login(admin.user.username)
    await page.goto(f"{clients.url}/#/admin/units")
    office_row = page.locator(f".tree-row[data-unit-id='{office['id']}']")
    await expect(office_row.locator(".tree-id")).to_have_text(f"#{office['id']}")
    coded_row = page.locator(f".tree-row[data-unit-id='{coded['id']}']")
    await expect(coded_row.locator(".tree-code")).to_have_text(f"mã {code}")
    # The code is edited in the unit's dialog; a malformed one is stopped there.
    await coded_row.get_by_role("button", name="Sửa").click()
    dialog = page.get_by_role("dialog")
    field = dialog.get_by_label("Mã đơn vị (không bắt buộc)")
    await expect(field).to_have_value(code)
    await field.fill("có dấu cách")
    assert not await field.evaluate("el => el.checkValidity()")
    code = f"Y{uuid.uuid4().hex[:6].upper()}"
    await field.fill(code)
    await dialog.get_by_role("button", name="Lưu").click()
    await expect(coded_row.locator(".tree-code")).to_have_text(f"mã {code}")
    await shot(page, "admin-unit-tree-ids")

    tag = uuid.uuid4().hex[:5]
    by_name, by_case, by_id, by_code, ambiguous = (
        f"{w}{tag}" for w in ("ten", "hoa", "so", "ma", "trung")
    )
    # Typed in another case, and decomposed (as some spreadsheets save Vietnamese).
    other_form = unicodedata.normalize("NFD", districts[1]["name"].upper())
    csv = (
        "username,full_name,unit_id,title,point,organizer\n"
        f"{by_name},Nguyễn Văn Tên,{office['name']},Chánh Văn phòng,0,0\n"
        f"{by_case},Lê Thị Hoa,{other_form},,0,0\n"
        f"{by_id},Trần Văn Số,{districts[0]['id']},,0,0\n"
        f"{by_code},Đỗ Văn Mã,{code.lower()},,1,0\n"
        f"{ambiguous},Phạm Văn Trùng,{twin},,1,0\n"
        f"khongco{tag},Không Có,Xã Không Có {tag},,0,0\n"
    )
    await page.get_by_role("link", name="Nhập từ tệp CSV").click()
    await expect(page.get_by_test_id("unit-help")).to_contain_text("tên đơn vị đúng như trong")
    await page.get_by_label("Tệp CSV").set_input_files(
        files=[{"name": "nguoi-dung.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    await page.get_by_role("button", name="Nhập", exact=True).click()
    await expect(
        page.get_by_role("heading", name="Đã tạo 4 tài khoản, từ chối 2 dòng")
    ).to_be_visible()
    refused = page.locator("table.refused tbody tr")
    await expect(refused.nth(0)).to_contain_text(
        f"có 2 đơn vị tên {twin} (id {twins[0]['id']}, {twins[1]['id']})"
    )
    await expect(refused.nth(1)).to_contain_text(f"không có đơn vị Xã Không Có {tag}")
    await shot(page, "admin-import-by-name")
    with clients.db():
        units = dict(
            await User.filter(username__in=[by_name, by_case, by_id, by_code]).values_list(
                "username", "unit_id"
            )
        )
        assert not await User.exists(username=ambiguous)
    assert units == {
        by_name: office["id"],
        by_case: districts[1]["id"],
        by_id: districts[0]["id"],
        by_code: coded["id"],
    }
