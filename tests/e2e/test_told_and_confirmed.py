"""Issue 12: a delegate reading documents is told at once (banner, beep, vibration, tab marked)
when given the floor and when a vote opens; what cannot be undone is confirmed first, saying what
will happen — casting a vote (the choice shown after, across a reload), closing a vote when not
all have voted, publishing the numbered notice, starting a meeting before its day. Screenshots:
the phone, the chair's tablet console (1024×768), the kiosk."""

from __future__ import annotations

import time

from playwright.async_api import Page, expect

from tests.e2e.conftest import PHONE, Browsers, shot, unique
from tests.e2e.touch import small_targets
from tests.live import Live, meeting_with

TAB = "Phát biểu & biểu quyết"
CONSOLE = {"width": 1024, "height": 768}

# Counts what the page asks of the speaker and the vibration motor.
SENSES = """
window.__beeps = 0; window.__vibrations = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...a) { window.__beeps += 1; return start.apply(this, a); };
navigator.vibrate = (p) => { window.__vibrations.push(p); return true; };
"""


async def senses(page: Page) -> tuple[int, int]:
    return await page.evaluate("[window.__beeps, window.__vibrations.length]")


async def test_delegate_on_documents_is_told_of_the_floor_and_the_vote(
    clients: Live, browsers: Browsers
) -> None:
    m = await meeting_with(clients, title=unique("Họp báo lượt phát biểu"), start=True)
    mid = m["meeting_id"]
    delegate = m["delegates"][0]
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("meeting:join", {"meeting_id": mid})
    own_c = await clients.client(delegate)  # the delegate's request, from another device
    await own_c.ok("meeting:join", {"meeting_id": mid})
    page = await browsers.login(delegate.user.username, viewport=PHONE)
    await page.add_init_script(SENSES)
    await page.goto(f"{clients.url}/#/meetings/{mid}")
    await page.reload()  # with the counters in place
    await page.get_by_role("tab", name="Tài liệu", exact=True).click()  # a tap: audio allowed
    floor_tab = page.get_by_role("tab", name=TAB, exact=True)
    await expect(floor_tab).to_have_attribute("aria-selected", "false")

    req = await own_c.ok("floor:request", {"meeting_id": mid, "topic": "Về vốn đối ứng"})
    started = time.monotonic()
    await chair_c.ok("floor:grant", {"request_id": req["request_id"], "time_limit_s": 180})
    banner = page.get_by_test_id("alert-floor")
    await expect(banner).to_be_visible(timeout=1000)
    told_in = time.monotonic() - started
    assert told_in < 1.0, f"told after {told_in:.2f} s"
    await expect(banner).to_contain_text("Chủ trì đã mời bạn phát biểu")
    await expect(banner).to_contain_text("3 phút")
    await expect(floor_tab).to_have_class("tab alerted")
    beeps, vibrations = await senses(page)
    assert beeps >= 1 and vibrations == 1, (beeps, vibrations)
    await expect(page.get_by_role("tabpanel", name="Tài liệu")).to_be_visible()  # not moved
    await shot(page, "phone-told-floor")
    assert await small_targets(page) == []
    # It stays until dismissed.
    await page.get_by_role("tab", name="Chương trình", exact=True).click()
    await expect(banner).to_be_visible()
    await banner.get_by_role("button", name="Đã biết").click()
    await expect(banner).to_have_count(0)
    await own_c.ok("floor:end", {"meeting_id": mid})

    # A vote opens: told at once; "Biểu quyết ngay" opens the voting card.
    poll = await m["secretary_client"].ok(
        "poll:create", {"meeting_id": mid, "question": "Thông qua kế hoạch đầu tư công?"}
    )
    started = time.monotonic()
    await chair_c.ok("poll:open", {"poll_id": poll["poll_id"]})
    vote_banner = page.get_by_test_id("alert-vote")
    await expect(vote_banner).to_be_visible(timeout=1000)
    told_in = time.monotonic() - started
    assert told_in < 1.0, f"told after {told_in:.2f} s"
    await expect(vote_banner).to_contain_text("Thông qua kế hoạch đầu tư công?")
    await expect(floor_tab).to_have_class("tab alerted")
    beeps2, vibrations2 = await senses(page)
    assert beeps2 > beeps and vibrations2 == 2
    await shot(page, "phone-told-vote")
    await vote_banner.get_by_role("button", name="Biểu quyết ngay").click()
    await expect(floor_tab).to_have_attribute("aria-selected", "true")
    await expect(floor_tab).to_have_class("tab active")  # the mark goes once opened

    # Casting is confirmed, naming the choice; the choice is shown after, and after a reload.
    card = page.locator(f".poll[data-poll-id='{poll['poll_id']}']")
    await card.get_by_role("button", name="Không tán thành", exact=True).click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Bạn chọn: Không tán thành")
    await expect(dialog).to_contain_text("không thể thay đổi")
    assert await small_targets(page) == []
    await shot(page, "phone-confirm-vote")
    await dialog.get_by_role("button", name="Chọn lại").click()
    await expect(card.get_by_test_id("my-vote")).to_have_count(0)  # nothing sent
    await card.get_by_role("button", name="Không tán thành", exact=True).click()
    await dialog.get_by_role("button", name="Gửi: Không tán thành").click()
    mine = card.get_by_test_id("my-vote")
    await expect(mine).to_have_text("Bạn đã biểu quyết: Không tán thành")
    await expect(vote_banner).to_have_count(0)  # voted: nothing more to tell
    await page.reload()
    await expect(
        page.locator(f".poll[data-poll-id='{poll['poll_id']}']").get_by_test_id("my-vote")
    ).to_have_text("Bạn đã biểu quyết: Không tán thành")
    await expect(page.get_by_test_id("alert-vote")).to_have_count(0)
    await shot(page, "phone-voted")


async def test_chair_confirms_start_close_and_publish(clients: Live, browsers: Browsers) -> None:
    m = await meeting_with(
        clients, title=unique("Họp UBND tỉnh tháng 12"), delegates=3, points=1
    )  # scheduled tomorrow
    mid = m["meeting_id"]
    chair = await browsers.login(m["chair"].user.username, viewport=CONSOLE)
    await chair.goto(f"{clients.url}/#/meetings/{mid}")

    # Starting before its day: says so, and what happens.
    await chair.get_by_role("button", name="Bắt đầu họp").click()
    dialog = chair.get_by_role("dialog")
    await expect(dialog.get_by_role("heading")).to_have_text("Bắt đầu họp trước ngày đã định?")
    await expect(dialog.get_by_test_id("start-early")).to_contain_text("Hôm nay chưa đến ngày họp")
    assert await small_targets(chair) == []
    await shot(chair, "tablet-confirm-start-early")
    await dialog.get_by_role("button", name="Thôi").click()
    await expect(chair.locator(".meeting-title-row .badge.status-scheduled")).to_be_visible()
    await chair.get_by_role("button", name="Bắt đầu họp").click()
    await dialog.get_by_role("button", name="Vẫn bắt đầu hôm nay").click()
    await expect(chair.locator(".meeting-title-row .badge.status-in_progress")).to_be_visible()
    # The chair is not offered "Báo vắng" for their own meeting.
    await expect(chair.get_by_role("button", name="Báo vắng")).to_have_count(0)

    # Four may vote (the chair and three delegates present); two vote.
    delegates = [await clients.client(d) for d in m["delegates"]]
    for c in delegates:
        await c.ok("meeting:join", {"meeting_id": mid})
    poll = await m["secretary_client"].ok(
        "poll:create", {"meeting_id": mid, "question": "Thông qua tờ trình?"}
    )
    await chair.get_by_role("tab", name=TAB, exact=True).click()
    card = chair.locator(f".poll[data-poll-id='{poll['poll_id']}']")
    await card.get_by_role("button", name="Mở biểu quyết").click()
    await expect(card.get_by_test_id("poll-status")).to_have_text("đang biểu quyết")
    for c in delegates[:2]:
        await c.ok("poll:vote", {"poll_id": poll["poll_id"], "option": 0})
    await expect(card.get_by_test_id("poll-voted")).to_contain_text("Đã biểu quyết: 2/4")
    await card.get_by_role("button", name="Kết thúc biểu quyết").click()
    await expect(dialog.get_by_test_id("close-count")).to_have_text(
        "2 trên 4 người đã biểu quyết; 2 người chưa biểu quyết."
    )
    await shot(chair, "tablet-confirm-close-vote")
    await dialog.get_by_role("button", name="Chưa kết thúc").click()
    await expect(card.get_by_test_id("poll-status")).to_have_text("đang biểu quyết")
    await card.get_by_role("button", name="Kết thúc biểu quyết").click()
    await dialog.get_by_role("button", name="Kết thúc biểu quyết").click()
    await expect(card.get_by_test_id("poll-status")).to_have_text("đã kết thúc")
    # A request in the queue: the time-limit select has its visible label; the secret-ballot
    # box is a whole-label target.
    await delegates[0].ok("floor:request", {"meeting_id": mid, "topic": "Về tiến độ giải ngân"})
    limit = chair.get_by_label("Thời gian mỗi lượt phát biểu")
    await expect(limit).to_be_visible()
    await expect(limit).to_have_value("300")
    secret = chair.locator("label.secret-check")
    box = await secret.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box
    await expect(chair.get_by_label("Bỏ phiếu kín")).to_be_visible()
    await chair.evaluate("window.scrollTo(0, 0)")
    await shot(chair, "tablet-console")
    assert await small_targets(chair) == []

    # Publishing the numbered notice: its own card, away from the PDF links, confirmed.
    await chair.get_by_role("tab", name="Kết luận & biên bản", exact=True).click()
    publish = chair.get_by_test_id("publish")
    await expect(publish).to_be_disabled()  # nothing to publish yet
    await m["secretary_client"].ok(
        "conclusion:save", {"meeting_id": mid, "text": "Thống nhất thông qua tờ trình."}
    )
    await expect(publish).to_be_enabled()
    links = chair.locator(".pdf-links")
    assert await links.get_by_test_id("publish").count() == 0
    pbox, lbox = await publish.bounding_box(), await links.bounding_box()
    assert pbox and lbox and pbox["y"] > lbox["y"] + lbox["height"] + 40, (pbox, lbox)
    await publish.click()
    await expect(dialog).to_contain_text("cấp số văn bản")
    await dialog.get_by_role("button", name="Chưa ban hành").click()
    await expect(chair.get_by_test_id("notice-link")).to_have_count(0)
    await publish.click()
    await dialog.get_by_role("button", name="Ban hành", exact=True).click()
    await expect(chair.get_by_test_id("notice-link")).to_be_visible()
    await shot(chair, "tablet-conclusions")

    # The kiosk of the connection point: told at once when the hall is given the floor.
    kiosk = await browsers.login(
        m["points"][0].user.username, viewport={"width": 1280, "height": 720}
    )
    await kiosk.add_init_script(SENSES)
    await kiosk.goto(f"{clients.url}/static/hall.html?meeting={mid}")
    await expect(kiosk.locator("#title")).to_contain_text("Họp UBND tỉnh tháng 12")
    await kiosk.locator("#mute-audio").click()  # the operator's tap (audio allowed), mic off
    point_c = await clients.client(m["points"][0])
    req = await point_c.ok("floor:request", {"meeting_id": mid})
    chair_c = await clients.client(m["chair"])
    started = time.monotonic()
    await chair_c.ok("floor:grant", {"request_id": req["request_id"]})
    told = kiosk.get_by_role("alert")
    await expect(told).to_contain_text("mời điểm cầu phát biểu", timeout=1000)
    assert time.monotonic() - started < 1.0
    assert (await senses(kiosk))[0] >= 1
    await shot(kiosk, "kiosk")
    await told.get_by_role("button", name="Đã biết").click()
    await expect(told).to_be_hidden()
