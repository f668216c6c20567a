"""The unit tree: province → district → commune (and departments)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from meeting.errors import invalid, not_found
from meeting.hub import Context, Flag, Payload, action
from meeting.identity import unit_view
from meeting.models import Unit, UnitKind

UnitName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Letters, digits and . - / (an official code like "26734" or a province's own like "SO-TC").
UnitCode = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20, pattern=r"^[\w./-]*$")
]


class UnitCreate(Payload):
    name: UnitName
    kind: UnitKind
    parent_id: int | None = None
    code: UnitCode | None = None


class UnitUpdate(Payload):
    unit_id: int
    name: UnitName | None = None
    kind: UnitKind | None = None
    parent_id: int | None = None
    code: UnitCode | None = None  # "" or null clears it


class Empty(Payload):
    pass


@action("unit:create", payload=UnitCreate, roles={Flag.ADMIN}, meeting=False)
async def create(ctx: Context, p: UnitCreate) -> dict:
    if p.parent_id is not None and not await Unit.exists(id=p.parent_id):
        raise invalid("Không có đơn vị cấp trên này", parent_id="unknown unit")
    code = await _free_code(p.code)
    unit = await Unit.create(name=p.name, kind=p.kind, parent_id=p.parent_id, code=code)
    return unit_view(unit)


async def _free_code(code: str | None, unit_id: int | None = None) -> str | None:
    """The code to store (None for none), refused when another unit has it."""
    if not code:
        return None
    taken = Unit.filter(code__iexact=code)
    if unit_id is not None:
        taken = taken.exclude(id=unit_id)
    if await taken.exists():
        raise invalid(f"Mã đơn vị {code} đã có", code="taken")
    return code


@action("unit:update", payload=UnitUpdate, roles={Flag.ADMIN}, meeting=False)
async def update(ctx: Context, p: UnitUpdate) -> dict:
    unit = await Unit.get_or_none(id=p.unit_id)
    if unit is None:
        raise not_found("Không có đơn vị này")
    fields = p.model_dump(exclude_unset=True, exclude={"unit_id"})
    if "code" in fields:
        fields["code"] = await _free_code(p.code, unit.id)
    if "parent_id" in fields and p.parent_id is not None:
        # Walk up from the new parent: meeting this unit again would make a cycle.
        parents = dict(await Unit.all().values_list("id", "parent_id"))
        if p.parent_id not in parents:
            raise invalid("Không có đơn vị cấp trên này", parent_id="unknown unit")
        at: int | None = p.parent_id
        while at is not None:
            if at == unit.id:
                raise invalid("Đơn vị không thể nằm dưới chính nó", parent_id="cycle")
            at = parents.get(at)
    for key, value in fields.items():
        if value is None and key not in ("parent_id", "code"):
            raise invalid("Không được để trống", **{key: "required"})
        setattr(unit, key, value)
    await unit.save()
    return unit_view(unit)


@action("unit:list", payload=Empty, roles={Flag.SIGNED_IN}, meeting=False)
async def list_units(ctx: Context, p: Empty) -> list[dict]:
    return [unit_view(u) for u in await Unit.all().order_by("name", "id")]
