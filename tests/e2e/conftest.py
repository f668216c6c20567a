"""Browser tests: Debian's Chromium driven by Playwright (async API) against the session's real
server. Screenshots of the main screens go to test-output/screenshots/ for a person to look at."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.browser import CHROMIUM, FLAGS
from tests.live import Live

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TABLET = {"width": 1180, "height": 820}  # a 10–11" tablet in landscape
PHONE = {"width": 390, "height": 844}
PASSWORD = "matkhau123"

expect.set_options(timeout=10_000)


def unique(name: str) -> str:
    """A person's full name, unique on the shared session server."""
    return f"{name} {uuid.uuid4().hex[:4].upper()}"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():  # never a silent skip: tests/run.sh installs it
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run tests/run.sh, which installs Debian's chromium"
        )
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        await b.close()


class Browsers:
    """Browser contexts (one per person) opened by a test and closed after it. A page's
    JavaScript errors fail the test."""

    def __init__(self, browser: Browser, live: Live) -> None:
        self.browser = browser
        self.live = live
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    async def page(self, viewport: dict[str, int] | None = None, lang: str = "vi") -> Page:
        ctx = await self.browser.new_context(
            viewport=viewport or TABLET, locale="vi-VN" if lang == "vi" else "en-GB"
        )
        self.contexts.append(ctx)
        page = await ctx.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        return page

    async def login(
        self, username: str, password: str = PASSWORD, viewport: dict[str, int] | None = None
    ) -> Page:
        """Sign in through the real /login form; returns the page on the app."""
        page = await self.page(viewport)
        await page.goto(f"{self.live.url}/login")
        await page.get_by_label("Tên đăng nhập").fill(username)
        await page.get_by_label("Mật khẩu").fill(password)
        await page.get_by_role("button", name="Đăng nhập").click()
        await expect(page).to_have_url(f"{self.live.url}/")
        return page

    async def close(self) -> None:
        for ctx in self.contexts:
            await ctx.close()


@pytest.fixture
async def browsers(browser: Browser, clients: Live) -> AsyncIterator[Browsers]:
    b = Browsers(browser, clients)
    yield b
    await b.close()
    assert not b.errors, "JavaScript errors in the page:\n" + "\n".join(b.errors)


async def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    # Passing toasts would hide what the screen shows.
    await page.screenshot(
        path=str(path), full_page=True, style=".toasts { display: none !important; }"
    )
    return path
