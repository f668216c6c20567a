"""GET /api/documents/{document_id}/file (PROTOCOL §2): the meeting's participants download a
document, stamped on every page with their full name, unit and the time (docs/stamp.py).

- Anyone else gets 404 (the document does not exist for them), as does a removed document.
- A signed document (the signed conclusion notice) is served exactly as stored.
- HTTP Range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) answers 206 with Content-Range; a range past
  the end answers 416; several ranges, or `If-Range`, get the whole file (200). A viewer's copy
  has the same length at any time, so ranges fetched at different moments fit together.
- Every GET is audited: a DocumentAccess row (with the range, if any) and an Audit row
  `document:download`. A request from the first byte counts as an opening: staff get the push
  `document:opened` and see openings with `document:access`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from docs.models import Document, DocumentAccess
from docs.stamp import stamp_tail
from docs.store import store_for
from meeting.errors import not_found
from meeting.http import current_user, server_of
from meeting.hub import staff_room
from meeting.jsonable import jsonable, zone
from meeting.models import EVERY_ROLE, Audit, Meeting, Unit, User

if TYPE_CHECKING:
    from meeting.server import Server

CHUNK = 256 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def stamp_text(user: User, unit: str | None, at: datetime) -> str:
    """The line on every page. The time has a fixed width, so a viewer's copy keeps its length."""
    local = at.astimezone(zone())
    when = local.strftime("%H:%M ngày %d/%m/%Y")
    who = user.full_name + (f" – {unit}" if unit else "")
    return f"Bản cấp cho: {who} – tải lúc {when}"


def parse_range(header: str | None, total: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive, None for the whole file, "unsatisfiable" for 416."""
    if not header:
        return None
    m = RANGE_RE.match(header.strip().replace(" ", ""))
    if m is None:
        return None  # several ranges or another unit: serve the whole file
    a, b = m.groups()
    if not a and not b:
        return None
    if not a:  # the last n bytes
        n = int(b)
        if n == 0:
            return "unsatisfiable"
        return max(0, total - n), total - 1
    first = int(a)
    last = int(b) if b else total - 1
    if first >= total or last < first:
        return "unsatisfiable"
    return first, min(last, total - 1)


async def _body(path: Path, file_size: int, tail: bytes, first: int, last: int) -> AsyncIterator[bytes]:
    pos, stop = first, last + 1
    if pos < file_size:
        async with await anyio.open_file(path, "rb") as f:
            await f.seek(pos)
            while pos < min(stop, file_size):
                data = await f.read(min(CHUNK, min(stop, file_size) - pos))
                if not data:
                    raise OSError(f"{path.name} is shorter than recorded")
                pos += len(data)
                yield data
    if stop > file_size:
        yield tail[max(0, pos - file_size) : stop - file_size]


def content_disposition(filename: str) -> str:
    name = filename if filename.lower().endswith(".pdf") else filename + ".pdf"
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "tai-lieu.pdf"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


async def download_document(request: Request) -> Response:
    server = server_of(request)
    user = await current_user(request)
    doc = await Document.get_or_none(id=request.path_params["document_id"], removed_at=None)
    if doc is None:
        raise not_found()
    ctx = await server.hub.http_context(user, doc.meeting_id, EVERY_ROLE, "document:download")  # type: ignore[attr-defined]
    path = store_for(server.settings).path(doc.sha256)
    if not path.exists():
        raise not_found("Tệp của tài liệu không còn trong kho")
    now = server.clock.now()
    tail = b""
    if not doc.signed:
        unit = await Unit.filter(id=user.unit_id).first().values_list("name", flat=True) if user.unit_id else None  # type: ignore[attr-defined]
        _, tail = await asyncio.to_thread(stamp_tail, path, stamp_text(user, unit, now))
    total = doc.size + len(tail)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(doc.filename),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    wanted = None if "if-range" in request.headers else parse_range(request.headers.get("range"), total)
    if wanted == "unsatisfiable":
        return JSONResponse(
            {"error": {"code": "invalid", "message": "Khoảng byte nằm ngoài tệp", "details": {"range": "unsatisfiable"}}},
            status_code=416,
            headers={"Content-Range": f"bytes */{total}"},
        )
    status = 200
    first, last = 0, total - 1
    if isinstance(wanted, tuple):
        first, last = wanted
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{total}"
    headers["Content-Length"] = str(last - first + 1)
    if request.method == "HEAD":
        return Response(b"", status_code=status, headers=headers, media_type="application/pdf")
    await _audit(server, ctx.meeting, doc, user, now, request.headers.get("range") if status == 206 else None, first == 0, not doc.signed)  # type: ignore[arg-type]
    response = StreamingResponse(
        _body(path, doc.size, tail, first, last), status_code=status, headers=headers, media_type="application/pdf"
    )
    return response


async def _audit(
    server: Server, meeting: Meeting, doc: Document, user: User, now: datetime, rng: str | None, opened: bool, stamped: bool
) -> None:
    await DocumentAccess.create(document=doc, user=user, at=now, range=rng, opened=opened, stamped=stamped)
    await Audit.create(
        actor=user,
        action="document:download",
        target=f"document:{doc.id}",
        at=now,
        detail={"meeting_id": meeting.id, "range": rng, "stamped": stamped},
    )
    if opened:
        # Staff see openings as they happen: document:opened carries the current seq, no bump.
        seq = await Meeting.filter(id=meeting.id).first().values_list("seq", flat=True)
        data = {
            "meeting_id": meeting.id,
            "seq": seq,
            "document_id": doc.id,
            "user_id": user.id,
            "full_name": user.full_name,
            "at": now,
        }
        await server.emit("document:opened", jsonable(data), staff_room(meeting.id))
