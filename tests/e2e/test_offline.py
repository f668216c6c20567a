"""Offline first (issue 13), in Chromium with the network cut (`context.set_offline`): the app
opens after a reload and shows the meeting from the device, marked "ngoại tuyến"; an opinion
written offline waits on the device and reaches staff once when the link returns; a vote is
never queued."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from meeting import offline
from meeting.opinions.models import Opinion
from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.e2e.conftest import Browsers, shot, unique
from tests.live import Live, meeting_with


async def controlled(page: Page) -> None:
    """Wait until the service worker has the app shell and controls the page."""
    await page.evaluate("navigator.serviceWorker.ready")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")


async def test_the_app_opens_offline_and_sends_what_was_done(
    clients: Live, browsers: Browsers
) -> None:
    live = clients
    title = unique("Họp trực tuyến ngoại tuyến")
    m = await meeting_with(live, title=title, delegates=1, start=True)
    mid, sec = m["meeting_id"], m["secretary_client"]
    (delegate,) = m["delegates"]
    chair = await live.client(m["chair"])
    await sec.ok(
        "meeting:join", {"meeting_id": mid}
    )  # staff get opinions in the meeting's staff room
    item = await sec.ok(
        "agenda:add", {"meeting_id": mid, "title": "Báo cáo tình hình kinh tế - xã hội"}
    )
    await chair.ok("agenda:activate", {"item_id": item["id"]})
    poll = await chair.ok("poll:create", {"meeting_id": mid, "question": "Thông qua báo cáo?"})
    await chair.ok("poll:open", {"poll_id": poll["poll_id"]})

    page = await browsers.login(delegate.user.username)
    await page.goto(f"{live.url}/#/meetings/{mid}")
    await expect(page.locator(".agenda-item.active", has_text="Báo cáo tình hình")).to_be_visible()
    await controlled(page)
    mark = page.get_by_test_id("offline-mark")
    await expect(mark).to_be_hidden()

    # The link drops, and the user reloads: the app and the meeting come from the device.
    await page.context.set_offline(True)
    await page.reload()
    await expect(mark).to_be_visible()
    await expect(mark).to_contain_text("Ngoại tuyến")
    await expect(page.locator("h1", has_text=title)).to_be_visible()
    await expect(page.locator(".agenda-item.active", has_text="Báo cáo tình hình")).to_be_visible()

    # A vote is never queued: the card says it needs the link.
    await page.get_by_role("tab", name="Phát biểu").click()
    await expect(page.get_by_test_id("vote-needs-link")).to_contain_text("cần có mạng")
    await shot(page, "offline-meeting")

    # An opinion written offline waits on the device.
    await page.get_by_placeholder("Ý kiến góp ý của bạn").fill("Đề nghị bổ sung số liệu quý IV")
    await page.get_by_role("button", name="Gửi góp ý").click()
    await expect(page.get_by_test_id("opinion-waiting")).to_contain_text(
        "Đề nghị bổ sung số liệu quý IV"
    )
    await shot(page, "offline-opinion-waiting")
    assert not await Opinion.exists(meeting_id=mid)

    # The link returns: it is sent, once, and staff get it; the mark goes.
    sec.mark()
    await page.context.set_offline(False)
    await expect(mark).to_be_hidden(timeout=20_000)
    got = await sec.push("opinion:added", lambda d: d["text"] == "Đề nghị bổ sung số liệu quý IV")
    assert got["user_id"] == delegate.id
    await expect(page.get_by_test_id("opinion-waiting")).to_have_count(0)
    await expect(
        page.locator(".opinion-list li", has_text="Đề nghị bổ sung số liệu quý IV")
    ).to_have_count(1)
    await expect(page.locator(".toast", has_text="Đã gửi")).to_be_visible()
    assert await Opinion.filter(meeting_id=mid).count() == 1
    await shot(page, "offline-opinion-sent")


KEPT = """caches.open("hop-docs").then((c) => c.keys())
  .then((keys) => keys.map((r) => new URL(r.url).pathname))"""


async def test_documents_are_on_the_device_before_the_meeting(
    clients: Live, browsers: Browsers
) -> None:
    live = clients
    m = await meeting_with(live, title=unique("Họp có tài liệu"), delegates=1)
    mid, sec_token = m["meeting_id"], m["secretary"].token
    first = await uploaded(
        live, sec_token, mid, vietnamese_pdf(6, image_kb=700), title="Tờ trình số 12"
    )

    page = await browsers.login(m["delegates"][0].user.username)
    await page.goto(f"{live.url}/#/meetings/{mid}")
    await page.get_by_role("tab", name="Tài liệu").click()
    await controlled(page)
    row = page.locator(f"li.docs-item[data-document-id='{first['id']}']")
    # Fetched in the background, in Range chunks, without the user opening it.
    await expect(row.get_by_test_id("on-device")).to_have_text("Đã lưu trên máy", timeout=20_000)
    # A document added while the meeting is open comes too.
    second = await uploaded(live, sec_token, mid, vietnamese_pdf(2), title="Báo cáo thẩm tra")
    row2 = page.locator(f"li.docs-item[data-document-id='{second['id']}']")
    await expect(row2.get_by_test_id("on-device")).to_have_text("Đã lưu trên máy", timeout=20_000)
    await shot(page, "offline-documents-kept")

    # Another coming meeting of the user's, never opened on this device: its document comes too
    # (at the invitation's notification).
    other = await meeting_with(live, title=unique("Họp chưa mở"), delegates=0, publish=False)
    oc = other["secretary_client"]
    await oc.ok(
        "participant:add",
        {"meeting_id": other["meeting_id"], "role": "delegate", "user_ids": [m["delegates"][0].id]},
    )
    third = await uploaded(
        live, other["secretary"].token, other["meeting_id"], vietnamese_pdf(1), title="Giấy mời"
    )
    await oc.ok("meeting:publish", {"meeting_id": other["meeting_id"]})
    await page.wait_for_function(
        f"(JSON.parse(localStorage.getItem('hop:docs')) || {{}})['{third['id']}']?.done === true",
        timeout=20_000,
    )

    # Offline, after a reload: the document opens from the device and a page is drawn.
    await page.context.set_offline(True)
    await page.reload()
    await expect(page.get_by_test_id("offline-mark")).to_be_visible()
    await page.get_by_role("tab", name="Tài liệu").click()
    await row.get_by_role("button", name="Tờ trình số 12").click()
    viewer = page.get_by_test_id("viewer")
    await expect(viewer).to_have_attribute("data-page", "1")
    inked = """() => { const c = document.querySelector('.docs-canvas');
      if (!c || !c.width) return 0;
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let dark = 0; for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
      return dark; }"""
    await page.wait_for_function(f"({inked})() > 500")
    await shot(page, "offline-document-open")

    # The link returns and staff remove a document: it is gone from the device too.
    await page.context.set_offline(False)
    await expect(page.get_by_test_id("offline-mark")).to_be_hidden(timeout=20_000)
    await m["secretary_client"].ok("document:remove", {"document_id": second["id"]})
    await expect(row2).to_have_count(0)
    await page.wait_for_function(
        f"{KEPT}.then((k) => !k.includes('/api/documents/{second['id']}/file'))"
    )
    kept = await page.evaluate(KEPT)
    assert f"/api/documents/{first['id']}/file" in kept

    # A new version replaces the old one on the device.
    newer = await uploaded(
        live, sec_token, mid, vietnamese_pdf(3), title="Tờ trình số 12 (sửa)", replaces=first["id"]
    )
    newer_row = page.locator(f"li.docs-item[data-document-id='{newer['id']}']")
    await expect(newer_row.get_by_test_id("on-device")).to_have_text(
        "Đã lưu trên máy", timeout=20_000
    )
    await page.wait_for_function(
        f"{KEPT}.then((k) => !k.includes('/api/documents/{first['id']}/file'))"
    )
    assert f"/api/documents/{newer['id']}/file" in await page.evaluate(KEPT)


async def test_a_new_release_takes_over_only_when_the_user_reloads(
    clients: Live, browsers: Browsers, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = clients
    m = await meeting_with(live, title=unique("Họp cập nhật"), delegates=1)
    page = await browsers.login(m["delegates"][0].user.username)
    await page.goto(f"{live.url}/#/meetings/{m['meeting_id']}")
    await controlled(page)
    old, urls = offline.shell()
    shells = "caches.keys().then((k) => k.filter((n) => n.startsWith('shell-')))"
    assert await page.evaluate(shells) == [f"shell-{old}"]

    # The server is upgraded: a new version of the shell. The next visit finds the new worker,
    # which fills its own cache and waits; the page keeps the old release and offers a reload.
    monkeypatch.setattr(offline, "shell", lambda: ("0123456789abcdef", urls))
    await page.reload()
    bar = page.get_by_test_id("update-bar")
    await expect(bar).to_contain_text("Đã có phiên bản mới")
    assert sorted(await page.evaluate(shells)) == sorted([f"shell-{old}", "shell-0123456789abcdef"])
    await shot(page, "offline-update-offered")

    # The user reloads into it: the new worker controls the page, the old cache is gone.
    await bar.get_by_role("button", name="Tải lại").click()
    await page.wait_for_function(
        "caches.keys().then((k) => k.filter((n) => n.startsWith('shell-')).join() === 'shell-0123456789abcdef')"
    )
    await expect(page.locator("h1", has_text="Họp cập nhật")).to_be_visible()
    await expect(bar).to_have_count(0)
