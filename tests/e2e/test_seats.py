"""Chromium: staff seat a person in a hall from the participants screen (participant:seat);
the row says where they sit, and back to the default."""

from __future__ import annotations

from playwright.async_api import expect

from meeting.models import Participant
from tests.e2e.conftest import Browsers, shot
from tests.live import Live, meeting_with


async def test_staff_seat_a_delegate_in_a_hall(clients: Live, browsers: Browsers) -> None:
    live = clients
    m = await meeting_with(live, delegates=1, points=2)
    mid, (delegate,), (hall_a, hall_b) = m["meeting_id"], m["delegates"], m["points"]
    page = await browsers.login(m["secretary"].user.username)
    await page.goto(f"{live.url}/#/meetings/{mid}")
    await page.get_by_role("tab", name="Thành phần").click()
    row = page.locator(f"li.person[data-user-id='{delegate.id}']")
    seat = row.get_by_label(f"Điểm cầu của {delegate.user.full_name}")
    await expect(seat).to_have_value("")
    await seat.select_option(str(hall_b.id))
    await expect(row.locator(".person-hall")).to_have_text(
        f"Ngồi tại: {hall_b.user.full_name}", timeout=10000
    )
    with live.db():
        stored = await Participant.get(meeting_id=mid, user_id=delegate.id)
    assert stored.seat_id == hall_b.id  # type: ignore[attr-defined]
    await shot(page, "participants-seat")
    await seat.select_option("")
    await expect(row.locator(".person-hall")).to_have_count(0, timeout=10000)  # no default hall
    with live.db():
        stored = await Participant.get(meeting_id=mid, user_id=delegate.id)
    assert stored.seat_id is None  # type: ignore[attr-defined]
    assert hall_a.id != hall_b.id
