"""The copy skeleton, made once per stored file (in a bounded job at upload): a rewrite of the
file in which every page's content is one new FlateDecode stream ending in a hole of fixed size
(docs/stamp/__init__.py tells the layout), and the plan that says where the holes are."""

from __future__ import annotations

import os
import re
import tempfile
import zlib
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, IndirectObject, NameObject, StreamObject

from docs.stamp.draw import Geometry, page_geometry
from docs.stamp.font import FONT_NAME, font_into
from docs.stamp.plan import HOLE, CopyPlan


class StampError(Exception):
    """The file cannot be stamped (its structure is not what a PDF reader needs)."""


def build_copy(src: Path, dst: Path) -> dict[str, object]:
    """Write the copy skeleton of `src` to `dst` and return its plan (as JSON). Every page's
    content becomes one stream ending in a hole; the original content streams are dropped."""
    reader = PdfReader(src)
    if not reader.pages:
        raise StampError("empty page tree")
    writer = PdfWriter(clone_from=reader)
    font_ref = font_into(writer)
    nonce = os.urandom(8).hex().encode()
    geometries: list[Geometry] = []
    geo_index: dict[tuple[float, ...], int] = {}
    pages: list[tuple[int, int]] = []  # (geometry, adler) per page, in order
    for i, page in enumerate(writer.pages):
        geo = page_geometry(page)
        key = (
            round(geo.llx, 2),
            round(geo.lly, 2),
            round(geo.urx, 2),
            round(geo.ury, 2),
            geo.rotate,
        )
        if key not in geo_index:
            geo_index[key] = len(geometries)
            geometries.append(geo)
        marker = (b"HOPHOLE-" + nonce + b"-%08d-" % i).ljust(HOLE, b"#")
        adler = _contents_with_hole(writer, page, marker)
        _add_font(page, font_ref)
        pages.append((geo_index[key], adler))
    # The pages' old content streams are now unreferenced: dropped, so no copy holds them.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    with dst.open("wb") as f:
        writer.write(f)
    holes = _find_holes(dst, nonce, pages)
    return CopyPlan(dst.stat().st_size, holes, geometries).to_json()


def _contents_with_hole(writer: PdfWriter, page: PageObject, marker: bytes) -> int:
    """Replace the page's content by one stream: "q" + its own content, deflated up to a sync
    flush, then `marker` where the hole goes. Returns the Adler-32 of the content before it."""
    contents = page.get_contents()
    own = b"q\n" + (contents.get_data() if contents is not None else b"") + b"\n"
    z = zlib.compressobj(6)
    body = z.compress(own) + z.flush(zlib.Z_SYNC_FLUSH)
    stream = StreamObject()
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream._data = body + marker
    page[NameObject("/Contents")] = writer._add_object(stream)
    return zlib.adler32(own)


def _add_font(page: DictionaryObject, font_ref: IndirectObject) -> None:
    """The stamp font in the page's resources, under FONT_NAME."""
    res = page.get("/Resources")
    res = res.get_object() if res is not None else None
    if not isinstance(res, DictionaryObject):
        res = DictionaryObject()
        page[NameObject("/Resources")] = res
    fonts = res.get("/Font")
    fonts = fonts.get_object() if fonts is not None else None
    if not isinstance(fonts, DictionaryObject):
        fonts = DictionaryObject()
        res[NameObject("/Font")] = fonts
    fonts[NameObject(FONT_NAME)] = font_ref


def _find_holes(
    path: Path, nonce: bytes, pages: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    data = path.read_bytes()
    pattern = re.compile(b"HOPHOLE-" + nonce + b"-(\\d{8})-")
    holes: list[tuple[int, int, int]] = []
    for m in pattern.finditer(data):
        i = int(m.group(1))
        geo, adler = pages[i]
        holes.append((m.start(), geo, adler))
    if len(holes) != len(pages) or len({h[0] for h in holes}) != len(pages):
        raise StampError("a page's stamp place was not written once")
    holes.sort()
    return holes


def stamp_bytes(src: Path, text: str) -> bytes:
    """The whole stamped copy in memory (tests, small files). Downloads stream instead."""
    with tempfile.TemporaryDirectory() as d:
        skeleton = Path(d) / "copy.pdf"
        plan = CopyPlan.from_json(build_copy(src, skeleton))
        data = bytearray(skeleton.read_bytes())
    stamps = plan.stamps(text)
    for i, (off, _, _) in enumerate(plan.holes):
        data[off : off + HOLE] = plan.hole(i, stamps)
    return bytes(data)
