"""The appendix of the /api page, generated from the actions the server declares: each action's
payload fields (from its pydantic model's JSON schema) and the roles the hub admits. The page's
hand-written sections stay the source of meaning (answers, pushes, what a handler narrows); this
only keeps the field lists exact as payloads change."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from meeting.hub import Action, Flag
from meeting.models import Role

EVERY_ROLE = frozenset(Role)
# JSON schema keywords shown beside a type, and how.
CONSTRAINTS = {
    "minLength": "≥ {} chars",
    "maxLength": "≤ {} chars",
    "minimum": "≥ {}",
    "maximum": "≤ {}",
    "exclusiveMinimum": "> {}",
    "minItems": "≥ {} items",
    "maxItems": "≤ {} items",
    "pattern": "matches {}",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    default: str  # JSON text of the default, "" when required


@dataclass(frozen=True)
class ActionRef:
    name: str
    who: str
    meeting: bool  # about one meeting: the hub checks the caller's role in it
    fields: list[Field]


def who_text(roles: frozenset[Role | Flag]) -> str:
    names: list[str] = []
    if EVERY_ROLE <= roles:
        names.append("any participant")
        roles = roles - EVERY_ROLE
    names += sorted(str(r.value).replace("_", " ") for r in roles)
    return ", ".join(names)


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _type(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        text = " | ".join(_type(s, defs) for s in schema["anyOf"])
    elif "enum" in schema:
        text = " | ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in schema["enum"])
    elif "const" in schema:
        text = f'"{schema["const"]}"'
    elif schema.get("type") == "array":
        text = f"[{_type(schema.get('items', {}), defs)}]"
    elif "type" in schema:
        text = str(schema["type"])
        if "format" in schema:
            text += f" ({schema['format']})"
    else:
        text = "any"
    limits = [fmt.format(schema[key]) for key, fmt in CONSTRAINTS.items() if key in schema]
    return f"{text}, {', '.join(limits)}" if limits else text


def reference(actions: Iterable[Action]) -> list[ActionRef]:
    out = []
    for act in sorted(actions, key=lambda a: a.name):
        schema = act.payload.model_json_schema(by_alias=True)
        defs = schema.get("$defs", {})
        required = set(schema.get("required", []))
        fields = [
            Field(
                name=name,
                type=_type(prop, defs),
                required=name in required,
                default="" if name in required else json.dumps(prop.get("default")),
            )
            for name, prop in schema.get("properties", {}).items()
        ]
        out.append(ActionRef(act.name, who_text(act.roles), act.meeting_of is not None, fields))
    return out
