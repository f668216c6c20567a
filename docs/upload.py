"""POST /api/meetings/{meeting_id}/documents (/api §2): the meeting's chair or a secretary
uploads a PDF.

multipart/form-data fields: `file` (the PDF), `title` (default: the file's name),
`agenda_item_id` (optional: the agenda item it belongs to), `replaces` (optional: the id of a
current document of the meeting that this file is a new version of). Answer: the document
object, 201.

The body is parsed as it arrives: the file part goes to a temporary file on the store's disk,
hashed on the way, and the upload stops with 413 as soon as it passes MAX_UPLOAD_MB (a
Content-Length over the limit is refused before reading anything). The roles are checked before
the body is read, so someone who may not upload cannot make the server store anything.

The received file is then checked in a bounded child process (docs/jobs.py, docs/pdfcheck.py):
budgets, active content removed (the answer then says what was removed), the viewers' copy made.
It enters the store staged (docs/store.py): if its row is not committed, it goes again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from docs.jobs import JobFailed, pdf_budget, runner_for
from docs.models import Document
from docs.pdfcheck import ACTIVE_LABELS, intake
from docs.store import (
    Store,
    clean_filename,
    create_document,
    document_view,
    remove_temp,
    store_for,
)
from meeting.agenda_ref import is_agenda_item
from meeting.errors import ActionError, conflict, invalid
from meeting.http import current_user, server_of
from meeting.hub import MeetingContext
from meeting.jsonable import jsonable
from meeting.models import STAFF, MeetingStatus

if TYPE_CHECKING:
    from meeting.server import Server

MAX_FIELD = 64 * 1024  # bytes of a non-file field
FORM_OVERHEAD = 256 * 1024  # multipart headers and small fields on top of the file itself


def too_large(limit_mb: int) -> ActionError:
    return ActionError(
        "too_large",
        f"Tệp vượt quá giới hạn {limit_mb} MB. Hãy nén hoặc tách tài liệu rồi tải lên.",
        {"file": "too_large", "max_mb": limit_mb},
    )


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    value: bytearray = field(default_factory=bytearray)


@dataclass
class Upload:
    fields: dict[str, str]
    filename: str | None = None
    temp: Path | None = None
    size: int = 0
    sha256: str = ""


class _FormReader:
    """The multipart parser's callbacks: small fields kept in memory (each at most MAX_FIELD),
    the one file part written to a temporary file of the store as it arrives, hashed on the
    way. A refusal found inside a callback is kept and raised between chunks (the parser would
    swallow it)."""

    def __init__(self, store: Store, limit: int, limit_mb: int) -> None:
        self.store = store
        self.limit = limit
        self.limit_mb = limit_mb
        self.upload = Upload(fields={})
        self.digest = hashlib.sha256()
        self.part = _Part()
        self.hname = b""
        self.hvalue = b""
        self.file: BinaryIO | None = None
        self.error: ActionError | None = None

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def fail(self, exc: ActionError) -> None:
        if self.error is None:
            self.error = exc

    def raise_refusal(self) -> None:
        if self.error is not None:
            raise self.error

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.hname += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.hvalue += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers.append((self.hname.lower(), self.hvalue))
        self.hname, self.hvalue = b"", b""

    def on_headers_finished(self) -> None:
        part = self.part
        disposition = next((v for k, v in part.headers if k == b"content-disposition"), b"")
        _, opts = parse_options_header(disposition)
        part.name = opts.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in opts:
            if part.name != "file" or self.file is not None:
                self.fail(invalid("Chỉ gửi một tệp, trong trường file", file="one file only"))
                return
            part.filename = opts[b"filename"].decode("utf-8", "replace")
            fd, temp = self.store.temp_file()
            self.upload.temp = temp
            self.upload.filename = part.filename
            self.file = os.fdopen(fd, "wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None:
            return
        chunk = data[start:end]
        if self.part.filename is not None:
            self._file_data(chunk)
        else:
            self._field_data(chunk)

    def _file_data(self, chunk: bytes) -> None:
        self.upload.size += len(chunk)
        if self.upload.size > self.limit:
            self.fail(too_large(self.limit_mb))
            return
        self.digest.update(chunk)
        assert self.file is not None
        self.file.write(chunk)

    def _field_data(self, chunk: bytes) -> None:
        part = self.part
        part.value += chunk
        if len(part.value) > MAX_FIELD:
            self.fail(invalid("Trường quá dài", **{part.name or "field": "too long"}))

    def on_part_end(self) -> None:
        part = self.part
        if part.filename is None and part.name:
            text = part.value.decode("utf-8", "replace")
            self.upload.fields[part.name] = unicodedata.normalize("NFC", text)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()

    def discard(self) -> None:
        """A refused or broken upload keeps nothing."""
        self.close()
        remove_temp(self.upload.temp)

    def finished(self) -> Upload:
        self.close()
        self.upload.sha256 = self.digest.hexdigest()
        return self.upload


def _boundary(request: Request, limit: int, limit_mb: int) -> bytes:
    """The multipart boundary, once the headers show a form that may fit the limit."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise invalid("Hãy gửi biểu mẫu multipart/form-data có trường file", body="not multipart")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + FORM_OVERHEAD:
        raise too_large(limit_mb)
    return params[b"boundary"]


async def receive_upload(request: Request, store: Store, limit: int, limit_mb: int) -> Upload:
    """Parse the multipart body as it streams in. One file part (`file`) goes to disk."""
    reader = _FormReader(store, limit, limit_mb)
    parser = MultipartParser(_boundary(request, limit, limit_mb), reader.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            reader.raise_refusal()
        parser.finalize()
    except ActionError:
        reader.discard()
        raise
    except Exception:
        reader.discard()
        raise invalid(
            "Biểu mẫu tải lên không hợp lệ hoặc bị ngắt giữa chừng", body="bad multipart"
        ) from None
    return reader.finished()


def _int_field(fields: dict[str, str], name: str) -> int | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise invalid(f"{name} phải là số", **{name: "not an integer"})
    return int(raw)


async def check_upload(server: Any, store: Store, temp: Path) -> dict[str, Any]:
    """The bounded intake job (docs/pdfcheck.intake): its answer, or the reason it was refused.
    The job's work folder holds the cleaned file and the copy skeleton until they are stored."""
    work = await asyncio.to_thread(store.job_dir)
    try:
        checked = await runner_for(server).run(
            intake, str(temp), str(work), budget=pdf_budget(server.settings)
        )
    except JobFailed as exc:
        remove_temp(work)
        raise over_budget(exc.why, server.settings) from None
    except BaseException:
        remove_temp(work)
        raise
    checked["work"] = work
    checked["copy_path"] = str(work / "copy.pdf")
    if checked["path"] == str(temp):  # nothing removed: the upload itself is kept
        keep = work / "original.pdf"
        await asyncio.to_thread(os.replace, temp, keep)
        checked["path"] = str(keep)
    return checked


def over_budget(why: str, settings: Any) -> ActionError:
    what = {
        "time": f"kiểm tra tệp cần hơn {settings.pdf_job_seconds:g} giây",
        "memory": f"kiểm tra tệp cần hơn {settings.pdf_job_memory_mb} MB bộ nhớ",
    }.get(why, "không kiểm tra được tệp")
    return ActionError(
        "too_large",
        f"Tệp PDF quá nặng để phân phát an toàn: {what}. Hãy xuất lại tệp (In → Lưu thành PDF) "
        "hoặc tách thành nhiều tệp nhỏ rồi tải lên.",
        {"file": "too_complex", "budget": why},
    )


@dataclass(frozen=True)
class _Form:
    """The upload's fields, checked."""

    filename: str
    title: str
    item_id: int | None
    replaces_id: int | None


async def _read_form(server: Server, up: Upload, meeting_id: int) -> _Form:
    if up.temp is None:
        raise invalid("Thiếu tệp PDF (trường file)", file="required")
    filename = clean_filename(up.filename)
    title = " ".join(up.fields.get("title", "").split())
    if not title:
        title = filename.rsplit(".", 1)[0] if "." in filename else filename
    if len(title) > 300:
        raise invalid("Tên tài liệu dài quá 300 ký tự", title="too long")
    item_id = _int_field(up.fields, "agenda_item_id")
    if item_id is not None and not await is_agenda_item(server, meeting_id, item_id):
        raise invalid("Mục chương trình không thuộc cuộc họp này", agenda_item_id="not in meeting")
    return _Form(filename, title, item_id, _int_field(up.fields, "replaces"))


async def _replaced(meeting_id: int, replaces_id: int | None) -> Document | None:
    """The current document of the meeting that the upload is a new version of."""
    if replaces_id is None:
        return None
    replaces = await Document.get_or_none(id=replaces_id, meeting_id=meeting_id, removed_at=None)
    if replaces is None:
        raise invalid("Không có tài liệu cần thay thế trong cuộc họp này", replaces="not found")
    if replaces.superseded_at is not None:
        raise conflict("Tài liệu này đã được thay bằng một phiên bản mới hơn")
    return replaces


async def _store_checked(
    ctx: MeetingContext, store: Store, form: _Form, checked: dict[str, Any]
) -> Document:
    """Stage the checked file and its viewers' copy, then commit the document's row; the staged
    file goes again if the row is not committed (docs/store.py)."""
    staged = await asyncio.to_thread(store.stage, Path(checked["path"]), checked["sha256"])

    async def save() -> Document:
        return await create_document(
            ctx,
            title=form.title,
            filename=form.filename,
            sha256=checked["sha256"],
            size=checked["size"],
            pages=checked["pages"],
            text=checked["text"],
            agenda_item_id=form.item_id,
            replaces=await _replaced(ctx.meeting.id, form.replaces_id),
        )

    try:
        copy = Path(checked["copy_path"])
        await asyncio.to_thread(store.put_copy, checked["sha256"], copy, checked["copy"])
        doc = await ctx.server.hub.commit(ctx, save)
    except BaseException:
        await staged.abandon()
        raise
    await asyncio.to_thread(staged.done)
    return doc


def _answer(doc: Document, removed: list[str]) -> Response:
    """The document, and what was removed from the file (its active content), if anything."""
    body = jsonable(document_view(doc))
    if removed:
        body["removed"] = removed
        body["notice"] = (
            "Đã gỡ khỏi tệp: "
            + ", ".join(ACTIVE_LABELS[k] for k in removed)
            + ". Bản được lưu và phân phát là bản đã gỡ."
        )
    return JSONResponse(body, status_code=201)


async def upload_document(request: Request) -> Response:
    server = server_of(request)
    user = await current_user(request)
    meeting_id = request.path_params["meeting_id"]
    ctx = await server.hub.http_context(user, meeting_id, STAFF, "document:upload")
    if ctx.meeting.status == MeetingStatus.CANCELLED:
        raise conflict("Cuộc họp đã bị huỷ")
    settings = server.settings
    store = store_for(settings)
    up = await receive_upload(request, store, settings.upload_limit_bytes, settings.max_upload_mb)
    work: Path | None = None
    try:
        form = await _read_form(server, up, meeting_id)
        assert up.temp is not None
        checked = await check_upload(server, store, up.temp)
        work = checked["work"]
        remove_temp(up.temp)
        up.temp = None
        doc = await _store_checked(ctx, store, form, checked)
    finally:
        remove_temp(up.temp)
        remove_temp(work)
    return _answer(doc, checked["removed"])


async def upload_limits(request: Request) -> Response:
    """GET /api/documents/limits: what the upload form checks before sending a file."""
    await current_user(request)
    return JSONResponse({"max_upload_mb": server_of(request).settings.max_upload_mb})
