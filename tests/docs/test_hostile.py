"""Issue 11 (findings 5, 6, 7 and 9's leftovers), over the real server and real HTTP clients:
hostile PDFs are refused or cleaned within budgets in a bounded child process while the server
keeps answering; the signature check runs off the event loop and not for observers; the
reader's stamp is drawn into every page's content; what a crash leaves in the store is cleaned
at the next start."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfReader

from docs.models import Document
from docs.recovery import recovered
from docs.store import store_for
from meeting.clock import ManualClock
from meeting.models import Meeting
from tests.docs.helpers import download, page_texts, upload, uploaded
from tests.docs.pdfs import (
    active_pdf,
    bomb_pdf,
    page_text,
    shared_stream_pdf,
    signature_fields_pdf,
    vietnamese_pdf,
)
from tests.live import Live, free_port, make_settings, meeting_with, running

ROOT = Path(__file__).resolve().parents[2]

bomb = functools.cache(bomb_pdf)
sig_fields = functools.cache(signature_fields_pdf)


def store_files(live: Live) -> set[Path]:
    root = live.server.settings.data_dir / "documents"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def tmp_files(live: Live) -> list[Path]:
    tmp = live.server.settings.data_dir / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


async def latencies_while(
    live: Live, token: str, slow: Awaitable[Any], probe: str
) -> tuple[Any, list[float]]:
    """Run `slow` and, until it is done, GET `probe` again and again; each probe's seconds."""
    task = asyncio.ensure_future(slow)
    times: list[float] = []
    async with live.http(token) as http:
        while not task.done():
            t0 = time.perf_counter()
            r = await http.get(probe)
            times.append(time.perf_counter() - t0)
            assert r.status_code in (200, 206), r.text
    return await task, times


def refused(r: httpx.Response, budget: str) -> dict[str, Any]:
    assert r.status_code == 413, r.text
    err = r.json()["error"]
    assert err["code"] == "too_large" and err["details"]["file"] == "too_complex", err
    assert err["details"]["budget"] == budget, err
    assert "PDF" in err["message"] and len(err["message"]) > 40  # a sentence for a secretary
    return err


# --- finding 5: hostile PDFs ------------------------------------------------------------------


async def test_decompression_bomb_is_refused_while_downloads_stay_fast(clients: Live) -> None:
    m = await meeting_with(clients)
    reader = m["delegates"][0]
    doc = await uploaded(clients, m["secretary"].token, m["meeting_id"], vietnamese_pdf(20))
    data = bomb()  # 1 MB on disk, 1 GB inflated
    assert len(data) < 1_200_000
    before = store_files(clients)
    r, times = await latencies_while(
        clients,
        reader.token,
        upload(clients, m["secretary"].token, m["meeting_id"], data, filename="bom.pdf"),
        f"/api/documents/{doc['id']}/file",
    )
    err = refused(r, "inflated_bytes")
    assert "giải nén" in err["message"]
    # Downloads went on while the bomb was being checked (in a child process).
    assert times and max(times) < 1.5, times
    assert store_files(clients) == before and tmp_files(clients) == []
    assert not await Document.exists(meeting_id=m["meeting_id"], filename="bom.pdf")


async def test_pages_sharing_one_huge_stream_are_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    data = shared_stream_pdf(200, 70)  # ~200 KB; 200 pages × 70 MB to draw
    assert len(data) < 400_000
    before = store_files(clients)
    r = await upload(clients, m["secretary"].token, m["meeting_id"], data)
    err = refused(r, "page_content_bytes")
    assert "nội dung các trang" in err["message"]
    assert store_files(clients) == before and tmp_files(clients) == []


def active_content(data: bytes) -> set[str]:
    """What a reader could run in a file, found by walking every object."""
    from docs.pdfcheck import _all_objects, _scan_dict

    found: set[str] = set()
    r = PdfReader(io.BytesIO(data))
    for ref in _all_objects(r):
        obj = ref.get_object()
        if isinstance(obj, dict):
            _scan_dict(obj, found)  # type: ignore[arg-type]
    return found


async def test_active_content_is_removed_and_the_uploader_told(clients: Live) -> None:
    m = await meeting_with(clients)
    data = active_pdf(2)
    assert active_content(data) == {"javascript", "open_action", "launch", "embedded_files"}
    r = await upload(clients, m["secretary"].token, m["meeting_id"], data, filename="to-trinh.pdf")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["removed"] == ["embedded_files", "javascript", "launch", "open_action"]
    assert (
        "JavaScript" in doc["notice"]
        and "tệp đính kèm" in doc["notice"]
        and "Launch" in doc["notice"]
    )
    # The stored file is the cleaned one (its own hash), and so is every copy.
    stored = store_for(clients.server.settings).path(doc["sha256"]).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == doc["sha256"] != hashlib.sha256(data).hexdigest()
    assert active_content(stored) == set()
    got = await download(clients, m["delegates"][0].token, doc["id"])
    assert got.status_code == 200
    assert active_content(got.content) == set() and b"cap-nhat.exe" not in got.content
    texts = page_texts(got.content)
    assert page_text(1) in texts[0] and m["delegates"][0].user.full_name in texts[1]
    # A clean file is stored exactly as sent, and says nothing was removed.
    plain = vietnamese_pdf(1, title="Không có gì để gỡ")
    doc2 = await uploaded(clients, m["secretary"].token, m["meeting_id"], plain)
    assert "removed" not in doc2 and doc2["sha256"] == hashlib.sha256(plain).hexdigest()


async def test_a_file_over_the_time_budget_is_stopped_and_the_server_answers(
    tmp_path: Path,
) -> None:
    """A server whose PDF jobs get half a second: a 60,000-field PDF's check is killed (413,
    budget "time"), and so is its signature check; nothing is stored."""
    async with running(make_settings(tmp_path, pdf_job_seconds=0.5)) as live:
        m = await meeting_with(live)
        before = store_files(live)
        r, times = await latencies_while(
            live,
            m["secretary"].token,
            upload(live, m["secretary"].token, m["meeting_id"], sig_fields()),
            "/api/documents/limits",
        )
        refused(r, "time")
        assert max(times) < 1.0, times
        assert store_files(live) == before and tmp_files(live) == []
        doc = await legacy_document(live, m["meeting_id"], sig_fields())
        async with live.http(m["delegates"][0].token) as http:
            r = await http.get(f"/api/documents/{doc.id}/signature")
        refused(r, "time")
        await live.close_clients()


async def test_a_file_over_the_memory_budget_is_stopped(tmp_path: Path) -> None:
    """A server whose PDF jobs get 200 MB of address space: a 40 MB scan (two pages of
    incompressible images) cannot be checked within it, and is refused (413, budget "memory")
    instead of growing the server."""
    big = vietnamese_pdf(2, image_kb=20_000)
    async with running(make_settings(tmp_path, pdf_job_memory_mb=200)) as live:
        m = await meeting_with(live)
        before = store_files(live)
        r = await upload(live, m["secretary"].token, m["meeting_id"], big)
        err = refused(r, "memory")
        assert "200 MB" in err["message"]
        assert store_files(live) == before and tmp_files(live) == []
        # A small file still goes through the same budget.
        await uploaded(live, m["secretary"].token, m["meeting_id"], vietnamese_pdf(2))
        await live.close_clients()


# --- finding 6: the signature check ----------------------------------------------------------


async def legacy_document(live: Live, meeting_id: int, data: bytes) -> Document:
    """A document stored before the intake budgets existed (or generated by the meeting): the
    file and its row put in place directly, as the store itself does."""
    store = store_for(live.server.settings)
    staged, _ = await asyncio.to_thread(store.put_bytes, data)
    with live.db():
        return await _legacy_row(live, meeting_id, staged, data)


async def _legacy_row(live: Live, meeting_id: int, staged: Any, data: bytes) -> Document:
    meeting = await Meeting.get(id=meeting_id)
    doc = await Document.create(
        meeting=meeting,
        title="Văn bản có nhiều ô chữ ký",
        filename="nhieu-chu-ky.pdf",
        sha256=staged.sha256,
        size=len(data),
        pages=1,
        text="",
        uploaded_by_id=meeting.created_by_id,  # type: ignore[attr-defined]
        created_at=live.server.clock.now(),
    )
    staged.done()
    return doc


async def test_signature_check_runs_off_the_loop_and_not_for_observers(clients: Live) -> None:
    m = await meeting_with(clients)
    mid = m["meeting_id"]
    observer = await clients.person("quansat")
    await m["secretary_client"].ok(
        "participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [observer.id]}
    )
    doc = await legacy_document(clients, mid, sig_fields())
    url = f"/api/documents/{doc.id}/signature"
    async with clients.http(observer.token) as http:
        r = await http.get(url)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"

    async def check() -> httpx.Response:
        async with clients.http(m["delegates"][0].token) as http:
            return await http.get(url)

    t0 = time.perf_counter()
    r, times = await latencies_while(clients, m["chair"].token, check(), "/api/documents/limits")
    took = time.perf_counter() - t0
    assert r.status_code == 200, r.text
    report = r.json()
    assert (
        report["document_id"] == doc.id and report["signed"] is False and report["intact"] is False
    )
    # The check took a while, and meanwhile the server answered other requests at once.
    # (A check on the event loop would hold one of them for the whole check.)
    assert took > 0.3 and len(times) >= 3, (took, times)
    assert max(times) < took / 2, (took, times)


# --- finding 7: the stamp inside every page --------------------------------------------------


async def test_stamp_is_in_every_page_and_the_copy_cannot_be_cut_back(clients: Live) -> None:
    m = await meeting_with(clients)
    original = vietnamese_pdf(12, rotate_every=5)
    doc = await uploaded(clients, m["secretary"].token, m["meeting_id"], original)
    viewer = m["delegates"][0]
    copy = (await download(clients, viewer.token, doc["id"])).content
    # The API's size and sha256 no longer recover the original from a copy.
    assert hashlib.sha256(copy[: doc["size"]]).hexdigest() != doc["sha256"]
    assert copy.count(b"startxref") == 1 and copy.count(b"%%EOF") == 1
    # No original page content survives in the copy, and each page has one content stream
    # that ends with the viewer's stamp.
    src = PdfReader(io.BytesIO(original))
    out = PdfReader(io.BytesIO(copy))
    for i, (a, b) in enumerate(zip(src.pages, out.pages, strict=True), start=1):
        raw = a["/Contents"].get_object()._data
        assert raw not in copy, f"page {i}'s original content is still in the copy"
        contents = b.raw_get("/Contents").get_object()
        assert not isinstance(contents, list), f"page {i} has several content streams"
        drawn = contents.get_data()
        assert drawn.rstrip().endswith(b"ET\nQ"), f"page {i}: the stamp is not the page's last word"
        text = b.extract_text()
        assert page_text(i) in text and viewer.user.full_name in text
    # Two viewers' copies have the same length (ranges fit) and differ only in the stamps.
    other = (await download(clients, m["chair"].token, doc["id"])).content
    assert len(other) == len(copy) and other != copy
    # Range over a viewer's copy, starting and ending inside pages' stamps (stored uncompressed
    # at the end of each page's stream).
    stamps = [i for i in range(len(copy)) if copy.startswith(b" Tj ET\nQ\n", i)]
    assert len(stamps) == 12
    spans = ((stamps[3] - 50, stamps[3] + 5), (stamps[5] - 7, stamps[8] + 900))
    parts = [
        await download(clients, viewer.token, doc["id"], Range=f"bytes={a}-{b}") for a, b in spans
    ]
    # Ranges continue the copy its opening began (one time in every stamp of it).
    for (a, b), part in zip(spans, parts, strict=True):
        assert part.status_code == 206 and part.content == copy[a : b + 1]


async def test_ranges_of_one_copy_carry_one_time_across_a_minute(tmp_path: Path) -> None:
    """pdf.js reads a copy in Range requests over minutes: every range continues the copy its
    opening began, so a page's stamp is never half one minute and half the next."""
    clock = ManualClock(datetime(2026, 11, 30, 1, 0, 30, tzinfo=UTC))
    async with running(make_settings(data_dir=tmp_path), clock=clock) as live:
        m = await meeting_with(live)
        doc = await uploaded(live, m["secretary"].token, m["meeting_id"], vietnamese_pdf(4))
        viewer = m["delegates"][0]
        copy = (await download(live, viewer.token, doc["id"])).content
        await clock.advance(timedelta(minutes=2))
        stamps = [i for i in range(len(copy)) if copy.startswith(b" Tj ET\nQ\n", i)]
        a, b = stamps[1] - 40, stamps[2] + 5
        part = await download(live, viewer.token, doc["id"], Range=f"bytes={a}-{b}")
        assert part.status_code == 206 and part.content == copy[a : b + 1]
        # A new opening is a new copy, with the new time.
        again = (await download(live, viewer.token, doc["id"])).content
        assert again != copy and len(again) == len(copy)
        assert "08:00 ngày 30/11/2026" in page_texts(copy)[0]  # province time, UTC+7
        assert "08:02 ngày 30/11/2026" in page_texts(again)[0]


# --- finding 9: what a crash leaves ----------------------------------------------------------


async def test_a_refused_replacement_leaves_no_file_in_the_store(clients: Live) -> None:
    """The row cannot be written (the version it replaces was replaced meanwhile): the file
    this upload put in the store goes too."""
    m = await meeting_with(clients)
    tok, mid = m["secretary"].token, m["meeting_id"]
    v1 = await uploaded(clients, tok, mid, vietnamese_pdf(1, title="Bản 1"))
    await uploaded(clients, tok, mid, vietnamese_pdf(1, title="Bản 2"), replaces=v1["id"])
    before = store_files(clients)
    late = vietnamese_pdf(2, title="Bản gửi muộn")
    r = await upload(clients, tok, mid, late, replaces=v1["id"])
    assert r.status_code == 409, r.text
    assert store_files(clients) == before and tmp_files(clients) == []
    sha = hashlib.sha256(late).hexdigest()
    assert not store_for(clients.server.settings).path(sha).exists()


def _serve(data_dir: Path, settings: Any, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": settings.db_url,
        "REDIS_URL": "",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "64",
    }
    return subprocess.Popen(
        [sys.executable, "run.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def test_crash_leftovers_are_cleaned_at_the_next_start(tmp_path: Path) -> None:
    """A server process killed (SIGKILL) in the middle of an upload leaves its `upload-*.part`;
    a crash between storing a file and committing its row leaves a stored file without a row.
    The next start removes both, and keeps what a committed row names."""
    settings = make_settings(tmp_path)
    async with running(settings) as live:
        m = await meeting_with(live)
        kept = await uploaded(
            live, m["secretary"].token, m["meeting_id"], vietnamese_pdf(1, title="Giữ lại")
        )
        await live.close_clients()
    store = store_for(settings)
    port = free_port()
    proc = _serve(tmp_path, settings, port, tmp_path / "server.log")
    try:
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)  # a process we do not control: no event to await
            sent = asyncio.Event()

            async def body():
                yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
                yield b"%PDF-1.7\n" + b"0" * 300_000
                sent.set()
                await asyncio.Event().wait()  # never finishes: the server is killed first

            upload_task = asyncio.ensure_future(
                http.post(
                    f"/api/meetings/{m['meeting_id']}/documents",
                    content=body(),
                    headers={
                        "Authorization": f"Bearer {m['secretary'].token}",
                        "Content-Type": "multipart/form-data; boundary=b",
                    },
                )
            )
            await sent.wait()
            pattern = "upload-*.part"
            for _ in range(300):
                if list(store.tmp.glob(pattern)):
                    break
                await asyncio.sleep(0.05)  # the other process writes the file: nothing to await
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            upload_task.cancel()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    partial = list(store.tmp.glob("upload-*.part"))
    assert len(partial) == 1 and partial[0].stat().st_size > 100_000
    # The same dead process had also stored a file whose row it never committed.
    orphan = vietnamese_pdf(1, title="Tệp không có hàng")
    sha = hashlib.sha256(orphan).hexdigest()
    marker = store.tmp / f"commit-{proc.pid}-{sha}-1a2b.part"
    marker.write_bytes(orphan)
    store.path(sha).parent.mkdir(parents=True, exist_ok=True)
    os.link(marker, store.path(sha))
    # …and one whose row it did commit (the marker outlived the commit): that file stays.
    kept_marker = store.tmp / f"commit-{proc.pid}-{kept['sha256']}-3c4d.part"
    os.link(store.path(kept["sha256"]), kept_marker)

    async with running(settings) as live:
        await asyncio.wait_for(recovered(live.server).wait(), 10)
        assert tmp_files(live) == []
        assert not store.path(sha).exists()
        assert store.path(kept["sha256"]).exists()
        r = await download(live, m["delegates"][0].token, kept["id"])
        assert r.status_code == 200 and m["delegates"][0].user.full_name in page_texts(r.content)[0]
        await live.close_clients()
