"""agenda:add, agenda:update, agenda:remove, agenda:reorder, agenda:activate."""

from __future__ import annotations

from typing import Any

from tests.core.util import assert_refused_unchanged, get_state, not_object_payloads
from tests.live import Client, Live, meeting_with


def titles(items: list[dict[str, Any]]) -> list[str]:
    return [i["title"] for i in items]


async def add_items(sc: Client, mid: int, *names: str) -> list[dict[str, Any]]:
    return [await sc.ok("agenda:add", {"meeting_id": mid, "title": n}) for n in names]


async def test_add_in_order_and_at_a_position(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    dc = await clients.client(m["delegates"][0])
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    presenter = m["delegates"][0]
    first = await sc.ok(
        "agenda:add",
        {
            "meeting_id": mid,
            "title": "Báo cáo kinh tế quý I",
            "presenter_id": presenter.id,
            "duration_min": 30,
        },
    )
    assert first["title"] == "Báo cáo kinh tế quý I" and first["position"] == 1
    assert (
        first["presenter_id"] == presenter.id
        and first["presenter_name"] == presenter.user.full_name
    )
    assert first["duration_min"] == 30 and first["status"] == "pending" and first["active"] is False
    pushed = await dc.push("agenda:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["seq"] == snap["seq"] + 1 and pushed["items"] == [first]
    await sc.ok("agenda:add", {"meeting_id": mid, "title": "Kết luận"})
    top = await sc.ok("agenda:add", {"meeting_id": mid, "title": "Khai mạc", "position": 1})
    assert top["position"] == 1 and top["presenter_id"] is None and top["duration_min"] is None
    far = await sc.ok("agenda:add", {"meeting_id": mid, "title": "Bế mạc", "position": 99})
    assert far["position"] == 4  # a position past the end appends
    agenda = (await get_state(dc, mid))["agenda"]
    assert titles(agenda) == ["Khai mạc", "Báo cáo kinh tế quý I", "Kết luận", "Bế mạc"]
    assert [i["position"] for i in agenda] == [1, 2, 3, 4]
    pushed = await dc.push("agenda:updated", lambda d: len(d["items"]) == 4)
    assert pushed["items"] == agenda and pushed["seq"] == snap["seq"] + 4


async def test_add_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    await add_items(sc, mid, "Mục một")
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "agenda:add",
        [
            *not_object_payloads(),
            ({"meeting_id": mid}, "invalid", "title"),
            ({"meeting_id": mid, "title": ""}, "invalid", "title"),
            ({"meeting_id": mid, "title": 5}, "invalid", "title"),
            ({"meeting_id": mid, "title": "X", "duration_min": 0}, "invalid", "duration_min"),
            ({"meeting_id": mid, "title": "X", "duration_min": "30"}, "invalid", "duration_min"),
            ({"meeting_id": mid, "title": "X", "position": 0}, "invalid", "position"),
            ({"meeting_id": mid, "title": "X", "presenter_id": 987654}, "invalid", "presenter_id"),
            ({"meeting_id": mid, "title": "X", "status": "active"}, "invalid", "status"),
            ({"title": "X"}, "invalid", "meeting_id"),
        ],
    )
    dc = await clients.client(m["delegates"][0])
    await assert_refused_unchanged(
        dc, sc, mid, "agenda:add", [({"meeting_id": mid, "title": "X"}, "forbidden", None)]
    )
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider, sc, mid, "agenda:add", [({"meeting_id": mid, "title": "X"}, "not_found", None)]
    )
    await sc.ok("meeting:cancel", {"meeting_id": mid, "reason": "Hoãn"})
    await assert_refused_unchanged(
        sc, sc, mid, "agenda:add", [({"meeting_id": mid, "title": "X"}, "conflict", None)]
    )


async def test_agenda_of_a_draft_is_hidden_from_delegates(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    mid, sc = m["meeting_id"], m["secretary_client"]
    [item] = await add_items(sc, mid, "Nội dung nháp")
    dc = await clients.client(m["delegates"][0])
    await dc.error("agenda:add", {"meeting_id": mid, "title": "X"}, "not_found")
    await dc.error("agenda:update", {"item_id": item["id"], "title": "X"}, "not_found")
    await dc.error("agenda:remove", {"item_id": item["id"]}, "not_found")
    await dc.error("agenda:reorder", {"meeting_id": mid, "item_ids": [item["id"]]}, "not_found")
    await dc.error("agenda:activate", {"item_id": item["id"]}, "not_found")
    assert titles((await get_state(sc, mid))["agenda"]) == ["Nội dung nháp"]


async def test_update(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    presenter = m["delegates"][0]
    [item] = await add_items(sc, mid, "Dự thảo")
    cc = await clients.client(m["chair"])
    await cc.ok("meeting:join", {"meeting_id": mid})
    cc.mark()
    out = await sc.ok(
        "agenda:update",
        {
            "item_id": item["id"],
            "title": "Dự thảo nghị quyết",
            "presenter_id": presenter.id,
            "duration_min": 45,
        },
    )
    assert (
        out["title"] == "Dự thảo nghị quyết" and out["presenter_name"] == presenter.user.full_name
    )
    assert out["duration_min"] == 45 and out["position"] == 1
    pushed = await cc.push("agenda:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["items"] == [out]
    out = await sc.ok(
        "agenda:update", {"item_id": item["id"], "presenter_id": None, "duration_min": None}
    )
    assert (
        out["presenter_id"] is None
        and out["duration_min"] is None
        and out["title"] == "Dự thảo nghị quyết"
    )


async def test_update_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    [item] = await add_items(sc, mid, "Mục")
    iid = item["id"]
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "agenda:update",
        [
            *not_object_payloads(),
            ({"title": "X"}, "invalid", "item_id"),
            ({"item_id": str(iid), "title": "X"}, "invalid", "item_id"),
            ({"item_id": iid, "title": ""}, "invalid", "title"),
            ({"item_id": iid, "title": None}, "invalid", "title"),
            ({"item_id": iid, "duration_min": 0}, "invalid", "duration_min"),
            ({"item_id": iid, "presenter_id": 987654}, "invalid", "presenter_id"),
            ({"item_id": iid, "status": "done"}, "invalid", "status"),
            ({"item_id": iid, "position": 2}, "invalid", "position"),  # reorder moves items
            ({"item_id": 987654, "title": "X"}, "not_found", None),
        ],
    )
    dc = await clients.client(m["delegates"][0])
    await assert_refused_unchanged(
        dc, sc, mid, "agenda:update", [({"item_id": iid, "title": "X"}, "forbidden", None)]
    )
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider, sc, mid, "agenda:update", [({"item_id": iid, "title": "X"}, "not_found", None)]
    )


async def test_remove_renumbers(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    a, b, c = await add_items(sc, mid, "A", "B", "C")
    dc = await clients.client(m["delegates"][0])
    await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    out = await sc.ok("agenda:remove", {"item_id": b["id"]})
    assert titles(out["items"]) == ["A", "C"] and [i["position"] for i in out["items"]] == [1, 2]
    pushed = await dc.push("agenda:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["items"] == out["items"]
    await sc.error("agenda:remove", {"item_id": b["id"]}, "not_found")
    assert a["id"] != c["id"]


async def test_remove_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients, start=True)
    mid, sc = m["meeting_id"], m["secretary_client"]
    a, b = await add_items(sc, mid, "A", "B")
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "agenda:remove",
        [
            *not_object_payloads(),
            ({}, "invalid", "item_id"),
            ({"item_id": [a["id"]]}, "invalid", "item_id"),
            ({"item_id": a["id"], "force": True}, "invalid", "force"),
        ],
    )
    dc = await clients.client(m["delegates"][0])
    await assert_refused_unchanged(
        dc, sc, mid, "agenda:remove", [({"item_id": a["id"]}, "forbidden", None)]
    )
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider, sc, mid, "agenda:remove", [({"item_id": a["id"]}, "not_found", None)]
    )
    # The item under discussion cannot be removed.
    await (await clients.client(m["chair"])).ok("agenda:activate", {"item_id": a["id"]})
    await assert_refused_unchanged(
        sc, sc, mid, "agenda:remove", [({"item_id": a["id"]}, "conflict", None)]
    )
    await sc.ok("meeting:end", {"meeting_id": mid})
    await assert_refused_unchanged(
        sc, sc, mid, "agenda:remove", [({"item_id": b["id"]}, "conflict", None)]
    )


async def test_reorder(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    a, b, c = await add_items(sc, mid, "A", "B", "C")
    dc = await clients.client(m["delegates"][0])
    await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    out = await sc.ok(
        "agenda:reorder", {"meeting_id": mid, "item_ids": [c["id"], a["id"], b["id"]]}
    )
    assert titles(out["items"]) == ["C", "A", "B"] and [i["position"] for i in out["items"]] == [
        1,
        2,
        3,
    ]
    pushed = await dc.push("agenda:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["items"] == out["items"]
    assert (await get_state(dc, mid))["agenda"] == out["items"]


async def test_reorder_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    a, b = await add_items(sc, mid, "A", "B")
    other = await meeting_with(clients)
    [foreign] = await add_items(other["secretary_client"], other["meeting_id"], "Của cuộc họp khác")
    await assert_refused_unchanged(
        sc,
        sc,
        mid,
        "agenda:reorder",
        [
            *not_object_payloads(),
            ({"meeting_id": mid}, "invalid", "item_ids"),
            ({"meeting_id": mid, "item_ids": "1,2"}, "invalid", "item_ids"),
            ({"meeting_id": mid, "item_ids": [str(a["id"])]}, "invalid", "item_ids.0"),
            ({"meeting_id": mid, "item_ids": [b["id"]]}, "invalid", "item_ids"),  # one missing
            ({"meeting_id": mid, "item_ids": [b["id"], a["id"], a["id"]]}, "invalid", "item_ids"),
            ({"meeting_id": mid, "item_ids": [b["id"], foreign["id"]]}, "invalid", "item_ids"),
            ({"meeting_id": mid, "item_ids": [b["id"], a["id"]], "x": 1}, "invalid", "x"),
        ],
    )
    dc = await clients.client(m["delegates"][0])
    payload = {"meeting_id": mid, "item_ids": [b["id"], a["id"]]}
    await assert_refused_unchanged(dc, sc, mid, "agenda:reorder", [(payload, "forbidden", None)])
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider, sc, mid, "agenda:reorder", [(payload, "not_found", None)]
    )


async def test_activate_marks_the_item_under_discussion(clients: Live) -> None:
    m = await meeting_with(clients, start=True)
    mid, sc = m["meeting_id"], m["secretary_client"]
    a, b = await add_items(sc, mid, "A", "B")
    dc = await clients.client(m["delegates"][0])
    await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    cc = await clients.client(m["chair"])
    out = await cc.ok("agenda:activate", {"item_id": a["id"]})
    assert [(i["title"], i["status"], i["active"]) for i in out["items"]] == [
        ("A", "active", True),
        ("B", "pending", False),
    ]
    pushed = await dc.push("agenda:updated", lambda d: d["meeting_id"] == mid)
    assert pushed["items"] == out["items"]
    out = await cc.ok("agenda:activate", {"item_id": b["id"]})
    assert [(i["status"], i["active"]) for i in out["items"]] == [("done", False), ("active", True)]
    # Ending the meeting closes the active item.
    await sc.ok("meeting:end", {"meeting_id": mid})
    assert [i["status"] for i in (await get_state(dc, mid))["agenda"]] == ["done", "done"]


async def test_activate_invalid_and_refused(clients: Live) -> None:
    m = await meeting_with(clients)
    mid, sc = m["meeting_id"], m["secretary_client"]
    [a] = await add_items(sc, mid, "A")
    cc = await clients.client(m["chair"])
    # Not before the meeting has started.
    await assert_refused_unchanged(
        cc, sc, mid, "agenda:activate", [({"item_id": a["id"]}, "conflict", None)]
    )
    await sc.ok("meeting:start", {"meeting_id": mid})
    await assert_refused_unchanged(
        cc,
        sc,
        mid,
        "agenda:activate",
        [
            *not_object_payloads(),
            ({}, "invalid", "item_id"),
            ({"item_id": "1"}, "invalid", "item_id"),
            ({"item_id": a["id"], "meeting_id": mid}, "invalid", "meeting_id"),
            ({"item_id": 987654}, "not_found", None),
        ],
    )
    # Only the chair: a secretary and a delegate are refused.
    await assert_refused_unchanged(
        sc, sc, mid, "agenda:activate", [({"item_id": a["id"]}, "forbidden", None)]
    )
    dc = await clients.client(m["delegates"][0])
    await assert_refused_unchanged(
        dc, sc, mid, "agenda:activate", [({"item_id": a["id"]}, "forbidden", None)]
    )
    outsider = await clients.client(await clients.person())
    await assert_refused_unchanged(
        outsider, sc, mid, "agenda:activate", [({"item_id": a["id"]}, "not_found", None)]
    )


async def test_ending_the_meeting_pushes_the_closed_agenda(clients: Live) -> None:
    """meeting:end marks the active item done; joined clients must hear of it (agenda:updated
    with the end's seq), or their agenda stays 'active' until they reload."""
    m = await meeting_with(clients, start=True)
    mid, sc = m["meeting_id"], m["secretary_client"]
    [a] = await add_items(sc, mid, "A")
    await (await clients.client(m["chair"])).ok("agenda:activate", {"item_id": a["id"]})
    dc = await clients.client(m["delegates"][0])
    await dc.ok("meeting:join", {"meeting_id": mid})
    dc.mark()
    start = dc._cursor  # the two pushes of one change may come in either order
    await sc.ok("meeting:end", {"meeting_id": mid})
    ended = await dc.push("meeting:updated", lambda d: d["status"] == "ended")
    dc._cursor = start
    agenda = await dc.push("agenda:updated", lambda d: d["meeting_id"] == mid, timeout=3)
    assert [i["status"] for i in agenda["items"]] == ["done"] and agenda["seq"] == ended["seq"]
