"""Is this upload a PDF we can distribute? The facts we keep about it (page count, text).

Runs in a worker thread (pypdf is CPU-bound). Errors are meant for a secretary, not a developer:
what is wrong with the file and what to do about it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from docs.stamp import StampError, make_plan
from meeting.errors import ActionError

log = logging.getLogger("hop.docs")
MAX_TEXT = 2_000_000  # characters of extracted text kept for search

# What a file that is not a PDF usually is, by its first bytes.
MAGIC = [
    (b"PK\x03\x04", "một tệp nén (có thể là tệp Word .docx, Excel .xlsx hay PowerPoint .pptx đổi tên)"),
    (b"\xd0\xcf\x11\xe0", "một tệp Office cũ (.doc, .xls, .ppt)"),
    (b"{\\rtf", "một tệp RTF"),
    (b"\x89PNG", "một ảnh PNG"),
    (b"\xff\xd8\xff", "một ảnh JPEG"),
    (b"<", "một trang web hoặc tệp XML"),
]


@dataclass
class PdfFacts:
    pages: int
    text: str


def _damaged(why: str) -> ActionError:
    return ActionError(
        "invalid",
        "Tệp PDF bị hỏng hoặc không đầy đủ (" + why + "). Hãy mở thử tệp trên máy, xuất lại "
        "thành PDF rồi tải lên lại.",
        {"file": "damaged"},
    )


def inspect_pdf(path: Path, check_stamp: bool = True) -> PdfFacts:
    """The page count and text of a stored or uploaded file, or an ActionError saying why it
    cannot be distributed: empty (400), not a PDF (415), damaged or encrypted (400)."""
    size = path.stat().st_size
    if size == 0:
        raise ActionError("invalid", "Tệp rỗng (0 byte). Hãy chọn lại tệp PDF.", {"file": "empty"})
    with path.open("rb") as f:
        head = f.read(1024)
        f.seek(max(0, size - 2048))
        tail = f.read()
    if b"%PDF-" not in head:
        what = next((w for magic, w in MAGIC if head.lstrip().startswith(magic)), None)
        raise ActionError(
            "unsupported",
            "Tệp này không phải PDF"
            + (f" mà là {what}" if what else "")
            + ". Hãy lưu hoặc xuất tài liệu thành PDF (Tệp → Lưu thành → PDF) rồi tải lên.",
            {"file": "not_pdf"},
        )
    if b"%%EOF" not in tail:
        raise _damaged("tệp bị cắt cụt, có thể do tải lên hay sao chép chưa xong")
    try:
        with path.open("rb") as f:
            reader = PdfReader(f)
            if reader.is_encrypted:
                raise ActionError(
                    "invalid",
                    "Tệp PDF đang được đặt mật khẩu hoặc mã hoá nên không thể đóng dấu và phân "
                    "phát. Hãy lưu lại một bản không đặt mật khẩu rồi tải lên.",
                    {"file": "encrypted"},
                )
            pages = len(reader.pages)
            if pages == 0:
                raise _damaged("không có trang nào")
            texts: list[str] = []
            total = 0
            for page in reader.pages:
                try:
                    t = page.extract_text() or ""
                except Exception:
                    page.get_contents()  # text we cannot read is fine, a page we cannot is not
                    t = ""
                if total < MAX_TEXT:
                    texts.append(t)
                    total += len(t)
    except ActionError:
        raise
    except Exception as exc:
        log.info("rejected PDF %s: %s", path.name, exc)
        raise _damaged("không đọc được cấu trúc tệp") from None
    if check_stamp:
        try:
            make_plan(path)  # every page must take the viewer's stamp
        except StampError as exc:
            log.info("PDF %s cannot be stamped: %s", path.name, exc)
            raise _damaged("không đọc được danh sách trang") from None
    return PdfFacts(pages=pages, text="\n\f".join(texts)[:MAX_TEXT])
