"""Documents end to end against the real server: upload, per-viewer stamped download, Range,
audit, access matrix, versions, removal, bad input."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from docs.models import Document, DocumentAccess
from meeting.models import Audit, Role, Unit, UnitKind
from tests.docs.helpers import download, page_texts, upload, uploaded
from tests.docs.pdfs import (
    docx_bytes,
    encrypted_pdf,
    page_text,
    truncated_pdf,
    vietnamese_pdf,
    xref_stream_pdf,
)
from tests.live import Live, meeting_with, running
from tests.live import make_settings as make_settings


def store_files(live: Live) -> set[Path]:
    root = live.server.settings.data_dir / "documents"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def tmp_files(live: Live) -> list[Path]:
    tmp = live.server.settings.data_dir / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


async def test_every_page_stamped_with_viewer_and_text_intact(clients: Live) -> None:
    unit = await Unit.create(name="Sở Tài chính", kind=UnitKind.DEPARTMENT)
    m = await meeting_with(clients, delegates=1)
    viewer = await clients.person("daibieu", full_name="Nguyễn Thị Ánh Tuyết", unit_id=unit.id)
    await m["secretary_client"].ok(
        "participant:add",
        {"meeting_id": m["meeting_id"], "role": "delegate", "user_ids": [viewer.id]},
    )
    vc = await clients.client(viewer)
    await vc.ok("meeting:join", {"meeting_id": m["meeting_id"]})
    original = vietnamese_pdf(40, landscape_every=7, rotate_every=9)
    doc = await uploaded(
        clients, m["secretary"].token, m["meeting_id"], original, title="Tờ trình số 12"
    )
    assert doc["pages"] == 40 and doc["title"] == "Tờ trình số 12" and doc["size"] == len(original)
    pushed = await vc.push("document:added", lambda d: d["id"] == doc["id"])
    assert pushed["pages"] == 40 and pushed["meeting_id"] == m["meeting_id"] and "seq" in pushed

    r = await download(clients, viewer.token, doc["id"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["accept-ranges"] == "bytes"
    # (Contract changed by issue 11: the stamp is drawn into each page's content, no longer an
    # appended update.) The copy is one rewrite: no original bytes as its prefix, one xref; its
    # cost is the font and about a kilobyte per page.
    assert not r.content.startswith(original[:-200]) and r.content.count(b"startxref") == 1
    assert len(r.content) < len(original) + 80_000 + 40 * 1300
    texts = page_texts(r.content)
    assert len(texts) == 40
    now = clients.server.clock.now()
    for i, text in enumerate(texts, start=1):
        assert page_text(i) in text, f"page {i} lost its text: {text!r}"
        assert "Bản cấp cho: Nguyễn Thị Ánh Tuyết – Sở Tài chính – tải lúc" in text, (
            f"page {i}: {text!r}"
        )
        assert re.search(r"tải lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}", text)
    assert str(now.year) in texts[0]

    # Another viewer gets their own name, never the first one's.
    other = m["delegates"][0]
    r2 = await download(clients, other.token, doc["id"])
    texts2 = page_texts(r2.content)
    assert all(other.user.full_name in t and "Ánh Tuyết" not in t for t in texts2)


async def test_xref_stream_pdf_is_stamped(clients: Live) -> None:
    m = await meeting_with(clients)
    data = xref_stream_pdf(6)
    doc = await uploaded(clients, m["secretary"].token, m["meeting_id"], data)
    viewer = m["delegates"][0]
    r = await download(clients, viewer.token, doc["id"])
    texts = page_texts(r.content)
    assert len(texts) == 6
    for i, t in enumerate(texts, start=1):
        assert page_text(i) in t and viewer.user.full_name in t


async def test_same_file_is_stored_once(clients: Live) -> None:
    m = await meeting_with(clients)
    data = vietnamese_pdf(3, title="Báo cáo lưu một lần")
    a = await uploaded(clients, m["secretary"].token, m["meeting_id"], data, title="Bản A")
    before = store_files(clients)
    b = await uploaded(clients, m["secretary"].token, m["meeting_id"], data, title="Bản B")
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    assert store_files(clients) == before
    path = clients.server.settings.data_dir / "documents" / a["sha256"][:2] / f"{a['sha256']}.pdf"
    assert path.read_bytes() == data


@pytest.mark.parametrize(
    "make,status,code,detail",
    [
        (lambda: b"", 400, "invalid", "empty"),
        (docx_bytes, 415, "unsupported", "not_pdf"),
        (truncated_pdf, 400, "invalid", "damaged"),
        (encrypted_pdf, 400, "invalid", "encrypted"),
    ],
    ids=["zero-bytes", "renamed-docx", "truncated", "encrypted"],
)
async def test_bad_files_are_refused_and_nothing_stored(
    clients: Live, make, status, code, detail
) -> None:
    m = await meeting_with(clients)
    before = store_files(clients)
    r = await upload(clients, m["secretary"].token, m["meeting_id"], make(), filename="bao-cao.pdf")
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["details"]["file"] == detail
    assert len(err["message"]) > 20  # a sentence for a secretary, in Vietnamese
    assert store_files(clients) == before
    assert tmp_files(clients) == []
    assert not await Document.exists(meeting_id=m["meeting_id"])


async def test_docx_message_says_what_the_file_is(clients: Live) -> None:
    m = await meeting_with(clients)
    r = await upload(
        clients, m["secretary"].token, m["meeting_id"], docx_bytes(), filename="to-trinh.docx.pdf"
    )
    assert r.status_code == 415
    assert "Word" in r.json()["error"]["message"] and "PDF" in r.json()["error"]["message"]


async def test_client_file_name_never_becomes_a_path(clients: Live) -> None:
    m = await meeting_with(clients)
    data_dir = clients.server.settings.data_dir
    doc = await uploaded(
        clients, m["secretary"].token, m["meeting_id"], vietnamese_pdf(2), filename="../../x.pdf"
    )
    assert doc["filename"] == "x.pdf"
    assert not (data_dir.parent / "x.pdf").exists() and not (data_dir / "x.pdf").exists()
    assert not list(data_dir.parent.parent.glob("x.pdf"))
    doc2 = await uploaded(
        clients,
        m["secretary"].token,
        m["meeting_id"],
        vietnamese_pdf(2),
        filename="..\\..\\windows\\bao cáo.pdf",
    )
    assert doc2["filename"] == "bao cáo.pdf"
    r = await download(clients, m["delegates"][0].token, doc2["id"])
    assert "filename*=UTF-8''bao%20c%C3%A1o.pdf" in r.headers["content-disposition"]
    stored = {p.name for p in store_files(clients)}
    assert f"{doc['sha256']}.pdf" in stored and "x.pdf" not in stored


async def test_over_the_limit_is_413_and_nothing_stored() -> None:
    async with running(make_settings(max_upload_mb=1)) as live:
        m = await meeting_with(live)
        big = vietnamese_pdf(2, image_kb=1400)
        assert len(big) > 1024 * 1024
        before = store_files(live)
        r = await upload(live, m["secretary"].token, m["meeting_id"], big)
        assert r.status_code == 413, r.text
        assert r.json()["error"]["code"] == "too_large"
        assert "1 MB" in r.json()["error"]["message"]

        # Without a Content-Length (chunked), the server stops reading once past the limit.
        async def chunks():
            boundary = "XyZ"
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            for i in range(0, len(big), 65536):
                yield big[i : i + 65536]
            yield f"\r\n--{boundary}--\r\n".encode()

        async with live.http(m["secretary"].token) as http:
            r2 = await http.post(
                f"/api/meetings/{m['meeting_id']}/documents",
                content=chunks(),
                headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
            )
        assert r2.status_code == 413
        assert store_files(live) == before and tmp_files(live) == []
        assert (
            await m["secretary_client"].ok("document:list", {"meeting_id": m["meeting_id"]}) == []
        )
        async with live.http(m["secretary"].token) as http:
            assert (await http.get("/api/documents/limits")).json() == {"max_upload_mb": 1}


async def test_upload_field_errors(clients: Live) -> None:
    m = await meeting_with(clients)
    other = await meeting_with(clients)
    item = await m["secretary_client"].ok(
        "agenda:add", {"meeting_id": m["meeting_id"], "title": "Mục 1"}
    )
    foreign = await other["secretary_client"].ok(
        "agenda:add", {"meeting_id": other["meeting_id"], "title": "Khác"}
    )
    tok = m["secretary"].token
    r = await upload(clients, tok, m["meeting_id"], vietnamese_pdf(1), agenda_item_id=foreign["id"])
    assert r.status_code == 400 and "agenda_item_id" in r.json()["error"]["details"]
    r = await upload(clients, tok, m["meeting_id"], vietnamese_pdf(1), agenda_item_id="abc")
    assert r.status_code == 400
    async with clients.http(tok) as http:
        r = await http.post(f"/api/meetings/{m['meeting_id']}/documents", data={"title": "x"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    async with clients.http(tok) as http:
        r = await http.post(f"/api/meetings/{m['meeting_id']}/documents", json={"title": "x"})
    assert r.status_code == 400
    doc = await uploaded(
        clients, tok, m["meeting_id"], vietnamese_pdf(1), agenda_item_id=item["id"]
    )
    assert doc["agenda_item_id"] == item["id"] and doc["title"] == "to-trinh"


async def test_access_matrix(clients: Live) -> None:
    m = await meeting_with(clients, delegates=1, points=1)
    mid = m["meeting_id"]
    observer = await clients.person("quansat")
    await m["secretary_client"].ok(
        "participant:add", {"meeting_id": mid, "role": "observer", "user_ids": [observer.id]}
    )
    outsider = await clients.person("nguoingoai")
    admin = await clients.person("quantri", admin=True)
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(2))
    people = {
        Role.CHAIR: m["chair"],
        Role.SECRETARY: m["secretary"],
        Role.DELEGATE: m["delegates"][0],
        Role.OBSERVER: observer,
        Role.POINT: m["points"][0],
    }
    # Download: every participant, stamped with their own name; nobody else sees it exists.
    for role, who in people.items():
        r = await download(clients, who.token, doc["id"])
        assert r.status_code == 200, (role, r.text)
        assert who.user.full_name in page_texts(r.content)[1], role
    for who in (outsider, admin):
        r = await download(clients, who.token, doc["id"])
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert (await download(clients, None, doc["id"])).status_code == 401
    assert (await download(clients, m["chair"].token, 999_999)).status_code == 404

    # Upload: staff only; participants 403, others 404.
    for role, who in people.items():
        r = await upload(clients, who.token, mid, vietnamese_pdf(1))
        expected = 201 if role in (Role.CHAIR, Role.SECRETARY) else 403
        assert r.status_code == expected, (role, r.text)
    assert (await upload(clients, outsider.token, mid, vietnamese_pdf(1))).status_code == 404
    assert (await upload(clients, admin.token, mid, vietnamese_pdf(1))).status_code == 404

    # document:list: participants; remove and access: staff.
    oc = await clients.client(outsider)
    await oc.error("document:list", {"meeting_id": mid}, "not_found")
    await oc.error("document:access", {"document_id": doc["id"]}, "not_found")
    for role, who in people.items():
        c = await clients.client(who)
        docs = await c.ok("document:list", {"meeting_id": mid})
        assert doc["id"] in [d["id"] for d in docs]
        if role not in (Role.CHAIR, Role.SECRETARY):
            await c.error("document:remove", {"document_id": doc["id"]}, "forbidden")
            await c.error("document:access", {"document_id": doc["id"]}, "forbidden")
    await oc.error("document:remove", {"document_id": doc["id"]}, "not_found")


async def test_draft_meeting_documents_only_for_staff(clients: Live) -> None:
    m = await meeting_with(clients, publish=False)
    doc = await uploaded(clients, m["secretary"].token, m["meeting_id"], vietnamese_pdf(1))
    assert (await download(clients, m["delegates"][0].token, doc["id"])).status_code == 404
    assert (await download(clients, m["chair"].token, doc["id"])).status_code == 200


async def test_range_requests(clients: Live) -> None:
    m = await meeting_with(clients)
    doc = await uploaded(clients, m["secretary"].token, m["meeting_id"], vietnamese_pdf(12))
    tok = m["delegates"][0].token
    full = (await download(clients, tok, doc["id"])).content
    total = len(full)
    r = await download(clients, tok, doc["id"], Range="bytes=0-99")
    assert r.status_code == 206 and r.headers["content-range"] == f"bytes 0-99/{total}"
    assert r.content == full[:100] and r.headers["content-length"] == "100"
    r = await download(clients, tok, doc["id"], Range="bytes=-300")
    assert r.status_code == 206 and r.content == full[-300:]
    assert r.headers["content-range"] == f"bytes {total - 300}-{total - 1}/{total}"
    # A range that straddles the original file and the stamp.
    r = await download(
        clients, tok, doc["id"], Range=f"bytes={doc['size'] - 50}-{doc['size'] + 49}"
    )
    assert r.status_code == 206 and len(r.content) == 100
    assert r.content[:50] == full[doc["size"] - 50 : doc["size"]]
    # Pieces fetched separately make a complete, valid, stamped PDF (what pdf.js does).
    pieces = []
    step = total // 5 + 1
    for start in range(0, total, step):
        part = await download(
            clients, tok, doc["id"], Range=f"bytes={start}-{min(start + step, total) - 1}"
        )
        assert part.status_code == 206
        pieces.append(part.content)
    joined = b"".join(pieces)
    assert len(joined) == total
    assert all(m["delegates"][0].user.full_name in t for t in page_texts(joined))
    r = await download(clients, tok, doc["id"], Range=f"bytes={total}-")
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{total}"
    r = await download(clients, tok, doc["id"], Range="bytes=0-1,5-9")
    assert r.status_code == 200 and len(r.content) == total
    async with clients.http(tok) as http:
        h = await http.head(f"/api/documents/{doc['id']}/file")
    assert h.status_code == 200 and h.headers["content-length"] == str(total)


async def test_downloads_are_audited_and_staff_see_who_opened(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2)
    mid = m["meeting_id"]
    sc = m["secretary_client"]
    await sc.ok("meeting:join", {"meeting_id": mid})
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(3))
    d1, d2 = m["delegates"]
    d1c = await clients.client(d1)
    await d1c.ok("meeting:join", {"meeting_id": mid})
    await download(clients, d1.token, doc["id"])
    opened = await sc.push("document:opened", lambda d: d["document_id"] == doc["id"])
    assert (
        opened["user_id"] == d1.id
        and opened["full_name"] == d1.user.full_name
        and opened["meeting_id"] == mid
    )
    await download(clients, d1.token, doc["id"], Range="bytes=100-199")
    await download(clients, d1.token, doc["id"])
    assert not [p for p in d1c.seen("document:opened")], "document:opened is for staff only"

    rows = (
        await DocumentAccess.filter(document_id=doc["id"])
        .order_by("id")
        .values("user_id", "range", "opened")
    )
    assert rows == [
        {"user_id": d1.id, "range": None, "opened": True},
        {"user_id": d1.id, "range": "bytes=100-199", "opened": False},
        {"user_id": d1.id, "range": None, "opened": True},
    ]
    audits = await Audit.filter(action="document:download", target=f"document:{doc['id']}").values(
        "actor_id", "detail"
    )
    assert len(audits) == 3 and all(a["actor_id"] == d1.id for a in audits)
    assert audits[0]["detail"]["meeting_id"] == mid

    seen = await sc.ok("document:access", {"document_id": doc["id"]})
    assert [v["user_id"] for v in seen["viewers"]] == [d1.id]
    v = seen["viewers"][0]
    assert (
        v["opens"] == 2
        and v["requests"] == 3
        and v["full_name"] == d1.user.full_name
        and v["role"] == "delegate"
    )
    assert v["first_at"] <= v["last_at"]
    assert d2.id in [p["user_id"] for p in seen["not_opened"]]
    assert d1.id not in [p["user_id"] for p in seen["not_opened"]]


async def test_new_version_replaces_for_readers(clients: Live) -> None:
    m = await meeting_with(clients, start=True)
    mid = m["meeting_id"]
    d = m["delegates"][0]
    dc = await clients.client(d)
    await dc.ok("meeting:join", {"meeting_id": mid})
    v1 = await uploaded(
        clients, m["secretary"].token, mid, vietnamese_pdf(5, title="Bản dự thảo"), title="Tờ trình"
    )
    cc = await clients.client(m["chair"])
    await cc.ok("document:present", {"meeting_id": mid, "document_id": v1["id"], "page": 5})
    dc.mark()
    v2 = await uploaded(
        clients,
        m["secretary"].token,
        mid,
        vietnamese_pdf(3, title="Bản chính thức"),
        title="Tờ trình (sửa)",
        replaces=v1["id"],
    )
    assert v2["version"] == 2 and v2["replaces"] == v1["id"]
    removed = await dc.push("document:removed")
    assert removed == {**removed, "document_id": v1["id"], "replaced_by": v2["id"]}
    added = await dc.push("document:added")
    assert added["id"] == v2["id"]
    presented = await dc.push("document:presented")
    assert presented["document_id"] == v2["id"] and presented["page"] == 3
    note = await dc.push("notification", lambda n: n["kind"] == "document")
    assert "phiên bản mới" in note["text"]
    docs = await dc.ok("document:list", {"meeting_id": mid})
    assert [x["id"] for x in docs] == [v2["id"]]
    # The old version stays on record, and can still be read.
    r = await download(clients, d.token, v1["id"])
    assert r.status_code == 200 and "Bản dự thảo" in page_texts(r.content)[0]
    r = await upload(clients, m["secretary"].token, mid, vietnamese_pdf(1), replaces=v1["id"])
    assert r.status_code == 409


async def test_remove(clients: Live) -> None:
    m = await meeting_with(clients)
    mid = m["meeting_id"]
    d = m["delegates"][0]
    dc = await clients.client(d)
    await dc.ok("meeting:join", {"meeting_id": mid})
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(1))
    await m["secretary_client"].ok("document:remove", {"document_id": doc["id"]})
    gone = await dc.push("document:removed", lambda x: x["document_id"] == doc["id"])
    assert gone["meeting_id"] == mid
    assert (await download(clients, d.token, doc["id"])).status_code == 404
    assert (await download(clients, m["chair"].token, doc["id"])).status_code == 404
    assert doc["id"] not in [x["id"] for x in await dc.ok("document:list", {"meeting_id": mid})]
    await m["secretary_client"].error("document:remove", {"document_id": doc["id"]}, "not_found")
    assert await Document.exists(id=doc["id"])  # kept on record


async def test_snapshot_carries_documents_and_presented(clients: Live) -> None:
    m = await meeting_with(clients, start=True)
    mid = m["meeting_id"]
    doc = await uploaded(clients, m["secretary"].token, mid, vietnamese_pdf(4))
    dc = await clients.client(m["delegates"][0])
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    assert [x["id"] for x in snap["documents"]] == [doc["id"]] and snap["presented"] is None
    cc = await clients.client(m["chair"])
    await cc.ok("document:present", {"meeting_id": mid, "document_id": doc["id"], "page": 2})
    snap = await dc.ok("meeting:join", {"meeting_id": mid})
    assert snap["presented"]["document_id"] == doc["id"] and snap["presented"]["page"] == 2
    assert snap["presented"]["by"] == m["chair"].id


async def test_pdf_served_for_a_signed_document_is_as_stored(clients: Live) -> None:
    from docs.store import add_generated
    from meeting.models import STAFF, User

    m = await meeting_with(clients)
    mid = m["meeting_id"]
    dc = await clients.client(m["delegates"][0])
    await dc.ok("meeting:join", {"meeting_id": mid})
    user = await User.get(id=m["secretary"].id)
    ctx = await clients.server.hub.http_context(user, mid, STAFF, "test")
    pdf = vietnamese_pdf(2, title="Thông báo kết luận")
    doc = await ctx.server.hub.commit(
        ctx,
        lambda: add_generated(ctx, title="Thông báo kết luận", pdf=pdf, kind="notice", signed=True),
    )
    assert doc.pages == 2 and doc.signed and doc.kind == "notice"
    pushed = await dc.push("document:added", lambda x: x["id"] == doc.id)
    assert pushed["signed"] is True and pushed["filename"] == "thong-bao-ket-luan.pdf"
    r = await download(clients, m["delegates"][0].token, doc.id)
    assert r.content == pdf
    # Generating the same kind again makes a new version of it.
    ctx = await clients.server.hub.http_context(user, mid, STAFF, "test")
    doc2 = await ctx.server.hub.commit(
        ctx,
        lambda: add_generated(
            ctx, title="Thông báo kết luận", pdf=vietnamese_pdf(1), kind="notice"
        ),
    )
    assert doc2.version == 2 and doc2.previous_id == doc.id  # type: ignore[attr-defined]
    r = await download(clients, m["delegates"][0].token, doc2.id)
    assert m["delegates"][0].user.full_name in page_texts(r.content)[0]


def test_stamp_keeps_reader_quiet() -> None:
    """The stamped file reads cleanly in strict mode (no repaired xref)."""
    import tempfile

    from docs.stamp import stamp_bytes

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "a.pdf"
        p.write_bytes(vietnamese_pdf(3))
        out = stamp_bytes(p, "Bản cấp cho: Đặng Thị Hồng – tải lúc 08:00 ngày 01/01/2025")
    r = PdfReader(io.BytesIO(out), strict=True)
    assert all("Đặng Thị Hồng" in pg.extract_text() for pg in r.pages)
