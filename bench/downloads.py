"""50 concurrent downloads of a 20 MB PDF by 50 different viewers: total time and the server's
peak memory (target: memory does not grow with file size × viewers).

    .venv/bin/python bench/downloads.py            # 20 MB, 50 viewers
    .venv/bin/python bench/downloads.py --small    # 2 MB, 8 viewers (CI)

The server runs in a child process (the real app under uvicorn, SQLite in a temporary
directory); this process makes the PDF, then downloads it as N viewers at once, streaming each
body to a hash (never kept). The child's peak RSS is reset (/proc/PID/clear_refs) just before
the downloads, so the figure is the peak DURING them. Every copy is checked: it does not start
with the original's bytes (the stamp is inside the pages), it is personal (differs per viewer)
and has the same size for everyone; one copy is parsed to check the stamp on every page.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# --- the child: a server with one meeting, one document and N viewers -------------------------


async def serve(pdf_path: str, viewers: int, data_dir: str) -> None:
    from datetime import UTC, datetime, timedelta

    from docs.models import Document
    from docs.store import store_for
    from meeting.models import Meeting, MeetingStatus, Participant, Role, Unit, UnitKind
    from tests.live import make_settings, running

    settings = make_settings(Path(data_dir), max_upload_mb=100)
    async with running(settings) as live:
        unit = await Unit.create(name="Sở Thông tin và Truyền thông", kind=UnitKind.DEPARTMENT)
        chair = await live.person("chutich")
        now = datetime.now(UTC)
        m = await Meeting.create(
            title="Họp đo tải",
            starts_at=now + timedelta(hours=1),
            ends_at=now + timedelta(hours=2),
            status=MeetingStatus.SCHEDULED,
            chair=chair.user,
            created_by=chair.user,
        )
        await Participant.create(meeting=m, user=chair.user, role=Role.CHAIR, invited_at=now)
        tokens = []
        for i in range(viewers):
            p = await live.person("daibieu", full_name=f"Đại biểu số {i:03d}", unit_id=unit.id)
            await Participant.create(meeting=m, user=p.user, role=Role.DELEGATE, invited_at=now)
            tokens.append(p.token)
        store = store_for(settings)
        fd, temp = store.temp_file()
        h = hashlib.sha256()
        with open(pdf_path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                dst.write(chunk)
        sha = h.hexdigest()
        staged = store.stage(temp, sha)
        size = os.path.getsize(pdf_path)
        from pypdf import PdfReader

        with open(pdf_path, "rb") as f:
            pages = len(PdfReader(f).pages)
        doc = await Document.create(
            meeting=m,
            title="Tài liệu lớn",
            filename="lon.pdf",
            sha256=sha,
            size=size,
            pages=pages,
            created_at=now,
            uploaded_by=chair.user,
        )
        staged.done()
        from docs.jobs import warm_up

        await asyncio.to_thread(warm_up)  # the PDF jobs' fork server, as a running server has it
        print(
            json.dumps(
                {"url": live.url, "tokens": tokens, "document_id": doc.id, "pid": os.getpid()}
            ),
            flush=True,
        )
        await asyncio.get_running_loop().run_in_executor(
            None, sys.stdin.read
        )  # until the parent closes it


# --- the parent: N concurrent viewers ----------------------------------------------------------


def rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def fetch(client, url: str, token: str, keep: bool) -> tuple[int, str, bytes | None, float]:
    h = hashlib.sha256()
    kept = io.BytesIO() if keep else None
    size = 0
    t0 = time.perf_counter()
    async with client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as r:
        r.raise_for_status()
        async for chunk in r.aiter_raw(1 << 18):
            size += len(chunk)
            h.update(chunk)
            if kept is not None:
                kept.write(chunk)
    return size, h.hexdigest(), kept.getvalue() if kept else None, time.perf_counter() - t0


async def run(args: argparse.Namespace) -> int:
    import httpx

    from tests.docs.pdfs import vietnamese_pdf

    mb = args.mb or (2 if args.small else 20)
    viewers = args.viewers or (8 if args.small else 50)
    with tempfile.TemporaryDirectory(prefix="hop-bench-") as d:
        pdf_path = Path(d) / "big.pdf"
        pages = max(4, mb)
        t0 = time.perf_counter()
        data = vietnamese_pdf(pages, image_kb=int(mb * 1024 / pages))
        pdf_path.write_bytes(data)
        print(
            f"made a {len(data) / 1e6:.1f} MB PDF of {pages} pages in {time.perf_counter() - t0:.1f} s"
        )
        del data
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(pdf_path),
                "--viewers",
                str(viewers),
                "--data-dir",
                d,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            info = json.loads(child.stdout.readline())
            pid = info["pid"]
            url = f"{info['url']}/api/documents/{info['document_id']}/file"
            limits = httpx.Limits(max_connections=viewers + 5)
            async with httpx.AsyncClient(timeout=300, limits=limits) as client:
                # The first viewer of a file stored without its copy: the copy skeleton is built
                # once, in a bounded job (an upload builds it at intake instead).
                first_viewer = (await fetch(client, url, info["tokens"][0], False))[3]
                again = (await fetch(client, url, info["tokens"][1], False))[3]
                base = rss_kb(pid, "VmRSS")
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak (VmHWM)
                t0 = time.perf_counter()
                results = await asyncio.gather(
                    *(
                        fetch(client, url, tok, keep=(i == 0))
                        for i, tok in enumerate(info["tokens"])
                    )
                )
                total = time.perf_counter() - t0
            peak = rss_kb(pid, "VmHWM")
        finally:
            child.stdin.close()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        original = pdf_path.read_bytes()
        sizes = {r[0] for r in results}
        hashes = {r[1] for r in results}
        first = results[0][2]
        assert first is not None and not first.startswith(original[: len(original) // 2]), (
            "the copy starts with the original's bytes"
        )
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(first))
        stamped = all("Đại biểu số 000" in p.extract_text() for p in reader.pages)
        moved = sum(r[0] for r in results)
        print(
            f"{viewers} concurrent downloads of {len(original) / 1e6:.1f} MB: total {total:.2f} s, "
            f"{moved / 1e6 / total:.0f} MB/s, slowest {max(r[3] for r in results):.2f} s"
        )
        print(
            f"one viewer alone: first of the file {first_viewer:.2f} s (copy built), next {again:.2f} s"
        )
        print(
            f"copies: {len(hashes)} different (one per viewer), sizes {sorted(sizes)}; "
            f"stamp on every page of one checked copy: {'yes' if stamped else 'NO'}"
        )
        print(
            f"server RSS before {base / 1024:.0f} MB, peak during the downloads {peak / 1024:.0f} MB "
            f"(+{(peak - base) / 1024:.0f} MB; file × viewers would be {len(original) * viewers / 1e6:.0f} MB)"
        )
        ok = stamped and len(hashes) == viewers and len(sizes) == 1
        return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="2 MB, 8 viewers")
    ap.add_argument("--mb", type=int)
    ap.add_argument("--viewers", type=int)
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        import logging

        logging.basicConfig(level=logging.WARNING)
        asyncio.run(serve(a.serve, a.viewers, a.data_dir))
        return 0
    return asyncio.run(run(a))


if __name__ == "__main__":
    sys.exit(main())
