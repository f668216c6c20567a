"""The pieces every generated PDF shares: fpdf2 with DejaVu (Vietnamese needs a Unicode font;
text is normalised to NFC), and the Vietnamese administrative heading (Nghị định 30/2020):
the issuing body and the number on the left, the national motto on the right, then place and
date."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVuSerif"

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def ascii_initials(text: str) -> str:
    """ỦY BAN NHÂN DÂN -> UBND, for the document number's suffix."""
    skip = {"TỈNH", "HUYỆN", "XÃ", "PHƯỜNG", "THỊ", "TRẤN"}
    letters = []
    for word in nfc(text).upper().split():
        if word in skip:
            continue
        base = unicodedata.normalize("NFD", word[0])[0]
        letters.append("D" if base == "Đ" else base)
    return "".join(letters) or "VP"


def meeting_phrase(title: str) -> str:
    """ "cuộc họp X" for a meeting titled "Họp X", "Cuộc họp X" or "X" (never "cuộc họp Họp X")."""
    text = nfc(title).strip()
    low = text.casefold()
    for prefix in ("cuộc họp ", "họp "):
        if low.startswith(prefix):
            return "cuộc họp " + text[len(prefix) :]
    return "cuộc họp " + text


def vn_date(dt: datetime) -> str:
    return f"ngày {dt.day:02d} tháng {dt.month:02d} năm {dt.year}"


class Doc(FPDF):
    """A4, 2 cm margins (3 cm left, as the decree asks), DejaVu Serif, page numbers."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(30, 20, 20)
        self.set_auto_page_break(True, margin=20)
        for style, name in (
            ("", "DejaVuSerif.ttf"),
            ("B", "DejaVuSerif-Bold.ttf"),
            ("I", "DejaVuSerif-Italic.ttf"),
            ("BI", "DejaVuSerif-BoldItalic.ttf"),
        ):
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.set_title(nfc(title))
        self.set_creator("Họp không giấy tờ")
        self.set_lang("vi")
        self.add_page()
        self.set_font(FONT, "", 13)

    def footer(self) -> None:
        if self.page_no() > 1:
            self.set_y(-15)
            self.set_font(FONT, "", 9)
            self.cell(0, 8, str(self.page_no()), align="C")

    # -- text helpers -----------------------------------------------------------------------

    def para(
        self,
        text: str,
        *,
        style: str = "",
        size: float = 13,
        align: str = "J",
        indent: bool = False,
        h: float = 6.5,
    ) -> None:
        self.set_font(FONT, style, size)
        for line in nfc(text).splitlines() or [""]:
            prefix = "    " if indent and line.strip() else ""
            self.multi_cell(0, h, prefix + line, align=align, **NEXT)

    def centered(self, text: str, *, style: str = "B", size: float = 13, h: float = 6.5) -> None:
        self.para(text, style=style, size=size, align="C", h=h)

    def heading(self, *, body: str, place: str, number: str, when: datetime) -> None:
        """The two-column administrative heading and the place-and-date line."""
        left_w, gap = 58, 2
        right_x = self.l_margin + left_w + gap
        right_w = self.w - self.r_margin - right_x
        top = self.get_y()
        self.set_font(FONT, "", 12)
        self.set_xy(self.l_margin, top)
        self.multi_cell(left_w, 5.5, nfc(body).upper(), align="C", **NEXT)
        self.set_font(FONT, "B", 12)
        self.set_x(self.l_margin)
        self.multi_cell(left_w, 5.5, nfc(place).upper(), align="C", **NEXT)
        y = self.get_y() + 0.5
        mid = self.l_margin + left_w / 2
        self.line(mid - 12, y, mid + 12, y)
        self.set_font(FONT, "", 12)
        self.set_xy(self.l_margin, y + 2)
        self.cell(left_w, 6, nfc(number), align="C")
        left_bottom = y + 8
        self.set_xy(right_x, top)
        self.set_font(FONT, "B", 11)
        self.multi_cell(right_w, 5.5, NATION, align="C", **NEXT)
        self.set_x(right_x)
        self.set_font(FONT, "B", 12)
        self.multi_cell(right_w, 6, MOTTO, align="C", **NEXT)
        y2 = self.get_y() + 0.5
        mid2 = right_x + right_w / 2
        half = self.get_string_width(MOTTO) / 2
        self.line(mid2 - half, y2, mid2 + half, y2)
        self.set_xy(right_x, y2 + 3)
        self.set_font(FONT, "I", 12.5)
        self.cell(right_w, 6, f"{nfc(place)}, {vn_date(when)}", align="C")
        self.set_y(max(left_bottom, y2 + 9) + 8)

    def signer_block(
        self,
        *,
        left_title: str,
        left_lines: list[str],
        capacity: list[str],
        name: str,
        note: str = "",
    ) -> None:
        """Recipients (Nơi nhận) on the left, the signer's capacity and name on the right."""
        self.ln(4)
        if self.get_y() > self.h - 75:
            self.add_page()
        top = self.get_y()
        left_w = 70
        right_x = self.l_margin + left_w + 5
        right_w = self.w - self.r_margin - right_x
        self.set_xy(self.l_margin, top)
        if left_title:
            self.set_font(FONT, "BI", 11)
            self.multi_cell(left_w, 5, nfc(left_title), **NEXT)
            self.set_font(FONT, "", 10.5)
            for line in left_lines:
                self.set_x(self.l_margin)
                self.multi_cell(left_w, 5, nfc(line), **NEXT)
        self.set_xy(right_x, top)
        self.set_font(FONT, "B", 12.5)
        for line in capacity:
            self.set_x(right_x)
            self.multi_cell(right_w, 6, nfc(line).upper(), align="C", **NEXT)
        if note:
            self.set_x(right_x)
            self.set_font(FONT, "I", 10)
            self.multi_cell(right_w, 5, nfc(note), align="C", **NEXT)
        self.set_xy(right_x, self.get_y() + 22)
        self.set_font(FONT, "B", 13)
        self.multi_cell(right_w, 6, nfc(name), align="C", **NEXT)

    def two_signers(self, left: tuple[str, list[str]], right: tuple[str, list[str]]) -> None:
        """Two signatures side by side, each with room to sign (minutes: secretary on the left,
        chair on the right): (capacity, names)."""
        self.ln(6)
        if self.get_y() > self.h - 70:
            self.add_page()
        top = self.get_y()
        col_w = (self.w - self.l_margin - self.r_margin - 10) / 2
        bottom = top
        for i, (capacity, names) in enumerate((left, right)):
            x = self.l_margin + i * (col_w + 10)
            self.set_xy(x, top)
            self.set_font(FONT, "B", 12.5)
            self.multi_cell(col_w, 6, nfc(capacity).upper(), align="C", **NEXT)
            self.set_x(x)
            self.set_font(FONT, "I", 10.5)
            self.multi_cell(col_w, 5, "(Ký, ghi rõ họ tên)", align="C", **NEXT)
            self.set_xy(x, self.get_y() + 22)
            self.set_font(FONT, "B", 13)
            for name in names:
                self.set_x(x)
                self.multi_cell(col_w, 6, nfc(name), align="C", **NEXT)
            bottom = max(bottom, self.get_y())
        self.set_y(bottom)

    def bytes(self) -> bytes:
        return bytes(self.output())
