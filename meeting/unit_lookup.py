"""Finding a unit from what a person typed (the user import's `unit_id` column)."""

from __future__ import annotations

import unicodedata


class UnitLookup:
    """The CSV's `unit_id` cell: a unit's numeric id, its code (mã đơn vị), or its name as the
    unit tree shows it (letter case and Unicode composition ignored). Returns the id, or the
    refusal's reason."""

    def __init__(self, rows: list[tuple[int, str, str | None]]) -> None:
        self.ids = {uid for uid, _, _ in rows}
        self.by_code = {_fold(code): uid for uid, _, code in rows if code}
        self.by_name: dict[str, list[int]] = {}
        for uid, name, _ in rows:
            self.by_name.setdefault(_fold(name), []).append(uid)

    def __call__(self, cell: str) -> int | str:
        by_id = int(cell) if cell.isdigit() and int(cell) in self.ids else None
        by_code = self.by_code.get(_fold(cell))
        if by_id is not None and by_code is not None and by_id != by_code:
            return f"{cell} là id của đơn vị {by_id} và là mã của đơn vị {by_code}: ghi tên đơn vị"
        if by_id is not None or by_code is not None:
            return by_id if by_id is not None else by_code  # type: ignore[return-value]
        found = self.by_name.get(_fold(cell), [])
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(str(i) for i in sorted(found))
            return f"có {len(found)} đơn vị tên {cell} (id {ids}): ghi id hoặc mã của đơn vị"
        return f"không có đơn vị {cell}"


def _fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
