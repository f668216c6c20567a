"""Debian's Chromium for browser tests, with the flags design/FIELD-NOTES.md found to work here:
headless, no network chatter, fake camera and microphone, and loopback WebRTC candidates."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

# tests/run.sh installs it (Debian package `chromium`); `playwright install` cannot download here.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--allow-loopback-in-peer-connection",
]


async def open_signed_in(
    pw: Any,
    base_url: str,
    username: str,
    path: str,
    errors: list[str],
    viewport: dict[str, int] | None = None,
    password: str = "matkhau123",
    before: Callable[[Any], Awaitable[None]] | None = None,
) -> tuple[Any, Any]:
    """Launch Chromium, sign `username` in through the real /login form, open `path`; page
    errors land in `errors`. `before(page)` runs before the first page loads (e.g. routes).
    Returns (browser, page); the caller closes the browser."""
    browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    page = await browser.new_page(**({"viewport": viewport} if viewport else {}))
    page.on("pageerror", lambda e: errors.append(str(e)))
    if before is not None:
        await before(page)
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.goto(f"{base_url}{path}")
    return browser, page
