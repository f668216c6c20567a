"""Per viewer: the copy plan (where every page's hole is in the copy skeleton, and which page
geometry it has) and the bytes that fill a hole with one viewer's stamp."""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from docs.stamp.draw import Geometry, stamp_stream

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
        holes = [tuple(h) for h in d["holes"]]
        return cls(d["size"], holes, [Geometry(*g) for g in d["geometries"]])

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


def load_plan(path: Path) -> CopyPlan:
    return CopyPlan.from_json(json.loads(path.read_text()))
