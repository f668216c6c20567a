"""The documents the meeting produces: conclusions and the conclusion notice (conclusion:save,
conclusion:publish), the minutes (GET /api/meetings/{id}/minutes.pdf), and the signature check
of a document (GET /api/documents/{id}/signature)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from docs.conclusions import actions, minutes
from meeting.errors import ActionError
from meeting.feature import Feature
from meeting.http import current_user, server_of
from meeting.jsonable import jsonable
from meeting.models import Role

# Who may check a document's signature: the meeting's participants with a part in it (/api §2:
# "participants but observers"); observers read the documents but do not run checks.
SIGNATURE_ROLES = frozenset({Role.CHAIR, Role.SECRETARY, Role.DELEGATE, Role.POINT})


async def api_signature(request: Request) -> Response:
    """The signature check runs in a bounded child process (docs/jobs.py): never on the event
    loop, killed past the time budget (413, details.budget = "time")."""
    from docs.jobs import JobFailed, pdf_budget, runner_for
    from docs.models import Document
    from docs.signing import server_trust_roots, signature_report_file
    from docs.store import store_for

    server = server_of(request)
    user = await current_user(request)
    doc = await Document.get_or_none(id=int(request.path_params["document_id"]), removed_at=None)
    if doc is None:
        raise ActionError("not_found", "Không tìm thấy tài liệu")
    await server.hub.http_context(user, doc.meeting_id, SIGNATURE_ROLES, "document signature")
    path = store_for(server.settings).path(doc.sha256)
    if not path.exists():
        raise ActionError("not_found", "Không tìm thấy tệp của tài liệu")
    roots = [c.dump() for c in await server_trust_roots(server.settings)]
    try:
        report = await runner_for(server).run(
            signature_report_file, str(path), roots, budget=pdf_budget(server.settings)
        )
    except JobFailed as exc:
        raise ActionError(
            "too_large",
            "Tệp PDF này quá phức tạp để kiểm tra chữ ký số trong giới hạn của máy chủ "
            f"({server.settings.pdf_job_seconds:g} giây, {server.settings.pdf_job_memory_mb} MB).",
            {"file": "too_complex", "budget": exc.why},
        ) from None
    return JSONResponse(jsonable({"document_id": doc.id, **report}))


CONCLUSIONS = Feature(
    "conclusions",
    modules=[actions, minutes],
    routes=[
        Route("/api/meetings/{meeting_id:int}/minutes.pdf", minutes.api_minutes, methods=["GET"]),
        Route("/api/documents/{document_id:int}/signature", api_signature, methods=["GET"]),
    ],
)
