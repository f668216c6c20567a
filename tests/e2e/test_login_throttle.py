"""The chair is not locked out by strangers (issue 11): her own tablet signs in while someone
guesses her password from another machine; a new browser is told how long to wait."""

from __future__ import annotations

import secrets

import httpx
from playwright.async_api import expect

from tests.e2e.conftest import PASSWORD, Browsers, shot


async def test_the_chairs_tablet_signs_in_while_strangers_guess(browsers: Browsers) -> None:
    live = browsers.live
    chair = await live.person("chutich", password=PASSWORD)
    tablet = await browsers.login(chair.user.username)
    # She signs out with the header's button (a POST form: GET /logout signs nobody out).
    await tablet.get_by_role("button", name="Đăng xuất").click()
    await expect(tablet).to_have_url(f"{live.url}/login")

    address = f"127.{secrets.randbelow(200) + 20}.21.1"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=live.url, transport=transport) as attacker:
        for i in range(live.server.settings.login_max_failures + 1):
            r = await attacker.post(
                "/api/login", json={"username": chair.user.username, "password": f"doan-{i}"}
            )
        assert r.status_code == 429

    # Her tablet (it signed in before) gets in at once.
    await tablet.get_by_label("Tên đăng nhập").fill(chair.user.username)
    await tablet.get_by_label("Mật khẩu").fill(PASSWORD)
    await tablet.get_by_role("button", name="Đăng nhập").click()
    await expect(tablet).to_have_url(f"{live.url}/")

    # A browser that never signed in as her waits, and is told how long.
    other = await browsers.page()
    await other.goto(f"{live.url}/login")
    await other.get_by_label("Tên đăng nhập").fill(chair.user.username)
    await other.get_by_label("Mật khẩu").fill(PASSWORD)
    await other.get_by_role("button", name="Đăng nhập").click()
    alert = other.get_by_role("alert")
    await expect(alert).to_contain_text("Hãy thử lại sau")
    await expect(alert).to_contain_text("giây")
    await shot(other, "login-backoff")
