"""Meeting documents (/api §2 upload/download, §3 document:* and note:*).

Modules: store (content-addressed files, rows, views, add_generated), pdfcheck (is it a PDF we
can distribute: budgets, active content removed), jobs (that work in a bounded child process),
stamp (per-viewer stamp drawn into every page, from a copy skeleton made once per file), upload
and download (HTTP), recovery (what a crash left, cleaned at start), actions (list, remove,
access), presenting (the page everyone follows), notes (private notes).

Additions to the contract, for client authors (written on the /api page, §5):
- `document:access {document_id}` (staff) → who opened it and when, and who has not.
- push `document:opened {document_id, user_id, full_name, at}` to staff when someone opens one.
- push `note:saved` (the note) to its author's own sockets.
- `document:present` with `document_id: null` stops presenting.
- upload field `replaces` (a document id) makes the file a new version of that document.
- upload answer `removed` + `notice` when active content was stripped from the file.
- `GET /api/documents/limits` → `{max_upload_mb}` for the upload form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import Route

from docs import actions, notes, presenting, recovery
from docs.download import download_document
from docs.jobs import JobRunner
from docs.upload import upload_document, upload_limits
from meeting.feature import Feature
from meeting.opinions.actions import DocumentCheck

if TYPE_CHECKING:
    from meeting.identity import Identity
    from meeting.models import Meeting, User


async def document_of_meeting(meeting_id: int, document_id: int) -> bool:
    """A written opinion may name a document: only a live one of its own meeting."""
    from docs.models import Document

    return await Document.exists(id=document_id, meeting_id=meeting_id, removed_at=None)


async def demo_documents(identity: Identity, meeting: Meeting, users: dict[str, User]) -> None:
    """The demo meeting's documents: two short Vietnamese PDFs under the first two agenda items."""
    import asyncio

    from agenda.models import AgendaItem  # the agenda's demo step ran first
    from docs.models import Document
    from docs.pdfcheck import inspect_pdf
    from docs.sample import DEMO_DOCUMENTS, sample_pdf
    from docs.store import slug_filename, store_for

    store = store_for(identity.settings)
    for position, title, pages in DEMO_DOCUMENTS:
        pdf = sample_pdf(title, pages)
        staged, path = await asyncio.to_thread(store.put_bytes, pdf)
        sha = staged.sha256
        facts = await asyncio.to_thread(inspect_pdf, path)
        item = await AgendaItem.get_or_none(meeting=meeting, position=position)
        await Document.create(
            meeting=meeting,
            agenda_item=item,
            title=title,
            filename=slug_filename(title),
            sha256=sha,
            size=len(pdf),
            pages=facts.pages,
            text=facts.text,
            uploaded_by=users.get("thuky1"),
            created_at=identity.clock.now(),
        )
        staged.done()


DOCUMENTS = Feature(
    "documents",
    modules=[actions, notes, presenting],
    routes=[
        Route("/api/meetings/{meeting_id:int}/documents", upload_document, methods=["POST"]),
        Route("/api/documents/{document_id:int}/file", download_document, methods=["GET", "HEAD"]),
        Route("/api/documents/limits", upload_limits, methods=["GET"]),
    ],
    # What a crash left in the store is cleaned at start.
    services=[recovery.recover_leftovers],
    demo=[demo_documents],
    state=[recovery.Recovery, JobRunner],
    extensions=[DocumentCheck(document_of_meeting)],
)
