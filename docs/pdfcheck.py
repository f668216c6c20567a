"""Is this upload a PDF we can distribute? The facts we keep about it (page count, text), within
budgets (objects, pages, inflated bytes, page content, image size), and without active content
(JavaScript, automatic, launch and external actions, embedded files, XFA), which is removed and
the uploader told so.

Runs in a bounded child process (docs/jobs.py): pypdf is CPU-bound and a hostile file must not
hold the server. Errors are meant for a secretary, not a developer: what is wrong with the file
and what to do about it.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from meeting.errors import ActionError

log = logging.getLogger("hop.docs")
MAX_TEXT = 2_000_000  # characters of extracted text kept for search

# What a file that is not a PDF usually is, by its first bytes.
MAGIC = [
    (
        b"PK\x03\x04",
        "một tệp nén (có thể là tệp Word .docx, Excel .xlsx hay PowerPoint .pptx đổi tên)",
    ),
    (b"\xd0\xcf\x11\xe0", "một tệp Office cũ (.doc, .xls, .ppt)"),
    (b"{\\rtf", "một tệp RTF"),
    (b"\x89PNG", "một ảnh PNG"),
    (b"\xff\xd8\xff", "một ảnh JPEG"),
    (b"<", "một trang web hoặc tệp XML"),
]


# --- budgets ---------------------------------------------------------------------------------
# A viewer (Chromium's, pdf.js) must inflate and draw what a file holds; these bound that work so
# a small hostile file cannot cost a reader gigabytes or a server minutes. Written on /api.
MAX_PAGES = 2000
MAX_OBJECTS = 200_000
INFLATE_FLOOR = 512 * 1024 * 1024  # bytes every stream inflates to, at least this much allowed…
INFLATE_RATIO = 40  # …or 40 × the file's size, whichever is more
CONTENT_BUDGET = (
    128 * 1024 * 1024
)  # page content drawn, summed over pages (shared streams count per page)
MAX_IMAGE_PIXELS = 150_000_000  # one image (a 600 dpi A2 scan is ~ 70 Mpx)
_INFLATE_CHUNK = 4 * 1024 * 1024

# Active content, by the name the uploader is told and /api lists.
ACTIVE_LABELS = {
    "javascript": "mã JavaScript",
    "open_action": "hành động tự chạy khi mở tệp (OpenAction)",
    "auto_actions": "hành động tự động (AA)",
    "launch": "lệnh chạy chương trình hay mở tệp ngoài (Launch)",
    "external_actions": "hành động gửi dữ liệu hay mở tài liệu ngoài",
    "embedded_files": "tệp đính kèm nhúng trong PDF",
    "xfa_forms": "biểu mẫu XFA (có thể chứa mã)",
}
_ACTION_KINDS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "external_actions",
    "/SubmitForm": "external_actions",
    "/GoToR": "external_actions",
    "/GoToE": "external_actions",
    "/RichMediaExecute": "javascript",
    "/Rendition": "javascript",
}
_ATTACHMENT_ANNOTS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}


@dataclass
class PdfFacts:
    pages: int
    text: str
    active: list[str] = field(default_factory=list)  # kinds of active content found (sorted)


def _too_complex(why: str, **details: object) -> ActionError:
    return ActionError(
        "too_large",
        "Tệp PDF quá nặng để phân phát an toàn: " + why + ". Hãy xuất lại tệp (In → Lưu thành "
        "PDF) hoặc tách thành nhiều tệp nhỏ rồi tải lên.",
        {"file": "too_complex", **details},
    )


def _damaged(why: str) -> ActionError:
    return ActionError(
        "invalid",
        "Tệp PDF bị hỏng hoặc không đầy đủ (" + why + "). Hãy mở thử tệp trên máy, xuất lại "
        "thành PDF rồi tải lên lại.",
        {"file": "damaged"},
    )


def _first_filter(obj: DictionaryObject) -> str | None:
    f = obj.get("/Filter")
    if isinstance(f, ArrayObject):
        f = f[0] if f else None
    f = f.get_object() if isinstance(f, IndirectObject) else f
    return str(f) if f is not None else None


def _inflated_size(stream: StreamObject, limit: int) -> int:
    """How many bytes the stream's first filter yields, counted without keeping them; stops
    (returns > limit) as soon as the limit is passed, so a bomb costs at most `limit` of work."""
    raw = stream._data or b""
    kind = _first_filter(stream)
    if kind in ("/FlateDecode", "/Fl"):
        d = zlib.decompressobj()
        total = 0
        buf = raw
        try:
            while buf:
                out = d.decompress(buf, _INFLATE_CHUNK)
                total += len(out)
                if total > limit:
                    return total
                buf = d.unconsumed_tail
                if not out and not buf:
                    break
        except zlib.error:
            pass  # a damaged stream inflates to what it had; readers give up there too
        return total
    if kind in ("/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"):
        try:
            return len(stream.get_data())  # pypdf bounds these decoders' output itself
        except Exception:
            return limit + 1
    return len(raw)


def _all_objects(reader: PdfReader) -> list[IndirectObject]:
    refs = [IndirectObject(num, gen, reader) for gen, table in reader.xref.items() for num in table]
    refs += [IndirectObject(num, 0, reader) for num in reader.xref_objStm]
    return refs


def _harmless_open(value: object) -> bool:
    """An /OpenAction that only opens the document at a page (a destination, or a GoTo action
    with no follow-up): what fpdf2, LibreOffice and Word write; kept."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, ArrayObject):
        return True
    return (
        isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo" and "/Next" not in value
    )


def _scan_dict(d: DictionaryObject, found: set[str], depth: int = 0) -> None:
    """Active content in one object (and the dictionaries written inside it)."""
    if depth > 8:
        return
    keys = set(d.keys())
    if "/JS" in keys or "/JavaScript" in keys:
        found.add("javascript")
    if "/OpenAction" in keys and not _harmless_open(d.raw_get("/OpenAction")):
        found.add("open_action")
    if "/AA" in keys:
        found.add("auto_actions")
    if "/XFA" in keys:
        found.add("xfa_forms")
    if "/EF" in keys or "/EmbeddedFiles" in keys or d.get("/Type") == "/EmbeddedFile":
        found.add("embedded_files")
    if d.get("/Subtype") in _ATTACHMENT_ANNOTS:
        found.add("embedded_files")
    kind = _ACTION_KINDS.get(str(d.get("/S", "")))
    if kind:
        found.add(kind)
    for k in keys:
        v = d.raw_get(k)
        if isinstance(v, DictionaryObject):
            _scan_dict(v, found, depth + 1)
        elif isinstance(v, ArrayObject):
            for item in v:
                if isinstance(item, DictionaryObject):
                    _scan_dict(item, found, depth + 1)


def _page_content_refs(page: DictionaryObject) -> list[object]:
    """The streams a page draws: its /Contents and the form XObjects its resources name."""
    out: list[object] = []
    raw = page.raw_get("/Contents") if "/Contents" in page else None
    target = raw.get_object() if isinstance(raw, IndirectObject) else raw
    if isinstance(target, ArrayObject):
        out.extend(target)
    elif raw is not None:
        out.append(raw)
    seen: set[int] = set()

    def forms(res: object, depth: int) -> None:
        res = res.get_object() if isinstance(res, IndirectObject) else res
        if not isinstance(res, DictionaryObject) or depth > 4:
            return
        xobjects = res.get("/XObject")
        if not isinstance(xobjects, DictionaryObject):
            return
        for name in xobjects:
            ref = xobjects.raw_get(name)
            if not isinstance(ref, IndirectObject) or ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            xo = ref.get_object()
            if isinstance(xo, StreamObject) and xo.get("/Subtype") == "/Form":
                out.append(ref)
                forms(xo.get("/Resources"), depth + 1)

    forms(page.get("/Resources"), 0)
    return out


def _budgets(reader: PdfReader, file_size: int) -> set[str]:
    """Enforce the object, page, inflate, image and content budgets (ActionError 413 when one
    is passed) and return the kinds of active content the file holds."""
    refs = _all_objects(reader)
    if len(refs) > MAX_OBJECTS:
        raise _too_complex(
            f"có {len(refs):,} đối tượng (tối đa {MAX_OBJECTS:,})".replace(",", "."),
            budget="objects",
            limit=MAX_OBJECTS,
        )
    limit = max(INFLATE_FLOOR, INFLATE_RATIO * file_size)
    total = 0
    sizes: dict[int, int] = {}
    found: set[str] = set()
    for ref in refs:
        try:
            obj = ref.get_object()
        except Exception:
            continue  # a broken object: pypdf's own reading below decides
        if isinstance(obj, DictionaryObject):
            _scan_dict(obj, found)
        if isinstance(obj, StreamObject):
            if obj.get("/Subtype") == "/Image":
                try:
                    pixels = int(obj.get("/Width", 0)) * int(obj.get("/Height", 0))
                except (TypeError, ValueError):
                    pixels = 0
                if pixels > MAX_IMAGE_PIXELS:
                    raise _too_complex(
                        f"có ảnh {pixels // 1_000_000} triệu điểm ảnh (tối đa {MAX_IMAGE_PIXELS // 1_000_000} triệu)",
                        budget="image_pixels",
                        limit=MAX_IMAGE_PIXELS,
                    )
            n = _inflated_size(obj, limit - total)
            sizes[ref.idnum] = n
            total += n
            if total > limit:
                raise _too_complex(
                    f"khi giải nén, tệp {file_size / 1_048_576:.1f} MB thành hơn {limit // 1_048_576} MB "
                    "(tệp kiểu \u201cbom giải nén\u201d)",
                    budget="inflated_bytes",
                    limit=limit,
                )
    pages = reader.pages
    if len(pages) > MAX_PAGES:
        raise _too_complex(
            f"có {len(pages)} trang (tối đa {MAX_PAGES})", budget="pages", limit=MAX_PAGES
        )
    drawn = 0
    for page in pages:
        for ref in _page_content_refs(page):
            if isinstance(ref, IndirectObject):
                n = sizes.get(ref.idnum, 0)
            else:
                n = len(getattr(ref, "_data", b"") or b"")
            drawn += n
        if drawn > CONTENT_BUDGET:
            raise _too_complex(
                f"nội dung các trang cộng lại hơn {CONTENT_BUDGET // 1_048_576} MB (nhiều trang dùng "
                "chung một nội dung rất lớn)",
                budget="page_content_bytes",
                limit=CONTENT_BUDGET,
            )
    return found


def inspect_pdf(path: Path) -> PdfFacts:
    """The page count, text and active content of a stored or uploaded file, or an ActionError
    saying why it cannot be distributed: empty (400), not a PDF (415), damaged or encrypted
    (400), over a budget (413). Run it in a bounded job (docs/jobs.py) for untrusted files."""
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
            active = _budgets(reader, size)
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
    return PdfFacts(pages=pages, text="\n\f".join(texts)[:MAX_TEXT], active=sorted(active))


# --- removing active content -----------------------------------------------------------------


def _strip(obj: object, depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(obj, DictionaryObject):
        if "/OpenAction" in obj and not _harmless_open(obj.raw_get("/OpenAction")):
            del obj["/OpenAction"]
        for key in ("/AA", "/JS", "/JavaScript", "/XFA", "/EF", "/EmbeddedFiles"):
            if key in obj:
                del obj[key]
        for key in ("/A", "/Next"):
            if key in obj:
                action = obj[key]
                action = action.get_object() if isinstance(action, IndirectObject) else action
                if key == "/Next" or (
                    isinstance(action, DictionaryObject)
                    and str(action.get("/S", "")) in _ACTION_KINDS
                ):
                    del obj[key]
        if isinstance(obj.get("/Annots"), ArrayObject):
            keep = ArrayObject()
            for a in obj["/Annots"]:
                target = a.get_object() if isinstance(a, IndirectObject) else a
                if not (
                    isinstance(target, DictionaryObject)
                    and target.get("/Subtype") in _ATTACHMENT_ANNOTS
                ):
                    keep.append(a)
            obj[NameObject("/Annots")] = keep
        if obj.get("/S") in _ACTION_KINDS:
            obj[NameObject("/S")] = NameObject("/GoTo") if "/D" in obj else NameObject("/Named")
            if "/N" not in obj and "/D" not in obj:
                obj[NameObject("/N")] = NameObject("/FirstPage")
        for k in list(obj.keys()):
            _strip(obj.raw_get(k), depth + 1)
    elif isinstance(obj, ArrayObject):
        for v in obj:
            _strip(v, depth + 1)


def strip_active(src: Path, dst: Path) -> None:
    """Write a copy of `src` without JavaScript, automatic/launch/external actions, embedded
    files and XFA; pages, text, links within the document and form fields stay."""
    writer = PdfWriter(clone_from=PdfReader(src))
    for obj in writer._objects:
        if obj is not None:
            _strip(obj)
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    with dst.open("wb") as f:
        writer.write(f)


def intake(src: str, work_dir: str) -> dict[str, object]:
    """The upload's whole check, run in a bounded job: budgets, facts, active content removed
    (into work_dir/clean.pdf) and the viewers' copy prepared (docs/stamp.py). Returns what the
    parent stores: the file to keep, its facts and what was removed."""
    from docs.stamp import build_copy

    path = Path(src)
    facts = inspect_pdf(path)
    removed: list[str] = []
    if facts.active:
        clean = Path(work_dir) / "clean.pdf"
        strip_active(path, clean)
        again = inspect_pdf(clean)
        if again.active:
            raise ActionError(
                "unsupported",
                "Tệp PDF có nội dung chủ động ("
                + ", ".join(ACTIVE_LABELS[k] for k in again.active)
                + ") không gỡ được. Hãy in tệp ra PDF mới (In → Lưu thành PDF) rồi tải lên.",
                {"file": "active_content", "active": again.active},
            )
        removed, facts, path = facts.active, again, clean
    copy_plan = build_copy(path, Path(work_dir) / "copy.pdf")
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return {
        "path": str(path),
        "sha256": digest.hexdigest(),
        "size": path.stat().st_size,
        "pages": facts.pages,
        "text": facts.text,
        "removed": removed,
        "copy": copy_plan,
    }
