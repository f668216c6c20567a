"""Invitation mail with an .ics, and the reminder before the start, driven by an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from meeting.clock import ManualClock
from tests.agenda.mail_sink import MailSink
from tests.live import make_settings, running


def _far_midnight() -> datetime:
    """00:00 UTC (07:00 in Hà Nội) a year ahead: no other test's meeting is near it, so the
    servers sharing the test database remind none of them, nor these to anyone early."""
    day = datetime.now(UTC).date() + timedelta(days=400)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _ics(msg) -> Calendar:
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part in the mail")


async def test_invitation_mail_then_reminder_30_minutes_before() -> None:
    clock = ManualClock(_far_midnight())
    with MailSink() as sink:
        settings = make_settings(smtp_url=sink.url, reminder_minutes=30)
        async with running(settings, clock=clock) as live:
            secretary = await live.person("thuky", organizer=True, email="thuky@tinh.gov.vn")
            chair = await live.person("chutich", email="chutich@tinh.gov.vn")
            delegate = await live.person("daibieu", email="daibieu@xa.gov.vn")
            sec = await live.client(secretary)
            dele = await live.client(delegate)
            starts = clock.now() + timedelta(hours=2)  # 09:00 +07:00
            m = await sec.ok(
                "meeting:create",
                {
                    "title": "Họp giao ban",
                    "starts_at": starts.isoformat(),
                    "location": "Phòng 1",
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "chair_id": chair.id,
                },
            )
            await sec.ok(
                "participant:add",
                {"meeting_id": m["id"], "role": "delegate", "user_ids": [delegate.id]},
            )
            await sec.ok("meeting:publish", {"meeting_id": m["id"]})

            invite = await dele.push("notification", lambda n: n["kind"] == "invitation")
            assert "Họp giao ban" in invite["text"] and "09:00" in invite["text"]
            mails = {}
            for _ in range(2):  # chair and delegate; the publishing secretary is not mailed
                msg = await sink.next()
                mails[msg["To"]] = msg
            assert set(mails) == {"chutich@tinh.gov.vn", "daibieu@xa.gov.vn"}
            cal = _ics(mails["daibieu@xa.gov.vn"])
            assert str(cal["METHOD"]) == "REQUEST"
            event = next(c for c in cal.walk("VEVENT"))
            assert str(event["SUMMARY"]) == "Họp giao ban"
            assert event.decoded("DTSTART") == starts
            assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
            assert any(str(tz["TZID"]) == "Asia/Ho_Chi_Minh" for tz in cal.walk("VTIMEZONE"))

            # 08:31 — the reminder (30 minutes before 09:00) is due.
            await clock.advance(timedelta(hours=1, minutes=31))
            reminder = await dele.push("notification", lambda n: n["kind"] == "reminder")
            assert reminder["meeting_id"] == m["id"] and "09:00" in reminder["text"]
            msg = await sink.next()
            assert "Nhắc lịch" in str(msg["Subject"])
            # Every earlier notification arrived before it: none was a reminder.
            kinds = [d["kind"] for d in dele.seen("notification")]
            assert kinds.count("reminder") == 1


async def test_cancelling_a_published_meeting_mails_a_cancel() -> None:
    clock = ManualClock(_far_midnight())
    with MailSink() as sink:
        async with running(make_settings(smtp_url=sink.url), clock=clock) as live:
            secretary = await live.person("thuky", organizer=True)
            chair = await live.person("chutich", email="chutich@tinh.gov.vn")
            sec = await live.client(secretary)
            starts = clock.now() + timedelta(days=2)
            m = await sec.ok(
                "meeting:create",
                {
                    "title": "Họp sẽ huỷ",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "chair_id": chair.id,
                },
            )
            await sec.ok("meeting:publish", {"meeting_id": m["id"]})
            assert str(_ics(await sink.next())["METHOD"]) == "REQUEST"
            await sec.ok("meeting:cancel", {"meeting_id": m["id"], "reason": "Trùng lịch"})
            cancel = _ics(await sink.next())
            assert str(cancel["METHOD"]) == "CANCEL"
            assert str(next(iter(cancel.walk("VEVENT")))["STATUS"]) == "CANCELLED"
