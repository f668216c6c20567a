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
    item = await m["secretary_client"].ok(
        "agenda:add", {"meeting_id": mid, "title": "Kế hoạch đầu tư công"}
    )
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
    await expect(chair.get_by_test_id("console-speaker")).to_contain_text(
        m["delegates"][0].user.full_name
    )

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
