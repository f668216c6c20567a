"""Idempotency keys for actions a device queues offline (opinions, notes, requests to speak).

The client makes a key per queued action and sends it as `client_key`; the action runs through
`once`, which answers a repeat (same user, same key) with the first answer instead of doing the
action again. The check and the insert run in the action's transaction, and (user, key) is
unique, so two copies racing in cannot both do it. A refused action stores nothing: sent again,
it is judged again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from pydantic import StringConstraints

from meeting.errors import invalid
from meeting.hub import Context
from meeting.jsonable import jsonable
from meeting.models import ClientKey

# 8..64 letters, digits, "-" or "_" (a UUID fits); anything else is refused as invalid.
ClientKeyField = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


async def once(
    ctx: Context,
    name: str,
    key: str | None,
    run: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run the action, or answer what it answered the first time this key came."""
    if key is None:
        return await run()
    seen = await ClientKey.get_or_none(user=ctx.user, key=key)
    if seen is not None:
        if seen.action != name:
            raise invalid("Khoá này đã dùng cho thao tác khác", client_key="used by another action")
        return {**json.loads(seen.result), "repeated": True}
    out = await run()
    await ClientKey.create(
        user=ctx.user,
        key=key,
        action=name,
        result=json.dumps(jsonable(out)),
        created_at=ctx.now,
    )
    return {**out, "repeated": False}
