"""Per-viewer stamping of a stored PDF, as an incremental update.

Every page of a downloaded document carries one line: who the copy was given to (full name,
unit) and when. Rewriting the whole PDF per viewer (pypdf `merge_page`) costs memory in
proportion to the file for every concurrent download, so instead the stored file is served
unchanged and a small INCREMENTAL UPDATE (PDF 32000-1 §7.5.6) is appended to it: new versions
of the page objects whose `/Contents` gain two shared streams (`q` before the page's own content,
`Q` + the stamp after it), an embedded subset of DejaVu Sans (Vietnamese), and a new xref
section whose `/Prev` points at the original one. The appended tail is a few tens of KB whatever
the size of the document, the original bytes are streamed from disk, and HTTP Range requests
are served over "original + tail" like over any file.

What depends only on the document (page objects, fonts, numbering) is computed once per stored
file (`plan_for`) and cached. Per viewer only the stamp streams and the xref are written, so the
tail has the SAME LENGTH for a viewer at any time (the time is printed in a fixed-width format):
byte ranges fetched a minute apart still fit together.

A signed PDF is never stamped (an update would not break it, but the signature's "modifications"
check would flag the change): the caller serves it as stored.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
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
    objects: dict[int, object]  # object number in the generated PDF -> pypdf object
    root: int  # the Type0 font's number there
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
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    ref = fonts.raw_get(next(iter(fonts.keys())))
    assert isinstance(ref, IndirectObject)
    objects: dict[int, object] = {}

    def collect(obj: object) -> None:
        if isinstance(obj, IndirectObject):
            if obj.idnum in objects:
                return
            target = obj.get_object()
            objects[obj.idnum] = target
            collect(target)
        elif isinstance(obj, dict):
            for k in obj:
                collect(dict.__getitem__(obj, k))
        elif isinstance(obj, list):
            for v in obj:
                collect(v)

    collect(ref)
    type0 = ref.get_object()
    cid_font = type0["/DescendantFonts"][0].get_object()
    cids = _parse_to_unicode(type0["/ToUnicode"].get_object().get_data())
    widths = _parse_widths([_plain(v) for v in cid_font.get("/W", [])])
    return StampFont(objects, ref.idnum, cids, widths, float(cid_font.get("/DW", 1000)))


def _plain(v: object) -> object:
    v = v.get_object() if isinstance(v, IndirectObject) else v
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


# --- the plan: what one stored file needs, whatever the viewer ------------------------------


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


@dataclass
class Plan:
    size: int  # bytes of the stored file
    pages: int
    fixed: bytes  # the serialized objects that do not depend on the viewer
    fixed_offsets: dict[int, tuple[int, int]]  # number -> (offset within `fixed`, generation)
    stamp_nums: list[int]  # object number of each geometry's stamp stream
    geometries: list[Geometry]
    xref_num: int | None  # number of the xref stream, when the file uses xref streams
    trailer: bytes  # /Root /Info /ID entries, serialized
    prev: int  # the original startxref
    tail_size: dict[int, int] = field(default_factory=dict)


def _ser(obj: object) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


def _renumber(obj: object, mapping: dict[int, int]) -> object:
    """A copy of a font object whose references point at their numbers in the target file."""
    if isinstance(obj, IndirectObject):
        return IndirectObject(mapping[obj.idnum], 0, None)  # type: ignore[arg-type]
    if isinstance(obj, StreamObject):
        new = StreamObject()
        for k in obj:
            new[NameObject(k)] = _renumber(dict.__getitem__(obj, k), mapping)
        new._data = obj._data  # the (still encoded) stream bytes as they were
        return new
    if isinstance(obj, DictionaryObject):
        d = DictionaryObject()
        for k in obj:
            d[NameObject(k)] = _renumber(dict.__getitem__(obj, k), mapping)
        return d
    if isinstance(obj, ArrayObject):
        return ArrayObject(_renumber(v, mapping) for v in obj)
    return obj


def _stream(data: bytes, compress: bool = True) -> bytes:
    if compress:
        z = zlib.compress(data, 6)
        return b"<</Length %d /Filter /FlateDecode>>\nstream\n" % len(z) + z + b"\nendstream"
    return b"<</Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def _startxref(path: Path, size: int) -> int:
    with path.open("rb") as f:
        f.seek(max(0, size - 2048))
        tail = f.read()
    found = re.findall(rb"startxref\s+(\d+)", tail)
    if not found:
        raise StampError("no startxref")
    return int(found[-1])


def _box(page: DictionaryObject) -> list[float]:
    for key in ("/CropBox", "/MediaBox"):
        box = page.get(key)
        if box is not None:
            vals = [float(v) for v in box]
            if len(vals) == 4:
                x0, y0, x1, y1 = vals
                return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
    return [0.0, 0.0, 612.0, 792.0]


def make_plan(path: Path) -> Plan:
    """Read the stored file's page tree (not its content streams) and prepare the update."""
    font = stamp_font()
    size = path.stat().st_size
    prev = _startxref(path, size)
    with path.open("rb") as f:
        f.seek(prev)
        xref_is_table = f.read(4) == b"xref"
        try:
            reader = PdfReader(f)
            trailer = reader.trailer
            next_num = int(trailer.get("/Size", 0))
            pages = list(reader.pages)
            if next_num <= 0 or not pages:
                raise StampError("empty page tree")
            # New objects: the font tree, the shared "q" stream, one stamp stream per geometry,
            # and (xref-stream files) the xref stream.
            mapping = {}
            for old in font.objects:
                mapping[old] = next_num
                next_num += 1
            q_num = next_num
            next_num += 1
            body: list[tuple[int, int, bytes]] = []
            for old, obj in font.objects.items():
                body.append((mapping[old], 0, _ser(_renumber(obj, mapping))))
            body.append((q_num, 0, _stream(b"q\n", compress=False)))
            geometries: list[Geometry] = []
            geo_index: dict[tuple, int] = {}
            stamp_nums: list[int] = []
            font_ref = IndirectObject(mapping[font.root], 0, None)  # type: ignore[arg-type]
            for page in pages:
                ref = page.indirect_reference
                if ref is None:
                    raise StampError("a page is not an indirect object")
                llx, lly, urx, ury = _box(page)
                rotate = int(page.get("/Rotate", 0) or 0) % 360
                if rotate not in (0, 90, 180, 270):
                    rotate = 0
                key = (round(llx, 2), round(lly, 2), round(urx, 2), round(ury, 2), rotate)
                if key not in geo_index:
                    geo_index[key] = len(geometries)
                    geometries.append(Geometry(llx, lly, urx, ury, rotate))
                    stamp_nums.append(next_num)
                    next_num += 1
                s_num = stamp_nums[geo_index[key]]
                contents: list[object] = [IndirectObject(q_num, 0, None)]  # type: ignore[arg-type]
                raw = page.raw_get("/Contents") if "/Contents" in page else None
                if isinstance(raw, IndirectObject):
                    target = raw.get_object()
                    if isinstance(target, ArrayObject):
                        contents.extend(target)
                    else:
                        contents.append(raw)
                elif isinstance(raw, ArrayObject):
                    contents.extend(raw)
                contents.append(IndirectObject(s_num, 0, None))  # type: ignore[arg-type]
                new_page = DictionaryObject()
                for k in page:
                    new_page[NameObject(k)] = page.raw_get(k)
                new_page[NameObject("/Contents")] = ArrayObject(contents)
                res = page.get("/Resources")
                res = res.get_object() if res is not None else DictionaryObject()
                new_res = DictionaryObject()
                for k in res:
                    new_res[NameObject(k)] = res.raw_get(k)
                fonts = res.get("/Font")
                new_fonts = DictionaryObject()
                if isinstance(fonts, DictionaryObject):
                    for k in fonts:
                        new_fonts[NameObject(k)] = fonts.raw_get(k)
                new_fonts[NameObject(FONT_NAME)] = font_ref
                new_res[NameObject("/Font")] = new_fonts
                new_page[NameObject("/Resources")] = new_res
                body.append((ref.idnum, ref.generation, _ser(new_page)))
            xref_num = None
            if not xref_is_table:
                xref_num = next_num
                next_num += 1
            entries = []
            for key in ("/Root", "/Info", "/ID"):
                if key in trailer:
                    entries.append(key.encode())
                    entries.append(_ser(trailer.raw_get(key)))
        except StampError:
            raise
        except Exception as exc:  # a structure pypdf cannot walk
            raise StampError(str(exc)) from exc
    fixed = io.BytesIO()
    fixed.write(b"\n")
    offsets: dict[int, tuple[int, int]] = {}
    for num, gen, data in body:
        offsets[num] = (fixed.tell(), gen)
        fixed.write(b"%d %d obj\n" % (num, gen))
        fixed.write(data)
        fixed.write(b"\nendobj\n")
    trailer_bytes = b" ".join(entries) + b" /Size %d /Prev %d" % (next_num, prev)
    return Plan(
        size=size,
        pages=len(pages),
        fixed=fixed.getvalue(),
        fixed_offsets=offsets,
        stamp_nums=stamp_nums,
        geometries=geometries,
        xref_num=xref_num,
        trailer=trailer_bytes,
        prev=prev,
    )


_plans: OrderedDict[tuple[str, int], Plan] = OrderedDict()
_plans_lock = threading.Lock()
_plan_locks: dict[tuple[str, int], threading.Lock] = {}
PLAN_CACHE = 64


def plan_for(path: Path) -> Plan:
    """The cached plan of a stored file (content-addressed, so a path never changes content)."""
    key = (str(path), path.stat().st_size)
    with _plans_lock:
        plan = _plans.get(key)
        if plan is not None:
            _plans.move_to_end(key)
            return plan
        lock = _plan_locks.setdefault(key, threading.Lock())
    with lock:  # one thread computes it, concurrent downloads of the same file wait
        with _plans_lock:
            plan = _plans.get(key)
        if plan is None:
            plan = make_plan(path)
            with _plans_lock:
                _plans[key] = plan
                while len(_plans) > PLAN_CACHE:
                    _plans.popitem(last=False)
                _plan_locks.pop(key, None)
    return plan


# --- the tail: per viewer --------------------------------------------------------------------


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


def build_tail(plan: Plan, text: str) -> bytes:
    """The incremental update that stamps every page with `text`."""
    out = io.BytesIO()
    out.write(plan.fixed)
    offsets = {n: (plan.size + off, gen) for n, (off, gen) in plan.fixed_offsets.items()}
    for num, geo in zip(plan.stamp_nums, plan.geometries, strict=True):
        offsets[num] = (plan.size + out.tell(), 0)
        out.write(b"%d 0 obj\n" % num)
        out.write(_stream(stamp_stream(text, geo), compress=False))
        out.write(b"\nendobj\n")
    if plan.xref_num is None:
        xref_at = plan.size + out.tell()
        # Starting with object 0 (free) keeps readers' "is this table zero-indexed" checks quiet.
        out.write(b"xref\n0 1\n0000000000 65535 f\r\n")
        for start, run in _runs(sorted(offsets)):
            out.write(b"%d %d\n" % (start, len(run)))
            for n in run:
                off, gen = offsets[n]
                out.write(b"%010d %05d n\r\n" % (off, gen))
        out.write(b"trailer\n<<" + plan.trailer + b">>\n")
    else:
        xref_at = plan.size + out.tell()
        offsets[plan.xref_num] = (xref_at, 0)
        nums = sorted(offsets)
        index = []
        rows = bytearray()
        for start, run in _runs(nums):
            index += [start, len(run)]
            for n in run:
                off, gen = offsets[n]
                rows += b"\x01" + off.to_bytes(4, "big") + gen.to_bytes(2, "big")
        data = zlib.compress(bytes(rows))
        out.write(b"%d 0 obj\n" % plan.xref_num)
        out.write(
            b"<</Type /XRef /W [1 4 2] /Index ["
            + b" ".join(b"%d" % i for i in index)
            + b"] "
            + plan.trailer
            + b" /Length %d /Filter /FlateDecode>>\nstream\n" % len(data)
        )
        out.write(data + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def _runs(nums: list[int]) -> list[tuple[int, list[int]]]:
    runs: list[tuple[int, list[int]]] = []
    for n in nums:
        if runs and runs[-1][1][-1] == n - 1:
            runs[-1][1].append(n)
        else:
            runs.append((n, [n]))
    return runs


def stamp_tail(path: Path, text: str) -> tuple[Plan, bytes]:
    plan = plan_for(path)
    return plan, build_tail(plan, text)


def stamp_bytes(path: Path, text: str) -> bytes:
    """The whole stamped file in memory (tests, small files). Downloads stream instead."""
    plan, tail = stamp_tail(path, text)
    return path.read_bytes() + tail
