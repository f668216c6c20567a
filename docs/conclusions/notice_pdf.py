"""The conclusion notice (Thông báo kết luận) as a PDF, from plain data (no database here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docs.pdfkit import Doc, meeting_phrase, vn_date


@dataclass
class NoticeSection:
    title: str  # the agenda item's title; "" for the overall conclusion
    text: str


@dataclass
class Notice:
    issuing_body: str
    place: str
    number: str  # "Số: 12/TB-UBND"
    published_at: datetime  # in the province's zone
    meeting_title: str
    # When it was actually held (the schedule if not recorded), in the province's zone.
    meeting_start: datetime
    location: str
    chair_name: str
    chair_title: str
    delegates: int  # delegates present (not the chair, the secretaries or the halls)
    points: int  # connection points (halls) present
    sections: list[NoticeSection] = field(default_factory=list)  # items in order, overall last


def notice_pdf(n: Notice) -> bytes:
    doc = Doc(f"Thông báo kết luận — {n.meeting_title}")
    doc.heading(body=n.issuing_body, place=n.place, number=n.number, when=n.published_at)
    doc.centered("THÔNG BÁO", size=14)
    doc.centered(f"Kết luận tại {meeting_phrase(n.meeting_title)}", size=13)
    y = doc.get_y() + 2
    doc.line(doc.w / 2 - 20, y, doc.w / 2 + 20, y)
    doc.ln(6)
    chair = f"{n.chair_title} {n.chair_name}".strip() if n.chair_title else n.chair_name
    where = f", tại {n.location}" if n.location else ""
    halls = f" và {n.points} điểm cầu trực tuyến" if n.points else ""
    doc.para(
        f"Vào lúc {n.meeting_start:%H} giờ {n.meeting_start:%M} phút, {vn_date(n.meeting_start)}"
        f"{where}, {chair} chủ trì {meeting_phrase(n.meeting_title)}. Tham dự cuộc họp có "
        f"{n.delegates} đại biểu{halls}. Sau khi nghe báo cáo và ý kiến phát biểu của các đại "
        f"biểu, người chủ trì cuộc họp kết luận như sau:",
        indent=True,
    )
    doc.ln(2)
    number = 0
    for s in n.sections:
        if s.title:
            number += 1
            doc.para(f"{number}. {s.title}", style="B")
        else:
            doc.para(f"{number + 1}. Kết luận chung" if number else "Kết luận chung", style="B")
        doc.para(s.text, indent=True)
        doc.ln(2)
    doc.para(
        "Trên đây là kết luận tại cuộc họp, thông báo để các cơ quan, đơn vị và cá nhân "
        "có liên quan biết, thực hiện./.",
        indent=True,
    )
    doc.signer_block(
        left_title="Nơi nhận:",
        left_lines=["- Các thành phần dự họp;", "- Lưu: VT."],
        capacity=["CHỦ TRÌ CUỘC HỌP"],
        name=n.chair_name,
    )
    return doc.bytes()
