"""Finding a unit from what a person typed (the user import's `unit_id` column)."""

from __future__ import annotations

import unicodedata


class UnitLookup:
    """The CSV's `unit_id` cell: a unit's numeric id, or its name as the unit tree shows it
    (letter case and Unicode composition ignored). Returns the id, or the refusal's reason."""

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self.ids = {uid for uid, _ in rows}
        self.by_name: dict[str, list[int]] = {}
        for uid, name in rows:
            self.by_name.setdefault(_fold(name), []).append(uid)

    def __call__(self, cell: str) -> int | str:
        if cell.isdigit() and int(cell) in self.ids:
            return int(cell)
        found = self.by_name.get(_fold(cell), [])
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(str(i) for i in sorted(found))
            return f"có {len(found)} đơn vị tên {cell} (id {ids}): ghi id của đơn vị"
        return f"không có đơn vị {cell}"


def _fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
