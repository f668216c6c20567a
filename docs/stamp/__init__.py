"""Per-viewer stamping of a stored PDF, drawn into every page's own content stream.

Every page of a downloaded document carries one line: who the copy was given to (full name,
unit) and when. The line is part of the page's (single, compressed) content stream, so it cannot
be cut off the file, and no copy holds the original bytes: the copy is a rewrite (pypdf) of the
stored file in which every page's content is ONE new FlateDecode stream

    zlib header | deflate("q\n" + the page's own content) ending in a sync flush | HOLE

where HOLE (a fixed size) is, per viewer, one final STORED deflate block holding
"Q" + the stamp (padded with spaces) and the stream's Adler-32. Deflate blocks after a sync
flush start on a byte boundary, so the hole is just bytes; Adler-32 continues from the value of
the page's content (zlib.adler32(stamp, page_adler)). Every viewer's copy therefore has the same
length and layout: the rewrite ("the copy skeleton") is made once per stored file, in a bounded
job at upload (`build_copy`), and a download streams the skeleton from disk, filling each hole as
it passes (`CopyPlan.hole`) — memory per download is a few KB whatever the file's size, and
HTTP Range works over the copy like over any file.

A signed PDF is never stamped (a rewrite would break its signature): it is served as stored.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_NAME = "/HopStampF"
# Every character the stamp font can draw: ASCII, Latin-1, Latin Extended-A, ơ/ư, Vietnamese
# (U+1EA0–U+1EF9) and a little punctuation. Anything else falls back to its base letter.
STAMP_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x180))
    + "ƠơƯư"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
    + "–—‘’“”…•·"
)
FONT_SIZE = 7.0
MIN_FONT_SIZE = 3.5
MARGIN = 4.0  # points from the bottom edge and the sides
COLOR = "0.75 0.05 0.05 rg"


class StampError(Exception):
    """The file cannot be stamped (its structure is not what a PDF reader needs)."""


# --- the font -------------------------------------------------------------------------------


@dataclass
class StampFont:
    pdf: bytes  # a one-line PDF whose page's only font is the subset (copied into each copy)
    cids: dict[str, int]  # character -> CID (= 2-byte code, Identity-H)
    widths: dict[int, float]  # CID -> advance width in 1/1000 em
    default_width: float

    def encode(self, text: str) -> tuple[bytes, float]:
        """The hex string for `Tj` and the text's width in 1/1000 em."""
        out = []
        width = 0.0
        for ch in fit_chars(text, self.cids):
            cid = self.cids[ch]
            out.append(f"{cid:04X}")
            width += self.widths.get(cid, self.default_width)
        return ("<" + "".join(out) + ">").encode("ascii"), width


def fit_chars(text: str, known: dict[str, int]) -> str:
    """The text in NFC, each character the font lacks replaced by its base letter or '?'."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in known:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base in known else ("?" if ch.isprintable() else " "))
    return "".join(out)


def _parse_to_unicode(data: bytes) -> dict[str, int]:
    cids: dict[str, int] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            ch = bytes.fromhex(uni.decode()).decode("utf-16-be", "ignore")
            if len(ch) == 1:
                cids.setdefault(ch, int(cid, 16))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(uni, 16)
            for i, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                cids.setdefault(chr(start + i), cid)
    return cids


def _parse_widths(w: list) -> dict[int, float]:
    widths: dict[int, float] = {}
    i = 0
    while i < len(w):
        first = int(w[i])
        nxt = w[i + 1]
        if isinstance(nxt, list):
            for j, v in enumerate(nxt):
                widths[first + j] = float(v)
            i += 2
        else:
            for cid in range(first, int(nxt) + 1):
                widths[cid] = float(w[i + 2])
            i += 3
    return widths


@functools.cache
def stamp_font() -> StampFont:
    """DejaVu Sans subset to STAMP_CHARS, made once per process with fpdf2 (~80 ms)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(600, 20))
    pdf.add_font("DejaVu", fname=str(FONT_PATH))
    pdf.add_page()
    pdf.set_font("DejaVu", size=8)
    pdf.text(5, 12, STAMP_CHARS)
    data = bytes(pdf.output())
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    ref = fonts.raw_get(next(iter(fonts.keys())))
    assert isinstance(ref, IndirectObject)
    type0 = ref.get_object()
    cid_font = type0["/DescendantFonts"][0].get_object()
    cids = _parse_to_unicode(type0["/ToUnicode"].get_object().get_data())
    widths = _parse_widths([_plain(v) for v in cid_font.get("/W", [])])
    return StampFont(data, cids, widths, float(cid_font.get("/DW", 1000)))


def _plain(v: object) -> object:
    v = v.get_object() if isinstance(v, IndirectObject) else v
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


# --- geometry ----------------------------------------------------------------------------


@dataclass
class Geometry:
    """A page's visible box and rotation: the stamp is drawn along its displayed bottom edge."""

    llx: float
    lly: float
    urx: float
    ury: float
    rotate: int

    def matrix(self) -> tuple[float, float, float, float, float, float]:
        """From display space (origin bottom-left of the page as shown) to user space."""
        w, h = self.urx - self.llx, self.ury - self.lly
        r = self.rotate
        if r == 90:
            return (0, 1, -1, 0, w + self.llx, self.lly)
        if r == 180:
            return (-1, 0, 0, -1, w + self.llx, h + self.lly)
        if r == 270:
            return (0, -1, 1, 0, self.llx, h + self.lly)
        return (1, 0, 0, 1, self.llx, self.lly)

    @property
    def display_width(self) -> float:
        w, h = self.urx - self.llx, self.ury - self.lly
        return h if self.rotate in (90, 270) else w


def _box(page: DictionaryObject) -> list[float]:
    for key in ("/CropBox", "/MediaBox"):
        box = page.get(key)
        if box is not None:
            vals = [float(v) for v in box]
            if len(vals) == 4:
                x0, y0, x1, y1 = vals
                return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
    return [0.0, 0.0, 612.0, 792.0]



# --- the copy skeleton: once per stored file -------------------------------------------------

HOLE_TEXT = 1024  # bytes of stamp operators per page (padded with spaces): ~230 characters
HOLE = 5 + HOLE_TEXT + 4  # stored-block header + the stamp + Adler-32


@dataclass
class CopyPlan:
    size: int  # bytes of every viewer's copy
    holes: list[tuple[int, int, int]]  # (offset in the copy, geometry index, Adler-32 before it)
    geometries: list[Geometry]

    def to_json(self) -> dict[str, object]:
        return {
            "size": self.size,
            "holes": self.holes,
            "geometries": [[g.llx, g.lly, g.urx, g.ury, g.rotate] for g in self.geometries],
        }

    @classmethod
    def from_json(cls, d: dict) -> CopyPlan:  # type: ignore[type-arg]
        return cls(d["size"], [tuple(h) for h in d["holes"]], [Geometry(*g) for g in d["geometries"]])

    def stamps(self, text: str) -> list[bytes]:
        """The padded stamp operators for each geometry (a few, whatever the page count)."""
        return [stamp_operators(text, g) for g in self.geometries]

    def hole(self, index: int, stamps: list[bytes]) -> bytes:
        _, geo, adler = self.holes[index]
        data = stamps[geo]
        return (
            b"\x01"  # BFINAL=1, BTYPE=00 (stored), on the byte boundary the sync flush left
            + struct.pack("<HH", HOLE_TEXT, HOLE_TEXT ^ 0xFFFF)
            + data
            + struct.pack(">I", zlib.adler32(data, adler))
        )


def stamp_operators(text: str, geo: Geometry) -> bytes:
    """`stamp_stream` padded to HOLE_TEXT; an over-long text is shortened until it fits."""
    while True:
        data = stamp_stream(text, geo)
        if len(data) <= HOLE_TEXT:
            return data.ljust(HOLE_TEXT, b" ")
        text = text[: max(0, len(text) - max(1, (len(data) - HOLE_TEXT) // 4))]


def _font_into(writer: PdfWriter) -> IndirectObject:
    font = stamp_font()
    reader = PdfReader(io.BytesIO(font.pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    ref = fonts.raw_get(next(iter(fonts.keys())))
    return ref.clone(writer)  # type: ignore[return-value]


def build_copy(src: Path, dst: Path) -> dict[str, object]:
    """Write the copy skeleton of `src` to `dst` and return its plan (as JSON). Every page's
    content becomes one stream ending in a hole; the original content streams are dropped."""
    reader = PdfReader(src)
    if not reader.pages:
        raise StampError("empty page tree")
    writer = PdfWriter(clone_from=reader)
    font_ref = _font_into(writer)
    nonce = os.urandom(8).hex().encode()
    geometries: list[Geometry] = []
    geo_index: dict[tuple[float, ...], int] = {}
    pages: list[tuple[int, int]] = []  # (geometry, adler) per page, in order
    for i, page in enumerate(writer.pages):
        llx, lly, urx, ury = _box(page)
        rotate = int(page.get("/Rotate", 0) or 0) % 360
        if rotate not in (0, 90, 180, 270):
            rotate = 0
        key = (round(llx, 2), round(lly, 2), round(urx, 2), round(ury, 2), rotate)
        if key not in geo_index:
            geo_index[key] = len(geometries)
            geometries.append(Geometry(llx, lly, urx, ury, rotate))
        contents = page.get_contents()
        own = b"q\n" + (contents.get_data() if contents is not None else b"") + b"\n"
        z = zlib.compressobj(6)
        body = z.compress(own) + z.flush(zlib.Z_SYNC_FLUSH)
        marker = (b"HOPHOLE-" + nonce + b"-%08d-" % i).ljust(HOLE, b"#")
        stream = StreamObject()
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        stream._data = body + marker
        page[NameObject("/Contents")] = writer._add_object(stream)
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
        pages.append((geo_index[key], zlib.adler32(own)))
    # The pages' old content streams are now unreferenced: dropped, so no copy holds them.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    with dst.open("wb") as f:
        writer.write(f)
    holes = _find_holes(dst, nonce, pages)
    return CopyPlan(dst.stat().st_size, holes, geometries).to_json()


def _find_holes(path: Path, nonce: bytes, pages: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
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


def load_plan(path: Path) -> CopyPlan:
    return CopyPlan.from_json(json.loads(path.read_text()))


# --- per viewer -------------------------------------------------------------------------------


def _num(v: float) -> bytes:
    return (b"%.3f" % v).rstrip(b"0").rstrip(b".") or b"0"


def stamp_stream(text: str, geo: Geometry) -> bytes:
    font = stamp_font()
    hex_text, width_em = font.encode(text)
    avail = max(geo.display_width - 2 * MARGIN, 10.0)
    size = FONT_SIZE
    if width_em * size / 1000 > avail:
        size = max(MIN_FONT_SIZE, avail * 1000 / max(width_em, 1))
    text_w = width_em * size / 1000
    x = max(MARGIN, (geo.display_width - text_w) / 2)
    a, b, c, d, e, f = geo.matrix()
    return b"".join(
        [
            b"Q\nq\n",
            b" ".join(_num(v) for v in (a, b, c, d, e, f)),
            b" cm\n",
            COLOR.encode(),
            b"\nBT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr ",
            FONT_NAME.encode(),
            b" ",
            _num(size),
            b" Tf ",
            _num(x),
            b" ",
            _num(MARGIN),
            b" Td ",
            hex_text,
            b" Tj ET\nQ\n",
        ]
    )


def stamp_bytes(src: Path, text: str) -> bytes:
    """The whole stamped copy in memory (tests, small files). Downloads stream instead."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        skeleton = Path(d) / "copy.pdf"
        plan = CopyPlan.from_json(build_copy(src, skeleton))
        data = bytearray(skeleton.read_bytes())
    stamps = plan.stamps(text)
    for i, (off, _, _) in enumerate(plan.holes):
        data[off : off + HOLE] = plan.hole(i, stamps)
    return bytes(data)
