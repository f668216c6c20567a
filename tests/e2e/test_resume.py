"""A page whose connection drops mid-meeting catches up by resuming (/api §3.4): no
reload, no full snapshot — `meeting:join {since_seq}` answers only the changes it missed."""

from __future__ import annotations

import json

from playwright.async_api import WebSocket, expect

from tests.e2e.conftest import Browsers, shot, unique
from tests.live import Live, meeting_with


async def test_a_dropped_page_catches_up_by_resuming(clients: Live, browsers: Browsers) -> None:
    live = clients
    m = await meeting_with(live, title=unique("Họp trực tuyến"), delegates=2, start=True)
    mid, sec = m["meeting_id"], m["secretary_client"]
    delegate, other = m["delegates"]
    chair = await live.client(m["chair"])
    items = [
        await sec.ok("agenda:add", {"meeting_id": mid, "title": title})
        for title in ("Khai mạc", "Báo cáo tình hình kinh tế - xã hội")
    ]
    await chair.ok("agenda:activate", {"item_id": items[0]["id"]})

    page = await browsers.login(delegate.user.username)
    frames: list[str] = []

    def follow(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", follow)
    await page.goto(f"{live.url}/#/meetings/{mid}")
    await expect(page.locator(".agenda-item.active", has_text="Khai mạc")).to_be_visible()
    await page.evaluate("window.__notReloaded = true")

    # The link drops: the page is offline and the server loses its socket.
    sio = live.server.sio
    sids = [sid for sid, _ in sio.manager.get_participants("/", f"u:{delegate.id}")]
    assert sids
    await page.context.set_offline(True)
    for sid in sids:
        await sio.disconnect(sid)  # (Chromium may have closed it already)
    before = len(frames)
    # Meanwhile the meeting goes on: the next item, another delegate checks in and speaks.
    await chair.ok("agenda:activate", {"item_id": items[1]["id"]})
    oc = await live.client(other)
    await oc.ok("meeting:join", {"meeting_id": mid})
    req = await oc.ok("floor:request", {"meeting_id": mid, "topic": "Số liệu quý III"})
    await chair.ok("floor:grant", {"request_id": req["request_id"]})

    # The link comes back: the page shows all of it…
    await page.context.set_offline(False)
    await expect(
        page.locator(".agenda-item.active", has_text="Báo cáo tình hình kinh tế")
    ).to_be_visible(timeout=20_000)
    await page.get_by_role("tab", name="Phát biểu").click()
    speaking = page.locator(".floor-speaker")
    await expect(speaking).to_contain_text(other.user.full_name)
    await expect(speaking).to_contain_text("Số liệu quý III")
    await shot(page, "resume-after-drop")
    # …without a reload…
    assert await page.evaluate("window.__notReloaded === true")
    # …and by a resume: its meeting:join answer holds only the missed changes.
    later = frames[before:]
    answers = [f for f in later if '"resumed"' in f]
    assert answers, "no meeting:join answer after the reconnect"
    body = json.loads(answers[-1][answers[-1].index("[") :])[0]
    assert body["ok"] and body["data"]["resumed"] is True
    events = [c["event"] for c in body["data"]["changes"]]
    assert "agenda:updated" in events and "floor:state" in events
    assert not any('"my_role"' in f for f in later), "a full snapshot was sent"
    assert sum(len(f) for f in answers) < 10_000
