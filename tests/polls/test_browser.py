"""Chromium: a delegate votes on the vote card (confirmed first), sees their choice and, once
the chair closes the vote, the result; the secretary then writes and publishes the conclusions
the delegate opens."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.conftest import Browsers, browser, browsers, shot, unique  # noqa: F401 (fixtures)
from tests.live import Live, meeting_with

TAB = "Phát biểu & biểu quyết"


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
    # Casting is confirmed first (issue 12), then the voter sees their choice.
    await delegate.get_by_role("dialog").get_by_role("button", name="Gửi: Tán thành").click()
    await expect(card.get_by_test_id("my-vote")).to_have_text("Bạn đã biểu quyết: Tán thành")
    await expect(card.get_by_test_id("poll-voted")).to_contain_text("Đã biểu quyết: 1/")
    await expect(card.locator(".results")).to_have_count(0)  # no counts while open
    await chair_c.ok("poll:close", {"poll_id": poll["poll_id"]})
    await expect(card.get_by_test_id("poll-status")).to_have_text("đã kết thúc")
    await expect(card.locator(".results")).to_contain_text("Tán thành")

    secretary = await browsers.login(m["secretary"].user.username)
    await secretary.goto(f"{clients.url}/#/meetings/{mid}")
    await secretary.get_by_role("tab", name="Kết luận & biên bản").click()
    await secretary.locator(f"textarea[data-conclusion='{item['id']}']").fill(
        "Thống nhất thông qua quy hoạch"
    )
    await secretary.locator("textarea[data-conclusion='overall']").fill("Giao các sở triển khai")
    await expect(secretary.get_by_text("Đã lưu")).to_have_count(2)  # saved as they type
    snap = await chair_c.ok("meeting:get", {"meeting_id": mid})
    assert {c["text"] for c in snap["conclusions"]} == {
        "Thống nhất thông qua quy hoạch",
        "Giao các sở triển khai",
    }
    await secretary.get_by_test_id("publish").click()
    await secretary.get_by_role("dialog").get_by_role("button", name="Ban hành", exact=True).click()
    await expect(secretary.get_by_test_id("notice-link")).to_be_visible()
    await expect(delegate.get_by_role("tab", name="Kết luận & biên bản")).to_be_visible()
    await delegate.get_by_role("tab", name="Kết luận & biên bản").click()
    await expect(delegate.get_by_test_id("notice-link")).to_be_visible()
    await expect(delegate.get_by_test_id("minutes-link")).to_have_attribute(
        "href", f"/api/meetings/{mid}/minutes.pdf"
    )
    await shot(secretary, "conclusions-secretary")
