"""Where documents live: the content-addressed file store, the document rows, what clients see of
them, and `add_generated` for the PDFs the meeting itself produces (conclusion notice, minutes).

Files are stored under DATA_DIR/documents/<first two hex digits>/<sha256>.pdf. The name is the
content's hash, so the same file uploaded twice (or to two meetings) is stored once, a stored
file never changes, and nothing a client sends (its file name) ever becomes part of a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from docs.models import Document
from meeting.config import Settings
from meeting.hub import MeetingContext
from meeting.models import MeetingStatus, Participant

if TYPE_CHECKING:
    pass

T = TypeVar("T")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class Store:
    """Files under DATA_DIR/documents, work files under DATA_DIR/tmp.

    Work files carry the id of the process that made them (`upload-<pid>-….part`,
    `job-<pid>-…/`, `commit-<pid>-<sha>-<random>.part`), so that after a crash the next start
    knows they are leftovers without disturbing another live server process on the same data folder
    (docs/recovery.py). A checked file enters the store by a hard link from its
    `commit-<pid>-<sha>-….part` name, which stays until the document's row is committed: a crash
    in between leaves the marker, and recovery removes the stored file if no row names it.
    """

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "documents"
        self.tmp = Path(data_dir) / "tmp"

    def path(self, sha256: str) -> Path:
        if not SHA_RE.match(sha256):
            raise ValueError("not a sha256")
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def copy_path(self, sha256: str) -> Path:
        """The viewers' copy skeleton (docs/stamp.py) of a stored file."""
        return self.path(sha256).with_suffix(".copy.pdf")

    def plan_path(self, sha256: str) -> Path:
        return self.path(sha256).with_suffix(".copy.json")

    def temp_file(self) -> tuple[int, Path]:
        """A new temporary file on the store's file system (so that `put_file` is a rename)."""
        self.tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=f"upload-{os.getpid()}-", suffix=".part", dir=self.tmp)
        return fd, Path(name)

    def job_dir(self) -> Path:
        """A work folder for one bounded PDF job (its outputs are renamed into the store)."""
        self.tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        return Path(tempfile.mkdtemp(prefix=f"job-{os.getpid()}-", dir=self.tmp))

    def stage(self, temp: Path, sha256: str) -> Staged:
        """Put a checked file into the store, marked as not yet owned by a committed row."""
        marker = self.tmp / f"commit-{os.getpid()}-{sha256}-{secrets.token_hex(4)}.part"
        os.chmod(temp, 0o640)
        os.replace(temp, marker)
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        created = False
        if not target.exists():
            try:
                os.link(marker, target)
                created = True
            except FileExistsError:
                pass  # the same file, stored by a concurrent upload
        return Staged(self, sha256, marker, created)

    def put_copy(self, sha256: str, skeleton: Path, plan: dict[str, Any]) -> None:
        """Store a viewers' copy skeleton and its plan (the plan last: it says "ready")."""
        if self.plan_path(sha256).exists():
            return
        os.chmod(skeleton, 0o640)
        os.replace(skeleton, self.copy_path(sha256))
        fd, name = tempfile.mkstemp(prefix=f"upload-{os.getpid()}-", suffix=".part", dir=self.tmp)
        with os.fdopen(fd, "w") as f:
            json.dump(plan, f)
        os.chmod(name, 0o640)
        os.replace(name, self.plan_path(sha256))

    def discard(self, sha256: str) -> None:
        """Remove a stored file and its copy (only when no row names it)."""
        for p in (self.plan_path(sha256), self.copy_path(sha256), self.path(sha256)):
            p.unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> tuple[Staged, Path]:
        sha = hashlib.sha256(data).hexdigest()
        fd, temp = self.temp_file()
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return self.stage(temp, sha), self.path(sha)


@dataclass
class Staged:
    """A file just put into the store, not yet named by a committed row."""

    store: Store
    sha256: str
    marker: Path
    created: bool  # this upload made the stored file (it was not there before)

    def done(self) -> None:
        """The row is committed: the file is owned."""
        self.marker.unlink(missing_ok=True)

    async def abandon(self) -> None:
        """The row was not committed: remove what this upload added unless a row names it or
        another upload of the same file is between staging and its commit."""
        self.marker.unlink(missing_ok=True)
        if not self.created or await Document.exists(sha256=self.sha256):
            return
        if not any(self.store.tmp.glob(f"commit-*-{self.sha256}-*.part")):
            await asyncio.to_thread(self.store.discard, self.sha256)


def store_for(settings: Settings) -> Store:
    return Store(settings.data_dir)


# --- file names ------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def clean_filename(name: str | None, default: str = "tai-lieu.pdf") -> str:
    """The client's file name as a bare name for display and Content-Disposition: no directory
    part (either slash), no control or shell-special characters, no leading dots, <= 200 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if not name:
        return default
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def slug_filename(title: str) -> str:
    """A file name for a generated document, from its title (ASCII, for every client)."""
    base = unicodedata.normalize("NFD", title.replace("đ", "d").replace("Đ", "D"))
    base = "".join(c for c in base if not unicodedata.combining(c))
    base = re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower()[:80]
    return f"{base or 'tai-lieu'}.pdf"


# --- what clients see ------------------------------------------------------------------------


def document_view(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "meeting_id": d.meeting_id,
        "agenda_item_id": d.agenda_item_id,
        "title": d.title,
        "filename": d.filename,
        "size": d.size,
        "pages": d.pages,
        "sha256": d.sha256,
        "kind": d.kind,
        "signed": d.signed,
        "version": d.version,
        "replaces": d.previous_id,
        "uploaded_by": d.uploaded_by_id,
        "created_at": d.created_at,
        "url": f"/api/documents/{d.id}/file",
    }


VIEW_FIELDS = (
    "id",
    "meeting_id",
    "agenda_item_id",
    "title",
    "filename",
    "size",
    "pages",
    "sha256",
    "kind",
    "signed",
    "version",
    "previous_id",
    "uploaded_by_id",
    "created_at",
)


async def current_documents(meeting_id: int) -> list[dict[str, Any]]:
    """The documents readers see: not removed, not replaced by a newer version; in upload order
    (the client groups them under their agenda items)."""
    docs = (
        await Document.filter(meeting_id=meeting_id, removed_at=None, superseded_at=None)
        .only(*VIEW_FIELDS)
        .order_by("created_at", "id")
    )
    return [document_view(d) for d in docs]


async def create_document(
    ctx: MeetingContext,
    *,
    title: str,
    filename: str,
    sha256: str,
    size: int,
    pages: int,
    text: str,
    kind: str = "upload",
    agenda_item_id: int | None = None,
    signed: bool = False,
    replaces: Document | None = None,
) -> Document:
    """Inside a transaction: the row, the version chain, and the pushes (document:added, and
    document:removed of the version it replaces)."""
    now = ctx.now
    version = 1
    if replaces is not None:
        version = replaces.version + 1
        if agenda_item_id is None:
            agenda_item_id = replaces.agenda_item_id
    doc = await Document.create(
        meeting=ctx.meeting,
        agenda_item_id=agenda_item_id,
        title=title,
        filename=filename,
        sha256=sha256,
        size=size,
        pages=pages,
        text=text,
        kind=kind,
        signed=signed,
        version=version,
        previous=replaces,
        uploaded_by=ctx.user,
        created_at=now,
    )
    if replaces is not None:
        await Document.filter(id=replaces.id).update(superseded_at=now)
        ctx.push("document:removed", {"document_id": replaces.id, "replaced_by": doc.id})
    ctx.push("document:added", document_view(doc))
    if replaces is not None:
        from docs.presenting import follow_new_version

        await follow_new_version(ctx, replaces, doc)
        if ctx.meeting.status != MeetingStatus.DRAFT:
            others = (
                await Participant.filter(meeting=ctx.meeting)
                .exclude(user=ctx.user)
                .values_list("user_id", flat=True)
            )
            await ctx.notify(
                others,  # type: ignore[arg-type]
                "document",
                f"Tài liệu “{title}” đã có phiên bản mới (bản {version}): hãy xem bản mới.",
            )
    return doc


# --- the PDFs the meeting produces -----------------------------------------------------------


async def add_generated(
    ctx: MeetingContext,
    *,
    title: str,
    pdf: bytes,
    kind: str,
    agenda_item_id: int | None = None,
    signed: bool = False,
) -> Document:
    """Store a server-generated PDF (conclusion notice, minutes) as a document of ctx.meeting and
    queue `document:added`. Call it inside an action (the hub commits and pushes). Generating the
    same kind again for the same agenda item makes a new version of the earlier one (which stays
    on record). A document with signed=True is downloaded exactly as stored, never stamped."""
    from docs.pdfcheck import inspect_pdf

    store = store_for(ctx.server.settings)
    staged, path = await asyncio.to_thread(store.put_bytes, pdf)
    sha = staged.sha256
    # Our own PDF (trusted): checked in a thread; the viewers' copy is made at first download.
    facts = await asyncio.to_thread(inspect_pdf, path)
    ctx.after_commit(lambda: asyncio.to_thread(staged.done))
    previous = await Document.filter(
        meeting=ctx.meeting,
        kind=kind,
        agenda_item_id=agenda_item_id,
        removed_at=None,
        superseded_at=None,
    ).first()
    if kind == "upload":
        previous = None
    return await create_document(
        ctx,
        title=title,
        filename=slug_filename(title),
        sha256=sha,
        size=len(pdf),
        pages=facts.pages,
        text=facts.text,
        kind=kind,
        agenda_item_id=agenda_item_id,
        signed=signed,
        replaces=previous,
    )


def remove_temp(path: Path | None) -> None:
    """Remove a work file or folder (after a refusal or a failure)."""
    if path is not None and path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
        return
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
