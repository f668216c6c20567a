"""The administrator's screens: the unit tree, people and connection points, the CSV import with
its report; and the imported person's forced password change at first sign-in."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from tests.e2e.conftest import Browsers, shot, unique
from tests.live import Live


async def test_admin_units_people_and_import(clients: Live, browsers: Browsers) -> None:
    live = clients
    admin = await live.person("quantri", admin=True, full_name=unique("Vũ Quản Trị"))
    page = await browsers.login(admin.user.username)
    await page.get_by_role("link", name="Quản trị").click()
    await expect(page.get_by_role("heading", name="Quản trị")).to_be_visible()

    # The unit tree: a province and a district under it.
    province, district = unique("Tỉnh Thử Nghiệm"), unique("Huyện Đồi Núi")
    await page.get_by_role("link", name="Đơn vị").click()
    await page.get_by_role("button", name="+ Thêm đơn vị").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Tên đơn vị").fill(province)
    await dialog.get_by_label("Loại").select_option("province")
    await dialog.get_by_role("button", name="Lưu").click()
    province_row = page.locator(".tree-row", has_text=province)
    await expect(province_row).to_be_visible()
    await province_row.get_by_role("button", name="+ Đơn vị con").click()
    await dialog.get_by_label("Tên đơn vị").fill(district)
    await expect(dialog.get_by_label("Loại")).to_have_value("district")
    await dialog.get_by_role("button", name="Lưu").click()
    district_row = page.locator(".tree-row", has_text=district)
    await expect(district_row).to_contain_text("Huyện")
    district_id = await district_row.get_attribute("data-unit-id")
    await shot(page, "07-admin-units")

    # A person: create, then disable and reset the password.
    name = unique("Đỗ Thị Cán Bộ")
    username = f"canbo{uuid.uuid4().hex[:6]}"
    await page.get_by_role("link", name="Người dùng & điểm cầu").click()
    await page.get_by_role("button", name="+ Thêm tài khoản").click()
    await dialog.get_by_label("Tên đăng nhập").fill(username)
    await dialog.get_by_label("Mật khẩu ban đầu").fill("matkhau-ban-dau")
    await dialog.get_by_label("Họ tên").fill(name)
    await dialog.get_by_label("Chức vụ").fill("Chuyên viên")
    await dialog.get_by_label("Đơn vị").select_option(district_id)
    await dialog.get_by_label("Được tạo cuộc họp").check()
    await dialog.get_by_role("button", name="Lưu").click()
    await page.get_by_label("Tìm", exact=True).fill(name)
    row = page.locator("tr", has_text=name)
    await expect(row).to_contain_text(district)
    await expect(row).to_contain_text("Tổ chức họp")

    await row.get_by_role("button", name="Cấp lại mật khẩu").click()
    await dialog.get_by_role("button", name="Cấp lại").click()
    await expect(dialog.locator(".secret")).to_have_text(re.compile(r"\S{8,}"))
    await dialog.get_by_role("button", name="Đóng").click()
    await expect(row).to_contain_text("Chờ đổi mật khẩu")

    await row.get_by_role("button", name="Khoá").click()
    await dialog.get_by_role("button", name="Khoá").click()
    await expect(row).to_contain_text("Đã khoá")
    await expect(row.get_by_role("button", name="Mở khoá")).to_be_visible()
    await page.get_by_label("Tìm", exact=True).fill("")
    await expect(page.locator("tr", has_text=admin.user.full_name)).to_be_visible()
    await shot(page, "08-admin-users")

    # The CSV import: one row created, two refused with their reasons.
    imported = f"nhap{uuid.uuid4().hex[:6]}"
    csv = (
        "username,full_name,unit_id,title,point,organizer\n"
        f"{imported},Hoàng Văn Nhập,{district_id},Phó Chủ tịch,0,0\n"
        f"{imported},Trùng Tên,,,0,0\n"
        "khongdonvi,Không Có Đơn Vị,999999,,0,0\n"
    )
    await page.get_by_role("link", name="Nhập từ tệp CSV").click()
    await page.get_by_label("Tệp CSV").set_input_files(
        files=[{"name": "nguoi-dung.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    await page.get_by_role("button", name="Nhập", exact=True).click()
    await expect(
        page.get_by_role("heading", name="Đã tạo 1 tài khoản, từ chối 2 dòng")
    ).to_be_visible()
    created = page.locator("table.created tbody tr")
    await expect(created).to_have_count(1)
    await expect(created).to_contain_text(imported)
    refused = page.locator("table.refused tbody tr")
    await expect(refused.nth(0)).to_contain_text("3")
    await expect(refused.nth(0)).to_contain_text("đã có")
    await expect(refused.nth(1)).to_contain_text("4")
    await expect(refused.nth(1)).to_contain_text("không có đơn vị 999999")
    await shot(page, "09-admin-import")
    initial = await created.locator("td").nth(1).inner_text()

    # The imported person must change the initial password before anything else.
    newcomer = await browsers.login(imported, initial)
    await expect(newcomer.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
    await expect(newcomer.get_by_role("link", name="Lịch họp")).to_have_count(0)
    await newcomer.get_by_label("Mật khẩu hiện tại").fill(initial)
    await newcomer.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("mat-khau-moi-2026")
    await newcomer.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-moi-2026")
    await shot(newcomer, "10-change-password")
    await newcomer.get_by_role("button", name="Đổi mật khẩu").click()
    await expect(newcomer.get_by_role("heading", name="Lịch họp của tôi")).to_be_visible()


async def test_language_switch_is_remembered(clients: Live, browsers: Browsers) -> None:
    person = await clients.person("ngonngu")
    page = await browsers.login(person.user.username)
    await expect(page.get_by_role("heading", name="Lịch họp của tôi")).to_be_visible()
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="My meetings")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", name="My meetings")).to_be_visible()
    # The server-rendered login page follows the choice too.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
