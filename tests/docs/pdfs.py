"""Real PDFs for the document tests and benchmarks: Vietnamese text on many pages (fpdf2 with
DejaVu), and the bad ones a secretary may upload by mistake."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile

from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def page_text(i: int) -> str:
    return unicodedata.normalize("NFC", f"Trang {i}: Báo cáo tình hình kinh tế xã hội tỉnh Hòa Bình Xanh")


def vietnamese_pdf(pages: int = 5, *, title: str = "Tờ trình", image_kb: int = 0,
                   landscape_every: int = 0, rotate_every: int = 0) -> bytes:
    """A PDF whose page i (1-based) carries `page_text(i)` plus a paragraph. `image_kb` adds an
    incompressible image of about that size to every page (to make big files)."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_compression(True)
    pdf.add_font("DejaVu", fname=FONT)
    side = int((image_kb * 1024 / 3) ** 0.5)
    for i in range(1, pages + 1):
        orientation = "L" if landscape_every and i % landscape_every == 0 else "P"
        pdf.add_page(orientation=orientation)
        pdf.set_font("DejaVu", size=16)
        pdf.cell(0, 24, unicodedata.normalize("NFC", title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=12)
        pdf.cell(0, 18, page_text(i), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 16, unicodedata.normalize(
            "NFC", "Ủy ban nhân dân tỉnh đề nghị các sở, ngành, huyện, thành phố tập trung chỉ đạo "
            "thực hiện quyết liệt các nhiệm vụ, giải pháp đã đề ra. " * 3))
        if image_kb:
            from PIL import Image

            # A different (incompressible) image on every page: fpdf2 embeds identical ones once.
            img = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
            pdf.image(img, x=40, y=300, w=200)
    data = bytes(pdf.output())
    if rotate_every:
        from pypdf import PdfReader, PdfWriter

        r = PdfReader(io.BytesIO(data))
        w = PdfWriter()
        for i, p in enumerate(r.pages, start=1):
            if i % rotate_every == 0:
                p.rotate(90)
            w.add_page(p)
        buf = io.BytesIO()
        w.write(buf)
        data = buf.getvalue()
    return data


def xref_stream_pdf(pages: int = 3) -> bytes:
    """The same content re-written with a cross-reference STREAM and object streams (pyHanko),
    as Word and modern producers write them."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    r = PdfFileReader(io.BytesIO(vietnamese_pdf(pages)))
    w = copy_into_new_writer(r)
    w.stream_xrefs = True
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def encrypted_pdf(pages: int = 2, password: str = "matkhau") -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(vietnamese_pdf(pages))))
    w.encrypt(user_password=password, owner_password=password + "x", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def docx_bytes() -> bytes:
    """A minimal .docx (a ZIP with Word's parts): what "renamed to .pdf" looks like."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buf.getvalue()


def truncated_pdf(pages: int = 5) -> bytes:
    data = vietnamese_pdf(pages)
    return data[: len(data) * 6 // 10]
