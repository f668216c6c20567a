"""Presenting a page to everyone, and private notes."""

from __future__ import annotations

from meeting.floor.models import SpeakingRequest
from tests.docs.helpers import uploaded
from tests.docs.pdfs import vietnamese_pdf
from tests.live import Live, meeting_with


async def test_chair_presents_and_everyone_follows(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=2, points=1)
    mid = m["meeting_id"]
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(5))
    followers = [await clients.client(p) for p in (*m["delegates"], *m["points"])]
    for c in followers:
        await c.ok("meeting:join", {"meeting_id": mid})
    cc = await clients.client(m["chair"])
    await cc.ok("meeting:join", {"meeting_id": mid})
    ack = await cc.ok("document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 3})
    assert ack["page"] == 3 and ack["document_id"] == doc["id"] and ack["by"] == m["chair"].id
    for c in (*followers, cc):
        p = await c.push("document:presented")
        assert p["document_id"] == doc["id"] and p["page"] == 3 and p["by"] == m["chair"].id
        assert p["meeting_id"] == mid and isinstance(p["seq"], int)
    # Stop presenting.
    await cc.ok("document:present", {"meeting_id": mid, "document_id": None})
    p = await followers[0].push("document:presented")
    assert p["document_id"] is None and p["page"] is None
    snap = await followers[0].ok("meeting:join", {"meeting_id": mid})
    assert snap["presented"] is None


async def test_present_checks(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=1)
    mid = m["meeting_id"]
    other = await meeting_with(clients, start=True)
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(4))
    foreign = await uploaded(
        clients, other["secretary"].token, other["meeting_id"], vietnamese_pdf(4)
    )
    cc = await clients.client(m["chair"])
    for page in (0, 5, -1):
        err = await cc.error(
            "document:present",
            {"meeting_id": mid, "document_id": doc["id"], "page": page},
            "invalid",
        )
        assert "page" in err["details"]
    await cc.error(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": "3"}, "invalid"
    )
    await cc.error(
        "document:present",
        {"meeting_id": mid, "document_id": foreign["id"], "page": 1},
        "not_found",
    )
    await cc.error(
        "document:present", {"meeting_id": mid, "document_id": 999_999, "page": 1}, "not_found"
    )
    # Neither a delegate without the floor nor a secretary may present.
    dc = await clients.client(m["delegates"][0])
    await dc.error(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 1}, "forbidden"
    )
    await m["secretary_client"].error(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 1}, "forbidden"
    )
    outsider = await clients.client(await clients.person("ngoai"))
    await outsider.error(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 1}, "not_found"
    )
    # Not before the meeting has started.
    later = await meeting_with(clients)
    ldoc = await uploaded(clients, later["secretary"].token, later["meeting_id"], vietnamese_pdf(2))
    lc = await clients.client(later["chair"])
    await lc.error(
        "document:present",
        {"meeting_id": later["meeting_id"], "document_id": ldoc["id"], "page": 1},
        "conflict",
    )


async def test_current_speaker_may_present(clients: Live) -> None:
    m = await meeting_with(clients, start=True, delegates=2)
    mid = m["meeting_id"]
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(4))
    speaker, listener = m["delegates"]
    now = clients.server.clock.now()
    req = await SpeakingRequest.create(
        meeting_id=mid, user_id=speaker.id, requested_at=now, started_at=now
    )
    sc = await clients.client(speaker)
    lc = await clients.client(listener)
    await lc.ok("meeting:join", {"meeting_id": mid})
    await sc.ok("document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 4})
    p = await lc.push("document:presented")
    assert p["page"] == 4 and p["by"] == speaker.id
    await lc.error(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 1}, "forbidden"
    )
    req.ended_at = clients.server.clock.now()
    await req.save()
    await sc.error(
        "document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 1}, "forbidden"
    )


async def test_removed_document_stops_being_presented(clients: Live) -> None:
    m = await meeting_with(clients, start=True)
    mid = m["meeting_id"]
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(2))
    cc = await clients.client(m["chair"])
    await cc.ok("meeting:join", {"meeting_id": mid})
    await cc.ok("document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 2})
    await m["secretary_client"].ok("document:remove", {"document_id": doc["id"]})
    await cc.push("document:removed", lambda d: d["document_id"] == doc["id"])
    p = await cc.push("document:presented", lambda d: d["document_id"] is None)
    assert p["page"] is None
    assert (await cc.ok("meeting:join", {"meeting_id": mid}))["presented"] is None


async def test_notes_are_private(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2)
    mid = m["meeting_id"]
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(3))
    a, b = m["delegates"]
    ac, bc = await clients.client(a), await clients.client(b)
    saved = await ac.ok(
        "note:save", {"document_id": doc["id"], "page": 2, "text": "Cần hỏi lại số liệu trang 2"}
    )
    assert (
        saved["page"] == 2
        and saved["text"] == "Cần hỏi lại số liệu trang 2"
        and not saved["deleted"]
    )
    await ac.ok("note:save", {"document_id": doc["id"], "page": 1, "text": "Ý kiến: đồng ý"})
    again = await ac.ok(
        "note:save", {"document_id": doc["id"], "page": 2, "text": "Đã sửa ghi chú"}
    )
    assert again["id"] == saved["id"]
    mine = await ac.ok("note:list", {"document_id": doc["id"]})
    assert [(n["page"], n["text"]) for n in mine] == [(1, "Ý kiến: đồng ý"), (2, "Đã sửa ghi chú")]
    assert await bc.ok("note:list", {"document_id": doc["id"]}) == []
    # Nobody else receives a push about it; the author's own sockets do.
    assert not bc.seen("note:saved")
    assert ac.seen("note:saved")
    # Staff do not see delegates' notes either.
    assert await m["secretary_client"].ok("note:list", {"document_id": doc["id"]}) == []
    # Empty text deletes.
    gone = await ac.ok("note:save", {"document_id": doc["id"], "page": 1, "text": "  "})
    assert gone["deleted"] is True
    assert [n["page"] for n in await ac.ok("note:list", {"document_id": doc["id"]})] == [2]
    # Bad input.
    await ac.error("note:save", {"document_id": doc["id"], "page": 4, "text": "x"}, "invalid")
    await ac.error("note:save", {"document_id": doc["id"], "page": 0, "text": "x"}, "invalid")
    await ac.error("note:save", {"document_id": doc["id"], "page": 1}, "invalid")
    await ac.error(
        "note:save", {"document_id": doc["id"], "page": 1, "text": "x" * 20001}, "invalid"
    )
    outsider = await clients.client(await clients.person("ngoai"))
    await outsider.error(
        "note:save", {"document_id": doc["id"], "page": 1, "text": "x"}, "not_found"
    )
    await outsider.error("note:list", {"document_id": doc["id"]}, "not_found")
    await ac.error("note:list", {"document_id": 999_999}, "not_found")


async def test_demo_step_adds_documents_under_agenda_items(clients: Live) -> None:
    from docs.feature import demo_documents
    from meeting.models import Meeting, User

    assert demo_documents in clients.server.composition.demo
    m = await meeting_with(clients)
    mid = m["meeting_id"]
    for title in ("Báo cáo", "Tờ trình"):
        await m["secretary_client"].ok("agenda:add", {"meeting_id": mid, "title": title})
    meeting = await Meeting.get(id=mid)
    await demo_documents(
        clients.server.identity, meeting, {"thuky1": await User.get(id=m["secretary"].id)}
    )
    docs = await m["secretary_client"].ok("document:list", {"meeting_id": mid})
    assert [d["pages"] for d in docs] == [3, 2]
    assert all(d["agenda_item_id"] for d in docs)
