"""Turn what handlers return into JSON values; times go out in the province's zone with offset."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

_zone = ZoneInfo("Asia/Ho_Chi_Minh")


def set_zone(name: str) -> None:
    global _zone
    _zone = ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(_zone).isoformat()


def jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


class WireJson:
    """The `json` python-socketio and engine.io encode pushes with: UTF-8 as is. The standard
    module escapes every Vietnamese letter as \\uXXXX (6 bytes for 2–3), and pushes are mostly
    names and titles in Vietnamese."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, **kwargs)
