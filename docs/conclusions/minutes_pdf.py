"""The minutes (biên bản cuộc họp) as a PDF, from plain data (no database here): attendance
(present, absent, deputies), the agenda, each speaker with start and duration, each vote's
result, the conclusions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docs.pdfkit import FONT, Doc, nfc, vn_date


@dataclass
class Attendee:
    full_name: str
    title: str
    role: str  # Vietnamese label
    attendance: str  # "Có mặt" / "Vắng mặt" / "Cử người dự thay" / "Có mặt (dự thay ông/bà X)"


@dataclass
class Speech:
    full_name: str
    item: str
    topic: str
    started_at: datetime
    duration_s: int | None  # None: still speaking


@dataclass
class PollResult:
    question: str
    item: str
    secret: bool
    status: str
    options: list[str]
    counts: list[int] | None
    voted: int
    eligible: int | None
    # The base of the majority (settings.vote_majority_of): its size and its words.
    base: int = 0
    base_label: str = ""


APPROVE = "Tán thành"


def outcome_text(p: PollResult) -> str:
    """The outcome under the stated rule: more than half of the base."""
    counts = p.counts or []
    rule = f"quá một nửa {p.base_label} ({p.base})"
    if p.options and p.options[0] == APPROVE:
        yes = counts[0] if counts else 0
        passed = 2 * yes > p.base
        verdict = "THÔNG QUA" if passed else "KHÔNG THÔNG QUA"
        return f"{verdict}: {yes}/{p.base} tán thành; cần {rule}."
    winners = [o for o, c in zip(p.options, counts, strict=False) if 2 * c > p.base]
    if winners:
        return f"Lựa chọn đạt {rule}: {', '.join(winners)}."
    return f"Không có lựa chọn nào đạt {rule}."


@dataclass
class Minutes:
    issuing_body: str
    place: str
    number: str
    made_at: datetime
    meeting_title: str
    status: str
    starts_at: datetime  # scheduled
    ends_at: datetime
    location: str
    chair_name: str
    secretary_names: list[str]
    attendees: list[Attendee] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    polls: list[PollResult] = field(default_factory=list)
    conclusions: list[tuple[str, str]] = field(default_factory=list)  # (item title or "", text)
    started_at: datetime | None = None  # actual (meeting:start), None: not started or unknown
    ended_at: datetime | None = None  # actual (meeting:end)
    majority_rule: str = ""  # the rule's sentence, printed before the votes


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "đang phát biểu"
    m, s = divmod(max(0, seconds), 60)
    return f"{m} phút {s:02d} giây" if m else f"{s} giây"


def minutes_pdf(mn: Minutes) -> bytes:
    """The minutes in their six parts, then the signatures."""
    doc = Doc(f"Biên bản — {mn.meeting_title}")
    _title(doc, mn)
    _when_where_who(doc, mn)
    _attendance(doc, mn)
    _agenda(doc, mn)
    _speeches(doc, mn)
    _votes(doc, mn)
    _conclusions(doc, mn)
    _closing(doc, mn)
    return doc.bytes()


def _title(doc: Doc, mn: Minutes) -> None:
    doc.heading(body=mn.issuing_body, place=mn.place, number=mn.number, when=mn.made_at)
    doc.centered("BIÊN BẢN CUỘC HỌP", size=14)
    doc.centered(mn.meeting_title, size=13)
    doc.ln(5)


def _when_where_who(doc: Doc, mn: Minutes) -> None:
    doc.para("I. THỜI GIAN, ĐỊA ĐIỂM, CHỦ TRÌ", style="B")
    for line in time_lines(mn):
        doc.para(line)
    if mn.location:
        doc.para(f"Địa điểm: {mn.location}.")
    doc.para(f"Chủ trì: {mn.chair_name}.")
    if mn.secretary_names:
        doc.para(f"Thư ký: {', '.join(mn.secretary_names)}.")
    doc.ln(2)


def _attendance(doc: Doc, mn: Minutes) -> None:
    """Who was invited and who came: a table, one row per person."""
    present = sum(1 for a in mn.attendees if a.attendance.startswith("Có mặt"))
    doc.para("II. THÀNH PHẦN THAM DỰ", style="B")
    doc.para(f"Được mời: {len(mn.attendees)} — có mặt: {present}.")
    doc.set_font(FONT, "", 10.5)
    with doc.table(
        col_widths=(13, 52, 30, 65), text_align=("CENTER", "LEFT", "LEFT", "LEFT"), line_height=5.5
    ) as table:
        header = table.row()
        for h in ("STT", "Họ và tên", "Vai trò", "Tham dự"):
            header.cell(h)
        for i, a in enumerate(mn.attendees, start=1):
            row = table.row()
            row.cell(str(i))
            row.cell(nfc(f"{a.full_name}\n{a.title}" if a.title else a.full_name))
            row.cell(nfc(a.role))
            row.cell(nfc(a.attendance))
    doc.ln(4)


def _agenda(doc: Doc, mn: Minutes) -> None:
    doc.para("III. CHƯƠNG TRÌNH", style="B")
    for i, title in enumerate(mn.agenda, start=1):
        doc.para(f"{i}. {title}")
    if not mn.agenda:
        doc.para("(Không có nội dung)")
    doc.ln(2)


def _speeches(doc: Doc, mn: Minutes) -> None:
    doc.para("IV. Ý KIẾN PHÁT BIỂU", style="B")
    if not mn.speeches:
        doc.para("(Không có lượt phát biểu)")
    for i, s in enumerate(mn.speeches, start=1):
        about = f" — {s.item}" if s.item else ""
        topic = f": {s.topic}" if s.topic else ""
        doc.para(
            f"{i}. {s.full_name}{about}{topic}. Bắt đầu {s.started_at:%H:%M:%S}, "
            f"thời lượng {duration_text(s.duration_s)}."
        )
    doc.ln(2)


def _votes(doc: Doc, mn: Minutes) -> None:
    """The majority rule once, then each vote with its result and its outcome under the rule."""
    doc.para("V. BIỂU QUYẾT", style="B")
    if not mn.polls:
        doc.para("(Không có biểu quyết)")
    elif mn.majority_rule:
        doc.para(mn.majority_rule, style="I", size=12)
    for i, p in enumerate(mn.polls, start=1):
        _vote(doc, i, p)
    doc.ln(2)


def _vote(doc: Doc, i: int, p: PollResult) -> None:
    kind = "bỏ phiếu kín" if p.secret else "biểu quyết công khai"
    about = f" (nội dung: {p.item})" if p.item else ""
    doc.para(f"{i}. {p.question}{about} — {kind}.", style="B", size=12)
    if p.status != "closed" or p.counts is None:
        doc.para("Chưa kết thúc biểu quyết." if p.status == "open" else "Chưa biểu quyết.")
        return
    eligible = f"/{p.eligible}" if p.eligible is not None else ""
    results = "; ".join(f"{o}: {c}" for o, c in zip(p.options, p.counts, strict=False))
    doc.para(f"Số người biểu quyết: {p.voted}{eligible}. Kết quả: {results}.")
    doc.para(outcome_text(p), style="B", size=12.5)


def _conclusions(doc: Doc, mn: Minutes) -> None:
    doc.para("VI. KẾT LUẬN", style="B")
    if not mn.conclusions:
        doc.para("(Chưa có kết luận)")
    for title, text in mn.conclusions:
        doc.para(title or "Kết luận chung", style="I")
        doc.para(text, indent=True)
    doc.ln(2)


def _closing(doc: Doc, mn: Minutes) -> None:
    """When the minutes were made, and whether the meeting had ended; the two signers."""
    held = "cuộc họp đã kết thúc" if mn.status == "ended" else "cuộc họp chưa kết thúc"
    doc.para(
        f"Biên bản được lập lúc {mn.made_at:%H:%M} {vn_date(mn.made_at)} ({held}).",
        style="I",
        size=11,
        align="L",
    )
    doc.two_signers(("THƯ KÝ", mn.secretary_names[:1]), ("CHỦ TRÌ CUỘC HỌP", [mn.chair_name]))


def _at(dt: datetime) -> str:
    return f"{dt:%H} giờ {dt:%M} phút, {vn_date(dt)}"


def time_lines(mn: Minutes) -> list[str]:
    """When it was held — the actual start and end, never the schedule passed off as them; the
    schedule is added, marked as such, when the meeting was not held as scheduled."""
    scheduled = (
        f"Theo lịch: từ {mn.starts_at:%H:%M} {vn_date(mn.starts_at)} đến {mn.ends_at:%H:%M}."
    )
    if mn.started_at is None:
        if mn.status in ("in_progress", "ended"):  # held before start times were recorded
            return [f"Thời gian (theo lịch): từ {_at(mn.starts_at)} đến {mn.ends_at:%H:%M}."]
        return [f"Cuộc họp chưa bắt đầu. {scheduled}"]
    end = f" đến {_at(mn.ended_at)}" if mn.ended_at else " (đang họp)"
    lines = [f"Thời gian: bắt đầu lúc {_at(mn.started_at)}{end}."]
    if (
        mn.started_at.date() != mn.starts_at.date()
        or abs((mn.started_at - mn.starts_at).total_seconds()) > 3600
    ):
        lines.append(scheduled)
    return lines
