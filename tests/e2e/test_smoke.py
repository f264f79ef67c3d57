"""The app starts for real and its home page renders in a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect


@pytest.mark.e2e
def test_home_page_renders_its_heading(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    page = chromium_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_be_visible(timeout=30_000)
        expect(heading).not_to_have_text("")
    finally:
        page.screenshot(path=artifacts_dir / "smoke-home.png", full_page=True)
        page.close()
    assert errors == []


@pytest.mark.e2e
def test_an_unknown_address_answers_in_the_readers_language(
    chromium_browser: Browser, app_url: str
) -> None:
    page = chromium_browser.new_page(locale="ru-RU")
    try:
        page.goto(f"{app_url}/no/such/page", wait_until="domcontentloaded", timeout=60_000)
        expect(page.locator("#not-found")).to_have_text("Такой страницы нет", timeout=30_000)
        assert "404: Page not found" not in page.content()
    finally:
        page.close()
