"""Small Vietnamese PDFs made with fpdf2 (DejaVu Sans): the demo's documents."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from docs.stamp import FONT_PATH


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def sample_pdf(
    title: str, pages: list[list[str]], *, issuer: str = "ỦY BAN NHÂN DÂN TỈNH"
) -> bytes:
    """One page per list of paragraphs, with a header and a page number."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("DejaVu", fname=str(FONT_PATH))
    pdf.add_font("DejaVu", style="B", fname=str(FONT_PATH.with_name("DejaVuSans-Bold.ttf")))
    pdf.set_margins(20, 20, 20)
    for n, paragraphs in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, _nfc(issuer), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 15)
        pdf.multi_cell(0, 8, _nfc(title), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("DejaVu", "", 12)
        for para in paragraphs:
            pdf.multi_cell(0, 6.5, _nfc(para), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.set_auto_page_break(False)
        pdf.set_y(-18)
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(0, 5, _nfc(f"Trang {n}/{len(pages)}"), align="C")
        pdf.set_auto_page_break(True, margin=20)
    return bytes(pdf.output())


DEMO_DOCUMENTS = [
    (
        1,
        "Báo cáo tình hình kinh tế - xã hội tháng",
        [
            [
                "I. Tình hình chung",
                "Tổng sản phẩm trên địa bàn tỉnh tăng 7,2% so với cùng kỳ. Sản xuất "
                "nông nghiệp ổn định; công nghiệp, xây dựng tiếp tục phục hồi.",
            ],
            [
                "II. Thu, chi ngân sách",
                "Thu ngân sách nhà nước ước đạt 68% dự toán năm. Chi ngân sách "
                "bảo đảm các nhiệm vụ thường xuyên và chi đầu tư phát triển.",
            ],
            [
                "III. Nhiệm vụ tháng tới",
                "Đẩy nhanh giải ngân vốn đầu tư công; chuẩn bị phương án phòng, "
                "chống thiên tai; bảo đảm an sinh xã hội.",
            ],
        ],
    ),
    (
        2,
        "Tờ trình về kế hoạch đầu tư công năm tới",
        [
            [
                "Kính gửi: Ủy ban nhân dân tỉnh.",
                "Sở Kế hoạch và Đầu tư kính trình kế hoạch đầu tư công "
                "năm tới với tổng vốn dự kiến 3.250 tỷ đồng.",
            ],
            [
                "Danh mục dự án ưu tiên: đường liên huyện Đông Sơn – Tây Sơn, trường học vùng khó khăn, "
                "trạm y tế xã.",
                "Kính trình Ủy ban nhân dân tỉnh xem xét, quyết định.",
            ],
        ],
    ),
]
