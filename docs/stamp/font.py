"""The stamp's font: DejaVu Sans subset to the characters a stamp may hold, made once per
process, and copied into every copy skeleton."""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject

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
        for lo, hi, uni in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
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


def font_into(writer: PdfWriter) -> IndirectObject:
    """The stamp font's object, cloned into `writer` (a copy skeleton)."""
    font = stamp_font()
    reader = PdfReader(io.BytesIO(font.pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    ref = fonts.raw_get(next(iter(fonts.keys())))
    return ref.clone(writer)  # type: ignore[return-value]
