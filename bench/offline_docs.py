"""A document put on a device through a weak link, then opened offline (issue 13): the bytes on
the wire and the time for the client's background fetch (offline/documents.js: one document, in
256 KiB Range chunks) to keep a 30-page, 5 MB PDF through 300 kbit/s, and the time to open it
with the network cut and draw its first page from the device.

    .venv/bin/python bench/offline_docs.py            # 30 pages, ~5 MB, 300 kbit/s
    .venv/bin/python bench/offline_docs.py --small    # 3 pages, ~0.2 MB (CI)

The real server (uvicorn, SQLite in a temporary directory) and the real client in headless
Chromium; the link is Chromium's own throttle (CDP Network.emulateNetworkConditions: 300 kbit/s
down and up, 100 ms latency), set once the app is open, so only the document crosses it. Bytes
are what Chromium counted on the wire for the document's requests (headers included).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KBIT = 300
INKED = """() => { const c = document.querySelector('.docs-canvas');
  if (!c || !c.width) return false;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let dark = 0; for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
  return dark > 500; }"""


async def main(small: bool) -> None:
    from playwright.async_api import async_playwright, expect

    from tests.browser import CHROMIUM, FLAGS
    from tests.docs.helpers import uploaded
    from tests.docs.pdfs import vietnamese_pdf
    from tests.e2e.conftest import PASSWORD
    from tests.live import make_settings, meeting_with, running

    pages, image_kb = (3, 60) if small else (30, 165)
    pdf = vietnamese_pdf(pages, image_kb=image_kb)
    with tempfile.TemporaryDirectory() as tmp:
        async with (
            running(make_settings(Path(tmp), max_upload_mb=100)) as live,
            async_playwright() as pw,
        ):
            m = await meeting_with(live, title="Họp đo tải ngoại tuyến", delegates=1)
            mid = m["meeting_id"]
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            ctx = await browser.new_context(viewport={"width": 1180, "height": 820}, locale="vi-VN")
            page = await ctx.new_page()
            await page.goto(f"{live.url}/login")
            await page.get_by_label("Tên đăng nhập").fill(m["delegates"][0].user.username)
            await page.get_by_label("Mật khẩu").fill(PASSWORD)
            await page.get_by_role("button", name="Đăng nhập").click()
            await expect(page).to_have_url(f"{live.url}/")
            await page.goto(f"{live.url}/#/meetings/{mid}")
            await page.get_by_role("tab", name="Tài liệu").click()
            await page.evaluate("navigator.serviceWorker.ready")
            await page.wait_for_function("navigator.serviceWorker.controller !== null")

            cdp = await ctx.new_cdp_session(page)
            await cdp.send("Network.enable")
            wanted: set[str] = set()
            wire = {"bytes": 0, "requests": 0}

            def seen(ev: dict) -> None:
                if "/api/documents/" in ev["response"]["url"]:
                    wanted.add(ev["requestId"])

            def done(ev: dict) -> None:
                if ev["requestId"] in wanted:
                    wire["bytes"] += int(ev["encodedDataLength"])
                    wire["requests"] += 1

            cdp.on("Network.responseReceived", seen)
            cdp.on("Network.loadingFinished", done)
            rate = KBIT * 1000 / 8
            await cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": 100,
                    "downloadThroughput": rate,
                    "uploadThroughput": rate,
                },
            )

            started = time.monotonic()
            doc = await uploaded(live, m["secretary"].token, mid, pdf, title="Tờ trình đo tải")
            row = page.locator(f"li.docs-item[data-document-id='{doc['id']}']")
            await expect(row.get_by_test_id("on-device")).to_be_visible(timeout=3_600_000)
            kept_s = time.monotonic() - started
            kept = await page.evaluate(
                f"JSON.parse(localStorage.getItem('hop:docs'))['{doc['id']}'].total"
            )

            await cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
            await ctx.set_offline(True)
            await page.reload()
            await page.get_by_role("tab", name="Tài liệu").click()
            opened = time.monotonic()
            await row.get_by_role("button", name="Tờ trình đo tải").click()
            await page.wait_for_function(INKED)
            open_s = time.monotonic() - opened
            await browser.close()

    ideal = kept * 8 / (KBIT * 1000)
    print(
        f"document: {pages} pages, {len(pdf) / 1e6:.2f} MB uploaded; the stamped copy {kept / 1e6:.2f} MB"
    )
    print(f"link: {KBIT} kbit/s down and up, 100 ms latency (Chromium's throttle)")
    print(
        f"on the device after {kept_s:.1f} s (the copy's bytes at {KBIT} kbit/s: {ideal:.1f} s; {kept_s / ideal:.2f}×)"
    )
    print(
        f"bytes on the wire: {wire['bytes'] / 1e6:.2f} MB in {wire['requests']} requests ({wire['bytes'] / kept:.3f}× the copy)"
    )
    print(f"opened offline, first page drawn from the device: {open_s * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="a 3-page document (CI)")
    asyncio.run(main(parser.parse_args().small))
