"""The documents the meeting produces: conclusions and the conclusion notice (conclusion:save,
conclusion:publish), the minutes (GET /api/meetings/{id}/minutes.pdf), and the signature check
of a document (GET /api/documents/{id}/signature)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meeting.errors import ActionError
from meeting.http import current_user, server_of
from meeting.hub import Flag
from meeting.jsonable import jsonable
from meeting.models import EVERY_ROLE

if TYPE_CHECKING:
    from meeting.server import Server


async def document_bytes(server: Server, doc: Any) -> bytes:
    """The stored file of a document, from the content-addressed store."""
    import asyncio

    from docs.store import store_for

    return await asyncio.to_thread(store_for(server.settings).path(doc.sha256).read_bytes)


async def api_signature(request: Request) -> Response:
    from docs.models import Document
    from docs.signing import server_trust_roots, signature_report

    server = server_of(request)
    user = await current_user(request)
    doc = await Document.get_or_none(id=int(request.path_params["document_id"]), removed_at=None)
    if doc is None:
        raise ActionError("not_found", "Không tìm thấy tài liệu")
    await server.hub.http_context(
        user, doc.meeting_id, {*EVERY_ROLE, Flag.CREATOR}, "document signature"  # type: ignore[attr-defined]
    )
    try:
        data = await document_bytes(server, doc)
    except FileNotFoundError:
        raise ActionError("not_found", "Không tìm thấy tệp của tài liệu") from None
    report = await signature_report(data, await server_trust_roots(server.settings))
    return JSONResponse(jsonable({"document_id": doc.id, **report}))


async def _document_of_meeting(meeting_id: int, document_id: int) -> bool:
    from docs.models import Document

    return await Document.exists(id=document_id, meeting_id=meeting_id, removed_at=None)


def install(server: Server) -> None:
    from docs import conclusions, minutes  # noqa: F401  (imports register actions, snapshot part)
    from meeting.actions.opinions import DOCUMENT_CHECKS

    if _document_of_meeting not in DOCUMENT_CHECKS:
        DOCUMENT_CHECKS.append(_document_of_meeting)
    server.routes.extend(
        [
            Route("/api/meetings/{meeting_id:int}/minutes.pdf", minutes.api_minutes, methods=["GET"]),
            Route("/api/documents/{document_id:int}/signature", api_signature, methods=["GET"]),
        ]
    )
