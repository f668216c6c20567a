"""A started meeting with every role at the table, each with a client that joined it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.live import Client, Live, Person, meeting_with


@dataclass
class Table:
    meeting_id: int
    item_id: int
    chair: Person
    secretary: Person
    delegates: list[Person]
    point: Person
    observer: Person
    chair_c: Client
    sec_c: Client
    del_c: list[Client]
    point_c: Client
    obs_c: Client
    outsider_c: Client
    snapshots: dict[str, Any]


async def table(live: Live, *, delegates: int = 2, items: int = 1) -> Table:
    m = await meeting_with(live, publish=False, delegates=delegates, points=1)
    mid = m["meeting_id"]
    sec_c: Client = m["secretary_client"]
    observer = await live.person("quansat")
    await sec_c.ok(
        "participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [observer.id]}
    )
    item_ids = []
    for i in range(items):
        item = await sec_c.ok(
            "agenda:add",
            {"meeting_id": mid, "title": f"Nội dung {i + 1}: báo cáo kinh tế - xã hội"},
        )
        item_ids.append(item["id"])
    await sec_c.ok("meeting:publish", {"meeting_id": mid})
    await sec_c.ok("meeting:start", {"meeting_id": mid})
    chair_c = await live.client(m["chair"])
    await chair_c.ok("agenda:activate", {"item_id": item_ids[0]})
    del_c = [await live.client(d) for d in m["delegates"]]
    point_c = await live.client(m["points"][0])
    obs_c = await live.client(observer)
    outsider_c = await live.client(await live.person("nguoingoai"))
    snaps = {}
    for name, c in [
        ("chair", chair_c),
        ("secretary", sec_c),
        ("point", point_c),
        ("observer", obs_c),
    ] + [(f"d{i}", c) for i, c in enumerate(del_c)]:
        snaps[name] = await c.ok("meeting:join", {"meeting_id": mid})
    return Table(
        mid,
        item_ids[0],
        m["chair"],
        m["secretary"],
        m["delegates"],
        m["points"][0],
        observer,
        chair_c,
        sec_c,
        del_c,
        point_c,
        obs_c,
        outsider_c,
        snaps,
    )
