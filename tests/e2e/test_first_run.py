"""A newcomer's first minute: the README's first command, run verbatim in a fresh copy of the
tree, leaves a demo province on its empty database, and the login page's demo accounts get
them in as the chair (issue 12)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import PHONE, TABLET, shot
from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]
# The environment a newcomer's shell has: none of the suite's own settings.
DROPPED = ("DATABASE_URL", "REDIS_URL", "DEMO", "DATA_DIR", "VIRTUAL_ENV", "PYTHONPATH")


def first_command() -> str:
    """The first ```sh block of the README, which must open with it."""
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert blocks, "the README opens with its commands"
    command = blocks[0].strip()
    assert command.startswith("python3 -m venv .venv && ") and command.endswith(" run.py serve")
    return command


def fresh_copy(dest: Path) -> None:
    """The tree as a fresh clone has it: every tracked (and new, not ignored) file, nothing
    ignored (no .venv, var/, node_modules). Copied from the work tree so uncommitted changes
    are what is tested."""
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, names):
        src = ROOT / raw.decode()
        if src.is_file():
            (dest / raw.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / raw.decode())


@pytest.fixture
def first_run() -> Iterator[str]:
    """The first command running in a fresh copy; yields its URL once it serves."""
    workdir = Path(tempfile.mkdtemp(prefix="hop-first-run-"))
    fresh_copy(workdir)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in DROPPED and not k.startswith("TEST_")}
    env["PORT"] = str(port)  # README: another port without changing the command
    log = (workdir / "first-run.log").open("wb")
    proc = subprocess.Popen(
        ["bash", "-c", first_command()],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 480  # a cold pip + npm install, on a shared machine
        while True:
            assert proc.poll() is None, (workdir / "first-run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the first command did not serve in time"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(1)  # a process we do not control: nothing to await but its port
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


async def test_first_command_then_sign_in_as_the_chair(first_run: str, browser: Browser) -> None:
    errors: list[str] = []
    ctx = await browser.new_context(viewport=TABLET, locale="vi-VN")
    try:
        page = await ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{first_run}/")
        await expect(page).to_have_url(f"{first_run}/login")
        accounts = page.get_by_role("region", name="Tài khoản dùng thử")
        chair_row = accounts.get_by_role("row").filter(has_text="Chủ trì cuộc họp")
        username = await chair_row.locator(".demo-username").inner_text()
        password = await chair_row.locator(".demo-password").inner_text()
        await shot(page, "first-run-login")
        # Typed as a newcomer would, from what the page shows.
        await page.get_by_label("Tên đăng nhập").fill(username)
        await page.get_by_label("Mật khẩu").fill(password)
        await page.get_by_role("button", name="Đăng nhập", exact=True).click()
        await expect(page).to_have_url(f"{first_run}/")
        await page.get_by_text("Họp UBND tỉnh thường kỳ tháng").first.click()
        await expect(page.locator(".meeting-title-row .badge.role-chair")).to_be_visible()
        await expect(page.get_by_role("button", name="Bắt đầu họp")).to_be_visible()

        # The same page on a phone: the accounts table fits the screen.
        phone = await browser.new_context(viewport=PHONE, locale="vi-VN")
        ppage = await phone.new_page()
        await ppage.goto(f"{first_run}/login")
        width = await ppage.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the login page is {width} px wide on a phone"
        await shot(ppage, "phone-first-run-login")
        await phone.close()
    finally:
        await ctx.close()
    assert not errors, errors


def test_demo_is_off_when_a_database_is_named() -> None:
    from meeting.config import Settings

    assert Settings(_env_file=None).demo_enabled  # type: ignore[call-arg]
    named = Settings(_env_file=None, database_url="postgres://x@h/db")  # type: ignore[call-arg]
    assert not named.demo_enabled
    forced = Settings(_env_file=None, database_url="postgres://x@h/db", demo=True)  # type: ignore[call-arg]
    assert forced.demo_enabled
