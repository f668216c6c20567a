"""Stamping a 100-page PDF per viewer (docs/stamp.py): median milliseconds.

    .venv/bin/python bench/stamp.py            # 100 pages, 200 viewers
    .venv/bin/python bench/stamp.py --small    # 20 pages, 20 viewers (CI)

Prints, for the same file:
- build: the viewers' copy skeleton of a stored file (the pypdf rewrite with one hole per page),
  made once per file at upload (in the bounded intake job), with the stamp font already made;
- first viewer: reading the file's plan from disk, then the viewer's stamps and every hole;
- warm: every later viewer (the plan is cached): the stamps and the holes, i.e. the CPU a
  download adds to streaming the skeleton from disk;
- rewrite: for comparison, pypdf's merge_page + compress_content_streams of the whole file per
  viewer (what the skeleton avoids); only with --compare.
Also checks that every page of one stamped copy carries the viewer's name.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docs import stamp
from tests.docs.pdfs import vietnamese_pdf


def text_for(i: int) -> str:
    return f"Bản cấp cho: Nguyễn Văn Thành {i:03d} – Sở Kế hoạch và Đầu tư – tải lúc 08:15 ngày 12/03/2025"


def rewrite_stamp(data: bytes, text: str) -> bytes:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    overlay = FPDF(unit="pt", format=(float(box.width), float(box.height)))
    overlay.add_font("DejaVu", fname=str(stamp.FONT_PATH))
    overlay.add_page()
    overlay.set_font("DejaVu", size=7)
    overlay.text(20, float(box.height) - 8, text)
    over_page = PdfReader(io.BytesIO(bytes(overlay.output()))).pages[0]
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        page.merge_page(over_page)
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="20 pages, 20 viewers")
    ap.add_argument("--pages", type=int)
    ap.add_argument("--viewers", type=int)
    ap.add_argument("--compare", action="store_true", help="also time a full pypdf rewrite")
    a = ap.parse_args()
    pages = a.pages or (20 if a.small else 100)
    viewers = a.viewers or (20 if a.small else 200)
    data = vietnamese_pdf(pages)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "doc.pdf"
        path.write_bytes(data)
        t0 = time.perf_counter()
        stamp.stamp_font()
        font_ms = (time.perf_counter() - t0) * 1000
        skeleton = Path(d) / "copy.pdf"
        build = []
        plan_json: dict = {}
        for _ in range(5):
            t0 = time.perf_counter()
            plan_json = stamp.build_copy(path, skeleton)
            build.append((time.perf_counter() - t0) * 1000)
        plan_file = Path(d) / "copy.json"
        plan_file.write_text(json.dumps(plan_json))

        def one_viewer(plan: stamp.CopyPlan, text: str) -> list[bytes]:
            stamps = plan.stamps(text)
            return [plan.hole(i, stamps) for i in range(len(plan.holes))]

        cold = []
        for _ in range(5):
            t0 = time.perf_counter()
            one_viewer(stamp.load_plan(plan_file), text_for(0))
            cold.append((time.perf_counter() - t0) * 1000)
        plan = stamp.load_plan(plan_file)
        warm = []
        holes: list[bytes] = []
        for i in range(viewers):
            t0 = time.perf_counter()
            holes = one_viewer(plan, text_for(i))
            warm.append((time.perf_counter() - t0) * 1000)
        from pypdf import PdfReader

        out = bytearray(skeleton.read_bytes())
        for (off, _, _), piece in zip(plan.holes, holes, strict=True):
            out[off : off + stamp.HOLE] = piece
        texts = [p.extract_text() for p in PdfReader(io.BytesIO(bytes(out))).pages]
        ok = all(text_for(viewers - 1) in t for t in texts) and len(texts) == pages
        print(
            f"file: {pages} pages, {len(data) / 1024:.0f} KB; a viewer's copy {len(out) / 1024:.0f} KB"
        )
        print(f"stamp font (once per process): {font_ms:.1f} ms")
        print(
            f"build the copy skeleton (once per file, at upload): median {statistics.median(build):.1f} ms"
        )
        print(f"cold (first viewer of a file): median {statistics.median(cold):.2f} ms")
        print(
            f"warm (per viewer, {viewers} viewers): median {statistics.median(warm):.3f} ms, "
            f"p95 {sorted(warm)[int(len(warm) * 0.95) - 1]:.3f} ms"
        )
        print(f"every page carries the viewer's name: {'yes' if ok else 'NO'}")
        if a.compare:
            rw = []
            for i in range(3 if a.small else 5):
                t0 = time.perf_counter()
                r = rewrite_stamp(data, text_for(i))
                rw.append((time.perf_counter() - t0) * 1000)
            print(
                f"for comparison, full pypdf rewrite per viewer: median {statistics.median(rw):.1f} ms "
                f"({len(r) / 1024:.0f} KB)"
            )
        target = 150.0
        worst = max(statistics.median(cold), statistics.median(build))
        print(
            f"target <= {target:.0f} ms per viewer: {'met' if worst <= target else 'MISSED'} "
            "(cold median, and the build a first viewer of an older file waits for)"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
