"""Chromium: typing is never interrupted by pushes. While another client keeps changing the
meeting (checking someone in and out, asking for the floor and withdrawing), a delegate types a
private note on a document page, a written opinion and a floor topic, and the secretary types a
vote question; each field keeps the focus and every typed character (the bug fixed first in
static/js/conclusions/panel.js: a redraw on each push moved or replaced the focused field)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from playwright.async_api import Locator, Page, expect

from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.e2e.conftest import Browsers, browser, browsers, shot, unique  # noqa: F401  (fixtures)
from tests.live import Client, Live, meeting_with

TEXT = "Đề nghị bổ sung số liệu quý III, trang 2"


@contextlib.asynccontextmanager
async def pushes_meanwhile(
    secretary: Client, other: Client, meeting_id: int, other_id: int
) -> AsyncIterator[list[int]]:
    """Keep changing the meeting while the body runs: attendance:mark on and off for `other`
    (participants:updated to everyone) and `other` asking for the floor and withdrawing
    (floor:state). Yields a one-item list with the number of changes made so far."""
    done = [0]

    async def churn() -> None:
        present = False
        request_id = None
        while True:
            present = not present
            await secretary.ok(
                "attendance:mark",
                {"meeting_id": meeting_id, "user_id": other_id, "present": present},
            )
            if request_id is None:
                request_id = (await other.ok("floor:request", {"meeting_id": meeting_id}))[
                    "request_id"
                ]
            else:
                await other.ok("floor:withdraw", {"request_id": request_id})
                request_id = None
            done[0] += 2
            await asyncio.sleep(0.1)  # pacing of the load, not a wait for a condition

    task = asyncio.create_task(churn())
    try:
        yield done
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def type_while_pushed(page: Page, field: Locator, done: list[int], text: str = TEXT) -> None:
    await field.click()
    await expect(field).to_be_focused()
    start = done[0]
    # Keystrokes go to whatever has the focus: a field that lost it would miss characters.
    await page.keyboard.type(text, delay=45)
    assert done[0] - start >= 6, f"only {done[0] - start} changes arrived while typing"
    await expect(field).to_have_value(text)
    await expect(field).to_be_focused()


async def test_typing_survives_pushes(clients: Live, browsers: Browsers) -> None:  # noqa: F811
    m = await meeting_with(clients, start=True, delegates=2, title=unique("Họp thử nhập liệu"))
    mid = m["meeting_id"]
    me, other = m["delegates"]
    await m["secretary_client"].ok(
        "agenda:add", {"meeting_id": mid, "title": "Báo cáo kinh tế - xã hội"}
    )
    await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(3), title="Báo cáo quý III")
    other_client = await clients.client(other)
    await other_client.ok("meeting:join", {"meeting_id": mid})

    delegate = await browsers.login(me.user.username)
    await delegate.goto(f"{clients.url}/#/meetings/{mid}")
    secretary = await browsers.login(m["secretary"].user.username)
    await secretary.goto(f"{clients.url}/#/meetings/{mid}")

    # The delegate's private note on page 1 of a document.
    await delegate.get_by_role("tab", name="Tài liệu").click()
    await delegate.get_by_role("button", name="Báo cáo quý III").click()
    await expect(delegate.get_by_test_id("viewer")).to_have_attribute("data-page", "1")
    # The note box starts open (issue 12: it was collapsed).
    await expect(delegate.locator("details.docs-notes")).to_have_attribute("open", "")
    note = delegate.locator("textarea.docs-note-text")
    async with pushes_meanwhile(m["secretary_client"], other_client, mid, other.id) as done:
        await type_while_pushed(delegate, note, done)

        # A written opinion, and a topic for the floor, in the floor panel.
        await delegate.get_by_role("tab", name="Phát biểu & biểu quyết").click()
        opinion = delegate.get_by_placeholder("Ý kiến góp ý của bạn")
        await type_while_pushed(delegate, opinion, done)
        topic = delegate.get_by_placeholder("Nội dung muốn phát biểu (không bắt buộc)")
        await type_while_pushed(delegate, topic, done, "Về vốn đầu tư công")
        await shot(delegate, "focus-delegate-typing")

        # The secretary's question for a new vote.
        await secretary.get_by_role("tab", name="Phát biểu & biểu quyết").click()
        question = secretary.get_by_placeholder("Nội dung biểu quyết")
        await type_while_pushed(secretary, question, done, "Thông qua báo cáo quý III?")

    # What was typed is still there to send: the note saves as typed.
    await delegate.get_by_role("tab", name="Tài liệu").click()
    await expect(note).to_have_value(TEXT)
    await delegate.get_by_role("button", name="Lưu ghi chú").click()
    await expect(delegate.locator(".docs-note-list")).to_contain_text(TEXT)
