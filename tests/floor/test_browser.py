"""Chromium: a delegate taps "Xin phát biểu", the chair (a second browser context) grants, and
the delegate's screen shows "Đang phát biểu" with a countdown drawn by the client."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import Browsers, browser, browsers, shot, unique  # noqa: F401 (fixtures)
from tests.live import Live, meeting_with

TAB = "Phát biểu & biểu quyết"


async def test_request_grant_countdown(clients: Live, browsers: Browsers) -> None:  # noqa: F811
    m = await meeting_with(clients, start=True, delegates=1, title=unique("Họp điều hành"))
    mid = m["meeting_id"]
    item = await m["secretary_client"].ok("agenda:add", {"meeting_id": mid, "title": "Kế hoạch đầu tư công"})
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("agenda:activate", {"item_id": item["id"]})

    delegate = await browsers.login(m["delegates"][0].user.username)
    await delegate.goto(f"{clients.url}/#/meetings/{mid}")
    await delegate.get_by_role("tab", name=TAB).click()
    await delegate.get_by_placeholder("Nội dung muốn phát biểu").fill("Về vốn đối ứng")
    await delegate.get_by_role("button", name="Xin phát biểu").click()
    await expect(delegate.get_by_test_id("queue-place")).to_contain_text("vị trí thứ 1")

    chair = await browsers.login(m["chair"].user.username)
    await chair.goto(f"{clients.url}/#/meetings/{mid}")
    await chair.get_by_role("tab", name=TAB).click()
    row = chair.locator(".floor-queue li").filter(has_text="Về vốn đối ứng")
    await expect(row).to_contain_text(m["delegates"][0].user.full_name)
    await expect(chair.locator(".floor-active-item")).to_have_text("Kế hoạch đầu tư công")
    await row.get_by_role("button", name="Cho phát biểu").click()
    await expect(chair.get_by_test_id("console-speaker")).to_contain_text(m["delegates"][0].user.full_name)

    speaking = delegate.get_by_test_id("speaking")
    await expect(speaking).to_contain_text("Đang phát biểu")
    timer = speaking.get_by_role("timer")
    await expect(timer).to_have_text(re.compile(r"^0[45]:[0-5]\d$"))  # 5 minutes, counting down
    first = await timer.text_content()
    await expect(timer).not_to_have_text(first or "")  # it moves, with no push from the server
    await shot(delegate, "floor-delegate-speaking")
    await shot(chair, "floor-chair-console")

    # The speaker ends the turn from the tablet.
    await speaking.get_by_role("button", name="Kết thúc phát biểu").click()
    await expect(delegate.get_by_role("button", name="Xin phát biểu")).to_be_visible()
    await expect(chair.get_by_text("Chưa có ai phát biểu")).to_be_visible()


async def test_vote_card_and_conclusion_editor(clients: Live, browsers: Browsers) -> None:  # noqa: F811
    m = await meeting_with(clients, start=True, delegates=1, title=unique("Họp biểu quyết"))
    mid = m["meeting_id"]
    sec_c = m["secretary_client"]
    item = await sec_c.ok("agenda:add", {"meeting_id": mid, "title": "Quy hoạch sử dụng đất"})
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("meeting:join", {"meeting_id": mid})
    poll = await sec_c.ok("poll:create", {"meeting_id": mid, "question": "Thông qua quy hoạch?"})
    await chair_c.ok("poll:open", {"poll_id": poll["poll_id"]})

    delegate = await browsers.login(m["delegates"][0].user.username)
    await delegate.goto(f"{clients.url}/#/meetings/{mid}")
    await delegate.get_by_role("tab", name=TAB).click()
    card = delegate.locator(f".poll[data-poll-id='{poll['poll_id']}']")
    await card.get_by_role("button", name="Tán thành", exact=True).click()
    await expect(card).to_contain_text("Bạn đã biểu quyết.")
    await expect(card.get_by_test_id("poll-voted")).to_contain_text("Đã biểu quyết: 1/")
    await expect(card.locator(".results")).to_have_count(0)  # no counts while open
    await chair_c.ok("poll:close", {"poll_id": poll["poll_id"]})
    await expect(card.get_by_test_id("poll-status")).to_have_text("đã kết thúc")
    await expect(card.locator(".results")).to_contain_text("Tán thành")

    secretary = await browsers.login(m["secretary"].user.username)
    await secretary.goto(f"{clients.url}/#/meetings/{mid}")
    await secretary.get_by_role("tab", name="Kết luận & biên bản").click()
    await secretary.locator(f"textarea[data-conclusion='{item['id']}']").fill("Thống nhất thông qua quy hoạch")
    await secretary.locator("textarea[data-conclusion='overall']").fill("Giao các sở triển khai")
    await expect(secretary.get_by_text("Đã lưu")).to_have_count(2)  # saved as they type
    snap = await chair_c.ok("meeting:get", {"meeting_id": mid})
    assert {c["text"] for c in snap["conclusions"]} == {"Thống nhất thông qua quy hoạch", "Giao các sở triển khai"}
    await secretary.get_by_test_id("publish").click()
    await expect(secretary.get_by_test_id("notice-link")).to_be_visible()
    await expect(delegate.get_by_role("tab", name="Kết luận & biên bản")).to_be_visible()
    await delegate.get_by_role("tab", name="Kết luận & biên bản").click()
    await expect(delegate.get_by_test_id("notice-link")).to_be_visible()
    await expect(delegate.get_by_test_id("minutes-link")).to_have_attribute("href", f"/api/meetings/{mid}/minutes.pdf")
    await shot(secretary, "conclusions-secretary")
