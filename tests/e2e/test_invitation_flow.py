"""The issue's browser test: a secretary schedules and publishes a meeting; the invited delegate
sees the invitation without reloading and accepts; the secretary's count changes live."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from tests.e2e.conftest import PHONE, Browsers, shot, unique
from tests.live import Live


async def test_secretary_invites_delegate_accepts_live(clients: Live, browsers: Browsers) -> None:
    live = clients
    secretary = await live.person(
        "thuky", organizer=True, full_name=unique("Trần Thị Thư Ký"), title="Chánh Văn phòng"
    )
    chair = await live.person(
        "chutich", full_name=unique("Nguyễn Văn Chủ Trì"), title="Chủ tịch UBND tỉnh"
    )
    delegate = await live.person(
        "daibieu", full_name=unique("Lê Văn Đại Biểu"), title="Giám đốc Sở Tài chính"
    )
    title = unique("Họp giao ban tháng")

    # The login page, as a person first sees it.
    first = await browsers.page()
    await first.goto(f"{live.url}/login")
    await expect(first.get_by_role("heading", name="Họp không giấy tờ")).to_be_visible()
    await shot(first, "01-login")

    # Both sign in through the real form; the delegate waits on the meetings list.
    sec = await browsers.login(secretary.user.username)
    dele = await browsers.login(delegate.user.username)
    await expect(dele.get_by_role("heading", name="Lịch họp của tôi")).to_be_visible()
    await expect(dele.get_by_text("Không có cuộc họp nào sắp tới.")).to_be_visible()

    # The secretary creates the meeting, with the chair picked from the people search.
    await sec.get_by_role("link", name="+ Tạo cuộc họp").click()
    await expect(sec.get_by_role("heading", name="Tạo cuộc họp mới")).to_be_visible()
    await sec.get_by_label("Tên cuộc họp").fill(title)
    await sec.get_by_label("Địa điểm").fill("Phòng họp số 1, UBND tỉnh")
    await sec.get_by_label("Nội dung, ghi chú").fill("Đánh giá kết quả tháng; nhiệm vụ tháng tới.")
    await sec.get_by_placeholder("Tìm theo tên hoặc tên đăng nhập…").fill(chair.user.full_name)
    await sec.locator(".picker-option", has_text=chair.user.full_name).click()
    await expect(sec.locator(".chip", has_text=chair.user.full_name)).to_be_visible()
    await shot(sec, "02-meeting-form")
    await sec.get_by_role("button", name="Tạo cuộc họp").click()

    await expect(sec.get_by_role("heading", name=title)).to_be_visible()
    await expect(sec.locator(".meeting-head").get_by_text("Bản nháp")).to_be_visible()

    # An agenda item.
    await sec.get_by_role("button", name="+ Thêm nội dung").click()
    await (
        sec.get_by_role("dialog")
        .get_by_label("Nội dung")
        .fill("Báo cáo tình hình kinh tế - xã hội tháng")
    )
    await sec.get_by_role("dialog").get_by_label("Thời lượng (phút)").fill("30")
    await sec.get_by_role("dialog").get_by_role("button", name="Lưu").click()
    await expect(
        sec.locator(".agenda-item", has_text="Báo cáo tình hình kinh tế - xã hội tháng")
    ).to_be_visible()

    # Invite the delegate.
    await sec.get_by_role("tab", name="Thành phần").click()
    await sec.get_by_role("button", name="+ Mời dự họp").click()
    dialog = sec.get_by_role("dialog")
    await dialog.get_by_label("Với vai trò").select_option("delegate")
    await dialog.get_by_placeholder("Tìm theo tên hoặc tên đăng nhập…").fill(
        delegate.user.full_name
    )
    await dialog.locator(".picker-option", has_text=delegate.user.full_name).click()
    await dialog.get_by_role("button", name="Mời", exact=True).click()
    row = sec.locator(".person", has_text=delegate.user.full_name)
    await expect(row).to_contain_text("Đại biểu")
    await expect(row).to_contain_text("Chưa trả lời")
    accepted = sec.locator('[data-stat="accepted"] .stat-value')
    await expect(accepted).to_have_text("1")  # the secretary who created it
    await expect(sec.locator('[data-stat="invited"] .stat-value')).to_have_text("3")

    # Publish: the invitations go out.
    await sec.get_by_role("button", name="Phát hành & gửi giấy mời").click()
    await sec.get_by_role("dialog").get_by_role("button", name="Phát hành").click()
    await expect(sec.locator(".meeting-head").get_by_text("Đã phát hành")).to_be_visible()

    # The delegate's page, never reloaded, shows the invitation and the bell counts it.
    card = dele.locator(".meeting-card", has_text=title)
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("Cần xác nhận")
    await expect(dele.locator(".bell-count")).to_have_text("1")
    await shot(dele, "03-meetings-list")
    await dele.get_by_role("link", name="Theo tuần").click()
    await expect(dele.locator(".week-grid")).to_be_visible()
    # The week that holds the meeting (tomorrow, by the form's default).
    tomorrow = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=1)).date()
    await dele.goto(f"{live.url}/#/week/{tomorrow.isoformat()}")
    await expect(dele.locator(".week-day .meeting-card", has_text=title)).to_be_visible()
    await shot(dele, "04-meetings-week")
    await dele.get_by_role("link", name="Sắp tới").click()

    # The delegate opens it and accepts.
    await dele.locator(".meeting-card", has_text=title).click()
    await expect(dele.get_by_role("heading", name=title)).to_be_visible()
    await expect(dele.get_by_text("Bạn chưa trả lời giấy mời này.")).to_be_visible()
    await expect(
        dele.locator(".bell-count")
    ).to_be_hidden()  # opening the meeting read its invitation
    await dele.get_by_role("button", name="Tham dự", exact=True).click()
    await expect(dele.locator(".my-answer")).to_contain_text("Tham dự")

    # The secretary's count changes live, and the delegate's row with it.
    await expect(accepted).to_have_text("2")
    await expect(sec.locator('[data-stat="pending"] .stat-value')).to_have_text("1")
    await expect(row).to_contain_text("Tham dự")
    await shot(sec, "05-meeting-secretary")

    # The secretary checks the delegate in by hand; the delegate sees it live.
    await row.get_by_role("button", name=f"Điểm danh {delegate.user.full_name}").click()
    await expect(sec.locator('[data-stat="present"] .stat-value')).to_have_text("1")
    await expect(dele.get_by_text("Bạn đã điểm danh có mặt")).to_be_visible()

    # The same meeting on a phone: one column.
    await dele.set_viewport_size(PHONE)
    await expect(dele.get_by_role("heading", name=title)).to_be_visible()
    await shot(dele, "06-meeting-phone")


async def test_delegate_sends_a_deputy(clients: Live, browsers: Browsers) -> None:
    """Send a deputy: the deputy is picked from the people search and appears on the list."""
    from tests.live import meeting_with

    m = await meeting_with(clients, title=unique("Họp chuyên đề"))
    delegate = m["delegates"][0]
    deputy = await clients.person("phophong", full_name=unique("Phạm Thị Cấp Phó"))
    page = await browsers.login(delegate.user.username)
    await page.goto(f"{clients.url}/#/meetings/{m['meeting_id']}")
    await page.get_by_role("button", name="Cử người dự thay").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_placeholder("Tìm theo tên hoặc tên đăng nhập…").fill(deputy.user.full_name)
    await dialog.locator(".picker-option", has_text=deputy.user.full_name).click()
    await dialog.get_by_role("button", name="Cử người này").click()
    await expect(page.locator(".my-answer")).to_contain_text("Cử người thay")
    await expect(page.locator(".my-answer")).to_contain_text(deputy.user.full_name)
    await page.get_by_role("tab", name="Thành phần").click()
    await expect(page.locator(".person", has_text=deputy.user.full_name)).to_contain_text(
        f"Dự thay cho {delegate.user.full_name}"
    )


async def test_calendar_subscription_link(clients: Live, browsers: Browsers) -> None:
    """The calendar link the app shows is a working feed of the user's meetings."""
    from tests.live import meeting_with

    title = unique("Họp có lịch")
    m = await meeting_with(clients, title=title)
    page = await browsers.login(m["delegates"][0].user.username)
    await page.get_by_role("button", name="Đồng bộ lịch").click()
    link = page.get_by_role("dialog").get_by_label("Đường dẫn lịch")
    await expect(link).to_have_value(re.compile(r"/api/calendar\.ics\?key=\S+$"))
    key = (await link.input_value()).split("key=", 1)[1]
    async with clients.http() as http:
        feed = await http.get("/api/calendar.ics", params={"key": key})
    assert feed.status_code == 200
    assert title in feed.text
