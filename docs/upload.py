"""POST /api/meetings/{meeting_id}/documents (PROTOCOL §2): the meeting's chair or a secretary
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from meeting.jsonable import jsonable
from meeting.models import STAFF, MeetingStatus

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


async def receive_upload(request: Request, temp_dir_store, limit: int, limit_mb: int) -> Upload:  # noqa: ANN001
    """Parse the multipart body as it streams in. One file part (`file`) goes to disk."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise invalid("Hãy gửi biểu mẫu multipart/form-data có trường file", body="not multipart")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + FORM_OVERHEAD:
        raise too_large(limit_mb)
    upload = Upload(fields={})
    digest = hashlib.sha256()
    state: dict[str, object] = {"part": None, "hname": b"", "hvalue": b"", "file": None, "error": None}

    def fail(exc: ActionError) -> None:
        if state["error"] is None:
            state["error"] = exc

    def on_part_begin() -> None:
        state["part"] = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["hname"] += data[start:end]  # type: ignore[operator]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["hvalue"] += data[start:end]  # type: ignore[operator]

    def on_header_end() -> None:
        part: _Part = state["part"]  # type: ignore[assignment]
        part.headers.append((state["hname"].lower(), state["hvalue"]))  # type: ignore[union-attr]
        state["hname"], state["hvalue"] = b"", b""

    def on_headers_finished() -> None:
        part: _Part = state["part"]  # type: ignore[assignment]
        disposition = next((v for k, v in part.headers if k == b"content-disposition"), b"")
        _, opts = parse_options_header(disposition)
        part.name = opts.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in opts:
            if part.name != "file" or state["file"] is not None:
                fail(invalid("Chỉ gửi một tệp, trong trường file", file="one file only"))
                return
            part.filename = opts[b"filename"].decode("utf-8", "replace")
            fd, temp = temp_dir_store.temp_file()
            upload.temp = temp
            upload.filename = part.filename
            state["file"] = os.fdopen(fd, "wb")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["error"] is not None:
            return
        part: _Part = state["part"]  # type: ignore[assignment]
        chunk = data[start:end]
        if part.filename is not None:
            upload.size += len(chunk)
            if upload.size > limit:
                fail(too_large(limit_mb))
                return
            digest.update(chunk)
            state["file"].write(chunk)  # type: ignore[union-attr]
        else:
            part.value += chunk
            if len(part.value) > MAX_FIELD:
                fail(invalid("Trường quá dài", **{part.name or "field": "too long"}))

    def on_part_end() -> None:
        part: _Part = state["part"]  # type: ignore[assignment]
        if part is not None and part.filename is None and part.name:
            upload.fields[part.name] = unicodedata.normalize(
                "NFC", part.value.decode("utf-8", "replace")
            )

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if state["error"] is not None:
                raise state["error"]  # type: ignore[misc]
        parser.finalize()
    except ActionError:
        _close(state)
        remove_temp(upload.temp)
        raise
    except Exception:
        _close(state)
        remove_temp(upload.temp)
        raise invalid("Biểu mẫu tải lên không hợp lệ hoặc bị ngắt giữa chừng", body="bad multipart") from None
    _close(state)
    upload.sha256 = digest.hexdigest()
    return upload


def _close(state: dict[str, object]) -> None:
    f = state.get("file")
    if f is not None:
        f.close()  # type: ignore[attr-defined]


def _int_field(fields: dict[str, str], name: str) -> int | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise invalid(f"{name} phải là số", **{name: "not an integer"})
    return int(raw)


async def check_upload(server: Any, store: Store, temp: Path) -> dict[str, Any]:  # noqa: ANN401
    """The bounded intake job (docs/pdfcheck.intake): its answer, or the reason it was refused.
    The job's work folder holds the cleaned file and the copy skeleton until they are stored."""
    work = await asyncio.to_thread(store.job_dir)
    try:
        checked = await runner_for(server).run(intake, str(temp), str(work), budget=pdf_budget(server.settings))
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


def over_budget(why: str, settings: Any) -> ActionError:  # noqa: ANN401
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
        replaces_id = _int_field(up.fields, "replaces")
        checked = await check_upload(server, store, up.temp)
        work = checked["work"]
        remove_temp(up.temp)
        up.temp = None
        staged = await asyncio.to_thread(store.stage, Path(checked["path"]), checked["sha256"])

        async def save() -> Document:
            replaces = None
            if replaces_id is not None:
                replaces = await Document.get_or_none(
                    id=replaces_id, meeting_id=meeting_id, removed_at=None
                )
                if replaces is None:
                    raise invalid("Không có tài liệu cần thay thế trong cuộc họp này", replaces="not found")
                if replaces.superseded_at is not None:
                    raise conflict("Tài liệu này đã được thay bằng một phiên bản mới hơn")
            return await create_document(
                ctx,
                title=title,
                filename=filename,
                sha256=checked["sha256"],
                size=checked["size"],
                pages=checked["pages"],
                text=checked["text"],
                agenda_item_id=item_id,
                replaces=replaces,
            )

        try:
            copy = Path(checked["copy_path"])
            await asyncio.to_thread(store.put_copy, checked["sha256"], copy, checked["copy"])
            doc = await ctx.server.hub.commit(ctx, save)
        except BaseException:
            await staged.abandon()
            raise
        await asyncio.to_thread(staged.done)
    finally:
        remove_temp(up.temp)
        remove_temp(work)
    body = jsonable(document_view(doc))
    if checked["removed"]:
        body["removed"] = checked["removed"]
        body["notice"] = (
            "Đã gỡ khỏi tệp: "
            + ", ".join(ACTIVE_LABELS[k] for k in checked["removed"])
            + ". Bản được lưu và phân phát là bản đã gỡ."
        )
    return JSONResponse(body, status_code=201)


async def upload_limits(request: Request) -> Response:
    """GET /api/documents/limits: what the upload form checks before sending a file."""
    await current_user(request)
    return JSONResponse({"max_upload_mb": server_of(request).settings.max_upload_mb})
