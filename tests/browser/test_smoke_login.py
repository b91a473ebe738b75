"""The login page in a real browser: Chinese by default, wrong password says so."""

from __future__ import annotations


def test_login_page_speaks_chinese_and_rejects_a_wrong_password(
    live_server, page_factory, screenshot_dir
):
    page = page_factory(width=1280, height=800)
    page.goto(live_server.url + "/login")
    assert page.locator("h2").inner_text() == "工作人员登录"
    page.fill("#username", "admin")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".form-error").inner_text() == "用户名或密码不正确"
    page.screenshot(path=str(screenshot_dir / "login-error.png"))
