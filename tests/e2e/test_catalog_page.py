"""The home page lists the seeded catalog from the database, page by page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from navigator.domain.catalog import count_catalog_programs, list_catalog_programs
from navigator.domain.db import make_engine, read_session


@pytest.mark.e2e
def test_home_page_lists_the_certified_catalog_and_pages_through_it(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    with read_session(engine) as s:
        first_page = [p.title for p in list_catalog_programs(s, limit=30)]
        second_page = [p.title for p in list_catalog_programs(s, limit=30, offset=30)]
        total = count_catalog_programs(s)
    engine.dispose()
    assert total > 30

    page = chromium_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        cards = page.locator(".program-card")
        expect(cards).to_have_count(30, timeout=30_000)
        expect(page.locator("#catalog-total")).to_contain_text(f"программ: {total}")
        expect(cards.locator("h2")).to_have_text(first_page)
        expect(page.get_by_text("Доступна оплата сертификатом").first).to_be_visible()
        page.screenshot(path=artifacts_dir / "catalog-page-1.png", full_page=True)

        page.get_by_role("button", name="Вперёд →").click()
        expect(cards.locator("h2")).to_have_text(second_page, timeout=15_000)
        page.screenshot(path=artifacts_dir / "catalog-page-2.png", full_page=True)
    finally:
        page.close()
    assert errors == []
