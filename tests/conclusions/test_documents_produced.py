"""Issue 12: the documents a meeting produces read right. The minutes print when the meeting was
actually held (started a day early here) and each vote's outcome under the stated majority rule,
with the secretary's and the chair's signatures side by side; the notice says "cuộc họp" once and
counts only delegates as "đại biểu" (halls apart, secretaries not at all). The pages are rendered
to test-output/screenshots/ for a person to look at."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pypdf
import pypdfium2

from docs.conclusions.minutes_pdf import PollResult, outcome_text
from meeting.jsonable import zone
from tests.conclusions.test_conclusions import pdf_text
from tests.live import Live, meeting_with

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def render(pdf: bytes, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    doc = pypdfium2.PdfDocument(pdf)
    for i in range(len(doc)):
        doc[i].render(scale=1.3).to_pil().save(SHOTS / f"{name}-{i + 1}.png")
    doc.close()


def line_of(pdf: bytes, words: str) -> tuple[int, float] | None:
    """(page, y) of the first text run holding `words`."""
    found: list[tuple[int, float]] = []
    for n, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):

        def visit(text: str, cm: object, tm: list[float], font: object, size: object) -> None:
            if words in text and not found:
                found.append((n, round(tm[5], 1)))  # noqa: B023 (used at once, in this loop)

        page.extract_text(visitor_text=visit)
    return found[0] if found else None


def vn_day(dt: datetime) -> str:
    return f"ngày {dt.day:02d} tháng {dt.month:02d} năm {dt.year}"


async def test_minutes_and_notice_of_a_meeting_started_a_day_early(clients: Live) -> None:
    m = await meeting_with(
        clients, title="Họp UBND tỉnh thường kỳ tháng 12", delegates=3, points=1
    )  # scheduled for tomorrow
    mid = m["meeting_id"]
    sec_c = m["secretary_client"]
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("meeting:start", {"meeting_id": mid})
    today = datetime.now(zone())
    people = [await clients.client(p) for p in (*m["delegates"], *m["points"])]
    for c in (chair_c, sec_c, *people):
        await c.ok("meeting:join", {"meeting_id": mid})  # 5 voting members present, 1 secretary

    async def vote(question: str, yes: int) -> None:
        poll = await sec_c.ok("poll:create", {"meeting_id": mid, "question": question})
        await chair_c.ok("poll:open", {"poll_id": poll["poll_id"]})
        for i, c in enumerate(people[:4]):
            await c.ok("poll:vote", {"poll_id": poll["poll_id"], "option": 0 if i < yes else 1})
        await chair_c.ok("poll:close", {"poll_id": poll["poll_id"]})

    await vote("Thông qua tờ trình đầu tư công?", yes=3)
    await vote("Thông qua đề án sáp nhập?", yes=2)
    await sec_c.ok("conclusion:save", {"meeting_id": mid, "text": "Giao Sở Tài chính tham mưu."})
    await chair_c.ok("meeting:end", {"meeting_id": mid})
    notice = await sec_c.ok("conclusion:publish", {"meeting_id": mid})

    async with clients.http(m["chair"].token) as http:
        minutes = (await http.get(f"/api/meetings/{mid}/minutes.pdf")).content
        notice_pdf = (await http.get(f"/api/documents/{notice['document_id']}/file")).content
    render(minutes, "pdf-minutes")
    render(notice_pdf, "pdf-notice")

    text = pdf_text(minutes)
    assert f"Thời gian: bắt đầu lúc {today:%H} giờ" in text
    assert f"phút, {vn_day(today)} đến" in text  # held today, and ended
    assert "Theo lịch: từ" in text  # the schedule, marked as such
    assert (
        "Nguyên tắc: nội dung được thông qua khi số phiếu tán thành vượt quá một nửa "
        "tổng số thành viên có quyền biểu quyết (5 người)."
    ) in text
    assert "THÔNG QUA: 3/5 tán thành" in text
    assert "KHÔNG THÔNG QUA: 2/5 tán thành" in text
    secretary, chair = line_of(minutes, "THƯ KÝ"), line_of(minutes, "CHỦ TRÌ CUỘC HỌP")
    assert secretary and chair and secretary == chair, (secretary, chair)  # side by side

    text = pdf_text(notice_pdf)
    assert "Kết luận tại cuộc họp UBND tỉnh thường kỳ tháng 12" in text
    assert "cuộc họp Họp" not in text
    assert f"phút, {vn_day(today)}" in text  # the day it was held, not the scheduled one
    assert "Tham dự cuộc họp có 3 đại biểu và 1 điểm cầu trực tuyến" in text


def test_outcome_of_members_present() -> None:
    """The other rule: more than half of those present when the vote closed."""
    present = PollResult(
        "Q?",
        "",
        False,
        "closed",
        ["Tán thành", "Không tán thành", "Không biểu quyết"],
        [3, 1, 0],
        4,
        4,
        base=4,
        base_label="số thành viên có mặt",
    )
    assert outcome_text(present) == (
        "THÔNG QUA: 3/4 tán thành; cần quá một nửa số thành viên có mặt (4)."
    )
    tie = PollResult(
        "Q?", "", True, "closed", ["Ông A", "Bà B"], [2, 2], 4, 4, base=4, base_label="x"
    )
    assert outcome_text(tie) == "Không có lựa chọn nào đạt quá một nửa x (4)."
