"""The catalog page in a browser: search as you type, facets, the URL, Back, languages."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from navigator.domain.programs.queries import count_catalog_programs
from navigator.domain.shared.db import make_engine, read_session
from navigator.i18n import text
from tests.support.browser import tamper

LITHUANIAN_COUNT = re.compile(r"^Rast\w* \d+ program")
ENGLISH_COUNT = re.compile(r"^\d+ programs? found$")


def count_text(count: int) -> str:
    """The catalog's count in Russian, with the plural form CLDR gives the number."""
    return text("found", "ru", count=count)


def _catalog_total() -> int:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    with read_session(engine) as s:
        total = count_catalog_programs(s)
    engine.dispose()
    return total


def _open(browser: Browser, url: str, locale: str = "ru-RU") -> tuple[Page, list[str]]:
    page = browser.new_page(locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    return page, errors


def _count(page: Page) -> int:
    match = re.search(r"(\d+)", page.locator("#catalog-total").inner_text())
    assert match
    return int(match.group(1))


@pytest.mark.e2e
def test_search_facets_url_and_back(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    total = _catalog_total()
    page, errors = _open(chromium_browser, app_url)
    try:
        total_label = page.locator("#catalog-total")
        expect(total_label).to_have_text(count_text(total), timeout=30_000)
        expect(page.locator(".program-card")).to_have_count(min(total, 20))

        # a misspelled query still finds chess, and the URL keeps it
        page.locator("#search").fill("шахмоты")
        expect(page.locator(".program-card").first).to_contain_text("Шахмат", timeout=15_000)
        found = _count(page)
        assert 0 < found < total
        expect(page).to_have_url(re.compile(r"q=%D1%88%D0%B0%D1%85%D0%BC%D0%BE%D1%82%D1%8B"))
        expect(page.locator("mark").first).to_be_visible()

        # a facet narrows the hits to exactly the count it showed
        option = page.locator(".facet-option:has(#facet-municipality-perm)")
        shown = int(re.search(r"\((\d+)\)", option.inner_text()).group(1))
        page.locator("#facet-municipality-perm").click()
        expect(total_label).to_have_text(count_text(shown), timeout=15_000)
        expect(page.locator("#facet-municipality-perm")).to_be_checked()
        query = parse_qs(urlsplit(page.url).query)
        assert query["municipality"] == ["perm"] and query["q"] == ["шахмоты"]
        page.screenshot(path=artifacts_dir / "catalog-search-facet.png", full_page=True)

        # the link can be shared: a fresh page on the same URL shows the same
        shared, shared_errors = _open(chromium_browser, page.url)
        expect(shared.locator("#catalog-total")).to_have_text(count_text(shown), timeout=30_000)
        expect(shared.locator("#search")).to_have_value("шахмоты")
        expect(shared.locator("#facet-municipality-perm")).to_be_checked()
        shared.close()
        assert shared_errors == []

        # Back undoes the facet, then the query
        page.go_back()
        expect(total_label).to_have_text(count_text(found), timeout=15_000)
        expect(page.locator("#facet-municipality-perm")).not_to_be_checked()

        # nothing matches: an empty state that offers to loosen the filters
        page.locator("#search").fill("зззззззз")
        expect(page.locator("#empty-state")).to_be_visible(timeout=15_000)
        page.screenshot(path=artifacts_dir / "catalog-empty.png", full_page=True)
    finally:
        page.close()
    assert errors == []


@pytest.mark.e2e
def test_hostile_url_values_are_dropped_not_obeyed(chromium_browser: Browser, app_url: str) -> None:
    total = _catalog_total()
    hostile = (
        "/?direction=technical%22%20OR%201%3D1&municipality=nowhere&age=%C2%B2&price_max=-5"
        "&sort=drop&page=%C2%B9&lat=999&lng=abc&weekday=9&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    )
    page, errors = _open(chromium_browser, app_url + hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        expect(page.locator("#search")).to_have_value("<script>alert(1)</script>", timeout=30_000)
        expect(page.locator("#catalog-total")).to_have_text(re.compile(r"Найден[оа] \d+ программ"))
        assert _count(page) <= total
        expect(page.locator("#age")).to_have_value("")
        expect(page.locator("#sort")).to_have_value("relevance")
    finally:
        page.close()
    assert errors == [] and dialogs == []


@pytest.mark.e2e
def test_language_follows_the_browser_then_the_switcher(
    chromium_browser: Browser, app_url: str
) -> None:
    context = chromium_browser.new_context(locale="lt-LT")
    page = context.new_page()
    try:
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        expect(page.locator("#catalog-total")).to_have_text(
            re.compile(r"^Rast\w* \d+ program"), timeout=30_000
        )
        page.locator("#language").select_option("en")
        expect(page.locator("#catalog-total")).to_have_text(
            re.compile(r"^\d+ programs? found$"), timeout=15_000
        )
        # the results already shown come back in the new language too, not only the counter
        first_card = page.locator(".program-card").first
        expect(first_card).to_contain_text(re.compile(r"ages \d+–\d+"), timeout=15_000)
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#catalog-total")).to_have_text(
            re.compile(r"^\d+ programs? found$"), timeout=30_000
        )
        expect(page.locator("#language")).to_have_value("en")
    finally:
        context.close()


@pytest.mark.e2e
def test_slow_typing_ends_on_the_last_query(chromium_browser: Browser, app_url: str) -> None:
    """Each pause fires a search; the page must end on the last one, never an older answer."""
    page, errors = _open(chromium_browser, app_url)
    try:
        expect(page.locator(".program-card").first).to_be_visible(timeout=30_000)
        page.locator("#search").press_sequentially("робототехника", delay=180)
        expect(page).to_have_url(
            re.compile(
                r"q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82%D0%BE%D1%82%D0%B5%D1%85%D0%BD%D0%B8%D0%BA%D0%B0$"
            ),
            timeout=15_000,
        )
        page.wait_for_timeout(1000)  # any older answer would have arrived by now
        expect(page.locator("#search")).to_have_value("робототехника")
        for title in page.locator(".program-card h2").all_inner_texts()[:3]:
            assert "обот" in title.lower() or "robot" in title.lower()
    finally:
        page.close()
    assert errors == []


@pytest.mark.e2e
def test_search_outage_shows_a_notice_and_answers_from_sql(
    chromium_browser: Browser, app_url: str, meili_server, artifacts_dir: Path
) -> None:
    total = _catalog_total()
    meili_server.stop()
    try:
        page, errors = _open(
            chromium_browser, app_url + "/?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B"
        )
        expect(page.locator("#degraded-notice")).to_be_visible(timeout=30_000)
        # chess in either language: the fallback matches words across ru and lt too
        expect(page.locator(".program-card").first).to_contain_text(re.compile("Шахмат|Šachmat"))
        page.locator("#search").fill("")
        expect(page.locator("#catalog-total")).to_have_text(count_text(total), timeout=15_000)
        page.screenshot(path=artifacts_dir / "catalog-degraded.png", full_page=True)
        page.close()
    finally:
        meili_server.start()
    page, more_errors = _open(chromium_browser, app_url)
    try:
        expect(page.locator("#catalog-total")).to_have_text(count_text(total), timeout=30_000)
        expect(page.locator("#degraded-notice")).to_have_count(0)
    finally:
        page.close()
    assert errors == [] and more_errors == []


@pytest.mark.e2e
def test_events_with_the_wrong_types_change_nothing_and_crash_nothing(
    chromium_browser: Browser, app_url: str
) -> None:
    page, errors = _open(chromium_browser, app_url)
    try:
        total_label = page.locator("#catalog-total")
        expect(page.locator(".program-card").first).to_be_visible(timeout=30_000)
        before = total_label.inner_text()
        tamper(
            page,
            {
                "toggle": {"facet": ["direction"], "value": {"a": 1}},
                "set_age": {"value": "²"},
                "set_sort": {"value": ["price"]},
                "near_city": {"code": [1]},
                "set_payable_only": {"value": "drop table"},
            },
        )
        page.locator("#facet-direction-technical").click()
        page.locator("#age").select_option("7")
        page.locator("#sort").select_option("price")
        page.locator("#near-city").select_option(index=1)
        page.wait_for_timeout(1500)
        expect(total_label).to_have_text(before)
        expect(page.get_by_text("An error occurred")).to_have_count(0)
        tamper(page, {"set_query_text": {"value": 12345}})
        page.locator("#search").fill("x")
        expect(page.locator("#search")).to_have_value("12345", timeout=15_000)
        expect(page.get_by_text("An error occurred")).to_have_count(0)
    finally:
        page.close()
    assert errors == []
