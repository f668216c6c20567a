"""Upload / download helpers for the document tests."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfReader

from tests.live import Live


async def upload(
    live: Live,
    token: str,
    meeting_id: int,
    data: bytes,
    filename: str = "to-trinh.pdf",
    **fields: Any,
) -> httpx.Response:
    async with live.http(token) as http:
        return await http.post(
            f"/api/meetings/{meeting_id}/documents",
            files={"file": (filename, data, "application/pdf")},
            data={k: str(v) for k, v in fields.items()},
        )


async def uploaded(
    live: Live, token: str, meeting_id: int, data: bytes, **kw: Any
) -> dict[str, Any]:
    r = await upload(live, token, meeting_id, data, **kw)
    assert r.status_code == 201, r.text
    return r.json()


async def download(
    live: Live, token: str | None, document_id: int, **headers: str
) -> httpx.Response:
    async with live.http(token) as http:
        return await http.get(f"/api/documents/{document_id}/file", headers=headers)


def page_texts(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
