"""Drawing one stamp: the content-stream operators that write the line along a page's displayed
bottom edge, whatever its box and rotation."""

from __future__ import annotations

from dataclasses import dataclass

from pypdf.generic import DictionaryObject

from docs.stamp.font import FONT_NAME, stamp_font

FONT_SIZE = 7.0
MIN_FONT_SIZE = 3.5
MARGIN = 4.0  # points from the bottom edge and the sides
COLOR = "0.75 0.05 0.05 rg"


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


def page_geometry(page: DictionaryObject) -> Geometry:
    llx, lly, urx, ury = _box(page)
    rotate = int(page.get("/Rotate", 0) or 0) % 360
    if rotate not in (0, 90, 180, 270):
        rotate = 0
    return Geometry(llx, lly, urx, ury, rotate)


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
