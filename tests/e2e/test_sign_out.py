"""Signing out is a POST (issue 11): from the forced password-change screen too, the button
sends the form and the session ends."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.conftest import Browsers, shot


async def test_sign_out_from_the_forced_password_screen(browsers: Browsers) -> None:
    live = browsers.live
    newcomer = await live.person("moi", must_change_password=True)
    page = await browsers.login(newcomer.user.username)
    await expect(page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)")).to_be_visible()
    await shot(page, "forced-password-change")
    await page.get_by_role("button", name="Đăng xuất").click()
    await expect(page).to_have_url(f"{live.url}/login")
    # The session is over: the app sends the browser back to the login form.
    await page.goto(f"{live.url}/")
    await expect(page).to_have_url(f"{live.url}/login")
