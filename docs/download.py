"""GET /api/documents/{document_id}/file (/api §2): the meeting's participants download a
document, stamped on every page with their full name, unit and the time, drawn into each page's
content (docs/stamp.py): a rewrite of the file, so no copy holds the original bytes.

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
import bisect
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from docs.jobs import JobFailed, pdf_budget, runner_for
from docs.models import Document, DocumentAccess
from docs.stamp import HOLE, CopyPlan, StampError, build_copy, load_plan
from docs.store import remove_temp, store_for
from meeting.errors import ActionError, not_found
from meeting.http import current_user, server_of
from meeting.hub import staff_room
from meeting.jsonable import jsonable
from meeting.models import EVERY_ROLE, Audit, Meeting, Unit, User
from meeting.when import when_text

if TYPE_CHECKING:
    from meeting.server import Server

log = logging.getLogger("hop.docs")
CHUNK = 256 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def stamp_text(user: User, unit: str | None, at: datetime) -> str:
    """The line on every page. The time has a fixed width, so a viewer's copy keeps its length."""
    when = when_text(at)
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


async def _stored_body(path: Path, first: int, last: int) -> AsyncIterator[bytes]:
    """A signed document: the stored bytes as they are."""
    pos, stop = first, last + 1
    async with await anyio.open_file(path, "rb") as f:
        await f.seek(pos)
        while pos < stop:
            data = await f.read(min(CHUNK, stop - pos))
            if not data:
                raise OSError(f"{path.name} is shorter than recorded")
            pos += len(data)
            yield data


async def _copy_body(
    skeleton: Path, plan: CopyPlan, text: str, first: int, last: int
) -> AsyncIterator[bytes]:
    """The viewer's copy: the skeleton read in chunks, each page's hole filled with the stamp
    as it passes. Memory per download: one chunk and the stamp of each page geometry."""
    stamps = plan.stamps(text)
    ends = [off + HOLE for off, _, _ in plan.holes]
    i = bisect.bisect_right(ends, first)  # the first hole that ends after `first`
    pos, stop = first, last + 1
    async with await anyio.open_file(skeleton, "rb") as f:
        await f.seek(pos)
        while pos < stop:
            chunk = await f.read(min(CHUNK, stop - pos))
            if not chunk:
                raise OSError(f"{skeleton.name} is shorter than its plan")
            end = pos + len(chunk)
            if i >= len(plan.holes) or plan.holes[i][0] >= end:
                pos = end
                yield chunk  # no stamp in this chunk: the skeleton's bytes as read
                continue
            data = bytearray(chunk)
            while i < len(plan.holes) and plan.holes[i][0] < end:
                h = plan.holes[i][0]
                piece = plan.hole(i, stamps)
                a, b = max(h, pos), min(h + HOLE, end)
                data[a - pos : b - pos] = piece[a - h : b - h]
                if h + HOLE > end:
                    break  # the rest of this hole is in the next chunk
                i += 1
            pos = end
            yield bytes(data)


_plans: OrderedDict[str, CopyPlan] = OrderedDict()
_building: dict[str, asyncio.Lock] = {}
PLAN_CACHE = 256


async def viewer_copy(server: Server, sha256: str) -> tuple[Path, CopyPlan]:
    """The copy skeleton and plan of a stored file: cached, read from the store, or (a file
    stored before, or generated by the meeting) built once in a bounded job."""
    store = store_for(server.settings)
    plan = _plans.get(sha256)
    if plan is None:
        lock = _building.setdefault(sha256, asyncio.Lock())
        async with lock:
            plan = _plans.get(sha256)
            if plan is None:
                path = store.plan_path(sha256)
                if not path.exists():
                    work = await asyncio.to_thread(store.job_dir)
                    try:
                        made = await runner_for(server).run(
                            build_copy,
                            store.path(sha256),
                            work / "copy.pdf",
                            budget=pdf_budget(server.settings),
                        )
                        await asyncio.to_thread(store.put_copy, sha256, work / "copy.pdf", made)
                    finally:
                        remove_temp(work)
                plan = await asyncio.to_thread(load_plan, path)
                _plans[sha256] = plan
                while len(_plans) > PLAN_CACHE:
                    _plans.popitem(last=False)
        _building.pop(sha256, None)
    else:
        _plans.move_to_end(sha256)
    return store.copy_path(sha256), plan


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
    ctx = await server.hub.http_context(user, doc.meeting_id, EVERY_ROLE, "document:download")
    path = store_for(server.settings).path(doc.sha256)
    if not path.exists():
        raise not_found("Tệp của tài liệu không còn trong kho")
    now = server.clock.now()
    text = ""
    if doc.signed:
        total = doc.size
    else:
        unit = (
            await Unit.filter(id=user.unit_id).first().values_list("name", flat=True)
            if user.unit_id
            else None
        )
        text = stamp_text(
            user, unit, await _copy_time(doc, user, request.headers.get("range"), now)
        )
        try:
            path, plan = await viewer_copy(server, doc.sha256)
        except (JobFailed, StampError, ActionError):
            log.exception("no viewers' copy of document %s", doc.id)
            raise ActionError(
                "internal", "Không tạo được bản cấp cho người xem của tài liệu này"
            ) from None
        total = plan.size
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(doc.filename),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    wanted = (
        None if "if-range" in request.headers else parse_range(request.headers.get("range"), total)
    )
    if wanted == "unsatisfiable":
        return JSONResponse(
            ActionError("invalid", "Khoảng byte nằm ngoài tệp", {"range": "unsatisfiable"}).body(),
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
    await _audit(
        server,
        ctx.meeting,
        doc,
        user,
        now,
        request.headers.get("range") if status == 206 else None,
        first == 0,
        not doc.signed,
    )  # type: ignore[arg-type]
    body = (
        _stored_body(path, first, last) if doc.signed else _copy_body(path, plan, text, first, last)
    )
    response = StreamingResponse(
        body, status_code=status, headers=headers, media_type="application/pdf"
    )
    return response


async def _copy_time(
    doc: Document, user: User, range_header: str | None, now: datetime
) -> datetime:
    """The time printed in a viewer's copy. A viewer reads one copy in many Range requests (pdf.js
    loads pages lazily, the offline prefetch resumes): a request that does not start at byte 0
    continues the copy its latest opening began, so every byte of that copy carries one time even
    when the requests straddle a minute."""
    if not range_header or range_header.startswith("bytes=0-"):
        return now
    last = (
        await DocumentAccess.filter(document_id=doc.id, user_id=user.id, opened=True)
        .order_by("-at")
        .first()
    )
    return last.at if last is not None else now


async def _audit(
    server: Server,
    meeting: Meeting,
    doc: Document,
    user: User,
    now: datetime,
    rng: str | None,
    opened: bool,
    stamped: bool,
) -> None:
    await DocumentAccess.create(
        document=doc, user=user, at=now, range=rng, opened=opened, stamped=stamped
    )
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
