"""Conclusions: drafts saved by secretaries, the published notice (its text and its signature,
validated offline with pyHanko against a throwaway certificate), and the minutes."""

from __future__ import annotations

import io
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pypdf
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests import live as harness
from tests.conclusions.certs import make_p12
from tests.floor.common import table
from tests.live import Live, meeting_with, running

P12_PASSWORD = "mat-khau-ky-so"
SIGNER = "Nguyễn Văn Ký Số"


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
async def signing() -> AsyncIterator[tuple[Live, Path]]:
    """A server of its own, configured with a throwaway signing certificate."""
    data_dir = Path(tempfile.mkdtemp(prefix="hop-sign-"))
    p12 = make_p12(data_dir / "signer.p12", P12_PASSWORD, SIGNER)
    settings = harness.make_settings(
        data_dir, signing_p12=str(p12), signing_p12_password=P12_PASSWORD
    )
    async with running(settings) as live:
        yield live, p12


async def test_drafts_saved_by_secretaries(clients: Live) -> None:
    t = await table(clients)
    mid = t.meeting_id
    t.chair_c.mark()
    t.del_c[0].mark()
    c = await t.sec_c.ok(
        "conclusion:save", {"meeting_id": mid, "agenda_item_id": t.item_id, "text": "Thống nhất"}
    )
    got = await t.chair_c.push("conclusion:updated", lambda d: d["id"] == c["id"])
    assert got["text"] == "Thống nhất" and got["published_at"] is None
    again = await t.sec_c.ok(
        "conclusion:save",
        {"meeting_id": mid, "agenda_item_id": t.item_id, "text": "Thống nhất thông qua"},
    )
    assert again["id"] == c["id"]  # one per item
    overall = await t.sec_c.ok("conclusion:save", {"meeting_id": mid, "text": "Kết luận chung"})
    assert overall["agenda_item_id"] is None and overall["id"] != c["id"]
    assert t.del_c[0].seen("conclusion:updated") == []  # drafts are for staff

    snap = await t.chair_c.ok("meeting:get", {"meeting_id": mid})
    assert [x["text"] for x in snap["conclusions"]] == ["Thống nhất thông qua", "Kết luận chung"]
    snap = await t.del_c[0].ok("meeting:get", {"meeting_id": mid})
    assert snap["conclusions"] == []

    for client in (t.chair_c, t.del_c[0], t.point_c, t.obs_c):
        await client.error("conclusion:save", {"meeting_id": mid, "text": "x"}, "forbidden")
    await t.outsider_c.error("conclusion:save", {"meeting_id": mid, "text": "x"}, "not_found")
    await t.sec_c.error(
        "conclusion:save", {"meeting_id": mid, "text": "x", "agenda_item_id": 10**9}, "invalid"
    )
    await t.sec_c.error("conclusion:save", {"meeting_id": mid, "text": 5}, "invalid")
    await t.sec_c.error("conclusion:save", {"meeting_id": mid}, "invalid")
    for client in (t.del_c[0], t.point_c, t.obs_c):
        await client.error("conclusion:publish", {"meeting_id": mid}, "forbidden")


async def test_publish_without_text_is_a_conflict(clients: Live) -> None:
    t = await table(clients)
    await t.chair_c.error("conclusion:publish", {"meeting_id": t.meeting_id}, "conflict")
    await t.sec_c.ok("conclusion:save", {"meeting_id": t.meeting_id, "text": "   "})
    await t.sec_c.error("conclusion:publish", {"meeting_id": t.meeting_id}, "conflict")


async def test_signed_notice(signing: tuple[Live, Path]) -> None:
    live, p12 = signing
    t = await table(live, items=2)
    mid = t.meeting_id
    item_text = (
        "Thống nhất thông qua báo cáo kinh tế - xã hội quý I; giao Sở Tài chính rà soát số liệu."
    )
    overall_text = "Các sở, ngành khẩn trương triển khai, báo cáo kết quả trước ngày 30 tháng 6."
    await t.sec_c.ok(
        "conclusion:save", {"meeting_id": mid, "agenda_item_id": t.item_id, "text": item_text}
    )
    await t.sec_c.ok("conclusion:save", {"meeting_id": mid, "text": overall_text})
    t.del_c[0].mark()
    published = await t.chair_c.ok("conclusion:publish", {"meeting_id": mid})
    assert published["signed"] is True and published["document_id"]
    doc_id = published["document_id"]
    pushed = await t.del_c[0].push("conclusion:published")
    assert pushed["document_id"] == doc_id and pushed["published_at"] == published["published_at"]
    note = await t.del_c[0].push("notification", lambda n: n["kind"] == "conclusion")
    assert "Thông báo kết luận" in note["text"] and note["meeting_id"] == mid
    for client in (t.point_c, t.obs_c, t.del_c[1], t.sec_c):
        await client.push("notification", lambda n: n["kind"] == "conclusion")
    snap = await t.del_c[0].ok("meeting:get", {"meeting_id": mid})
    assert {c["text"] for c in snap["conclusions"]} == {item_text, overall_text}
    assert any(d["id"] == doc_id for d in snap["documents"])

    async with live.http(t.delegates[0].token) as http:
        r = await http.get(f"/api/documents/{doc_id}/file")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
        pdf = r.content
        report = (await http.get(f"/api/documents/{doc_id}/signature")).json()
    text = pdf_text(pdf)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN TỈNH",
        "THÔNG BÁO",
        "Kết luận tại cuộc họp thường kỳ",  # "Họp thường kỳ", not doubled (issue 12)
        published["number"],
        "Nội dung 1: báo cáo kinh tế - xã hội",
        item_text,
        overall_text,
        "Kết luận chung",
        "CHỦ TRÌ CUỘC HỌP",
        t.chair.user.full_name,
        "Nơi nhận:",
    ):
        assert expected in text, expected
    assert published["number"].startswith("Số: ") and "/TB-UBND" in published["number"]

    # The signature, validated offline with pyHanko against the throwaway certificate.
    _, cert, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), P12_PASSWORD.encode())
    root = load_cert(cert.public_bytes(Encoding.DER))
    (sig,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = await async_validate_pdf_signature(
        sig, ValidationContext(trust_roots=[root], allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == SIGNER
    assert status.coverage.name == "ENTIRE_FILE"

    assert report["signed"] is True and report["intact"] is True and report["trusted"] is True
    assert report["signer"] == SIGNER and report["signing_time"]

    # A changed byte breaks it.
    bad = bytearray(pdf)
    at = bad.find(b"/Creator")
    bad[at + 12] ^= 1
    (sig,) = PdfFileReader(io.BytesIO(bytes(bad))).embedded_signatures
    status = await async_validate_pdf_signature(
        sig, ValidationContext(trust_roots=[root], allow_fetching=False)
    )
    assert not status.intact

    async with live.http(t.outsider_c.token) as http:
        assert (await http.get(f"/api/documents/{doc_id}/signature")).status_code == 404
    async with live.http() as http:
        assert (await http.get(f"/api/documents/{doc_id}/signature")).status_code == 401


def load_cert(der: bytes):
    path = Path(tempfile.mkdtemp()) / "cert.der"
    path.write_bytes(der)
    return load_cert_from_pemder(str(path))


async def test_minutes(clients: Live) -> None:
    m = await meeting_with(clients, delegates=2, points=1, location="Phòng họp tầng 3")
    mid = m["meeting_id"]
    sec_c = m["secretary_client"]
    absent, sender = m["delegates"]
    deputy = await clients.person("phodoi", full_name="Phạm Thị Dự Thay")
    sender_c = await clients.client(sender)
    await sender_c.ok(
        "invitation:respond",
        {"meeting_id": mid, "response": "delegated", "substitute_id": deputy.id},
    )
    item = await sec_c.ok("agenda:add", {"meeting_id": mid, "title": "Dự toán ngân sách năm sau"})
    await sec_c.ok("meeting:start", {"meeting_id": mid})
    chair_c = await clients.client(m["chair"])
    await chair_c.ok("meeting:join", {"meeting_id": mid})
    await chair_c.ok("agenda:activate", {"item_id": item["id"]})
    deputy_c = await clients.client(deputy)
    point_c = await clients.client(m["points"][0])
    await deputy_c.ok("meeting:join", {"meeting_id": mid})
    await point_c.ok("meeting:join", {"meeting_id": mid})
    # The member who sent a deputy neither speaks nor votes; the deputy does.
    await sender_c.error("floor:request", {"meeting_id": mid}, "forbidden")
    r = await deputy_c.ok("floor:request", {"meeting_id": mid, "topic": "Chi đầu tư công"})
    await chair_c.ok("floor:grant", {"request_id": r["request_id"], "time_limit_s": 300})
    await chair_c.ok("floor:end", {"meeting_id": mid})
    poll = await sec_c.ok("poll:create", {"meeting_id": mid, "question": "Thông qua dự toán?"})
    await chair_c.ok("poll:open", {"poll_id": poll["poll_id"]})
    await sender_c.error("poll:vote", {"poll_id": poll["poll_id"], "option": 1}, "forbidden")
    await deputy_c.ok("poll:vote", {"poll_id": poll["poll_id"], "option": 0})
    await point_c.ok("poll:vote", {"poll_id": poll["poll_id"], "option": 0})
    await chair_c.ok("poll:close", {"poll_id": poll["poll_id"]})
    await sec_c.ok(
        "conclusion:save",
        {"meeting_id": mid, "agenda_item_id": item["id"], "text": "Thông qua dự toán"},
    )

    async with clients.http(m["secretary"].token) as http:
        r = await http.get(f"/api/meetings/{mid}/minutes.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content)
    for expected in (
        "BIÊN BẢN CUỘC HỌP",
        "Họp thường kỳ",
        "Phòng họp tầng 3",
        "THÀNH PHẦN THAM DỰ",
        m["chair"].user.full_name,
        f"Vắng mặt — cử {deputy.user.full_name} dự thay",
        f"Có mặt (dự thay {sender.user.full_name})",
        absent.user.full_name,
        "Dự toán ngân sách năm sau",
        f"{deputy.user.full_name} — Dự toán ngân sách năm sau: Chi đầu tư công. Bắt đầu",
        "thời lượng",
        "Thông qua dự toán?",
        "Tán thành: 2; Không tán thành: 0; Không biểu quyết: 0",
        "Dự toán ngân sách năm sau (dự thảo) Thông qua dự toán",
    ):
        assert expected in text, expected
    assert f"{absent.user.full_name} Đại biểu Vắng mặt" in text
    # Others see no draft; outsiders and strangers see nothing.
    async with clients.http(deputy.token) as http:
        r = await http.get(f"/api/meetings/{mid}/minutes.pdf")
    assert r.status_code == 200 and "dự thảo" not in pdf_text(r.content)
    outsider = await clients.person("ngoai")
    async with clients.http(outsider.token) as http:
        assert (await http.get(f"/api/meetings/{mid}/minutes.pdf")).status_code == 404
    async with clients.http() as http:
        assert (await http.get(f"/api/meetings/{mid}/minutes.pdf")).status_code == 401
