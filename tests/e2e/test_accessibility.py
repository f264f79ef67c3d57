"""axe-core on every page (the catalog, a program page, every role's screens drawn with real
data, the sign-in pages, the 404) at 1280 px and on 360 px phones; the keyboard."""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import request_password_reset
from navigator.domain.certificates.api import import_registry
from navigator.domain.municipalities.models import Municipality
from navigator.domain.notifications.delivery import run_notification_jobs
from navigator.domain.providers.staff import invite_staff
from navigator.domain.shared.db import make_engine, transaction
from seed.identifiers import lithuanian_code
from tests.e2e.loaded import open_loaded
from tests.e2e.worlds import busy_town, sign_in
from tests.support.axe import axe_script
from tests.support.mail import last_link

SERIOUS = ("serious", "critical")


def _violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:5]}" for v in found if v["impact"] in SERIOUS]


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _sign_up(page: Page, app_url: str) -> str:
    """A new parent whose address is confirmed by the link in the letter; the address."""
    email = f"a11y.{time.time_ns()}@example.org"
    page.goto(f"{app_url}/register", wait_until="domcontentloaded", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill("a11y-pass-2026")
    page.locator("#password_again").fill("a11y-pass-2026")
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/cabinet/?$"), timeout=30_000)
    expect(page.locator("#confirm-banner")).to_be_visible(timeout=15_000)
    page.goto(last_link(_engine(), email, routes.AUTH_EMAIL_CONFIRM, app_url))
    expect(page.locator("#auth-notice")).to_be_visible(timeout=15_000)
    open_loaded(page, f"{app_url}/cabinet")  # a click before the page's script ran is lost
    expect(page.locator("#add-child")).to_be_visible(timeout=15_000)
    return email


def _engine():
    return make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])


def _in_registry(code: str, born: str, guardian_email: str) -> None:
    """Vilnius's registry names this parent as the child's guardian."""
    with transaction(_engine()) as s:
        town = s.exec(select(Municipality).where(Municipality.name == "Vilnius")).one()
        csv = f"national_id,birth_date,category,guardian_email\n{code},{born},base,{guardian_email}"
        assert import_registry(s, Actor.system(), town.id, csv).errors == []


@pytest.mark.e2e
@pytest.mark.parametrize("width", [1280, 360])
def test_no_serious_violations_and_no_sideways_scroll(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    context = chromium_browser.new_context(locale="ru-RU", viewport={"width": width, "height": 800})
    page = context.new_page()
    report: dict[str, list[str]] = {}
    try:
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        expect(page.locator(".program-card").first).to_be_visible(timeout=30_000)
        report["catalog"] = _violations(page)
        assert _fits(page), "the catalog scrolls sideways"
        page.screenshot(path=artifacts_dir / f"a11y-catalog-{width}.png", full_page=True)

        page.locator("a.program-link").first.click()
        expect(page.locator("#program-title")).not_to_have_text("", timeout=30_000)
        expect(page.locator("#sign-in-invitation")).to_be_visible()
        report["program"] = _violations(page)
        assert _fits(page), "the program page scrolls sideways"
        page.screenshot(path=artifacts_dir / f"a11y-program-{width}.png", full_page=True)

        email = _sign_up(page, app_url)
        code = lithuanian_code(date(2016, 4, 4), time.time_ns() // 1000 % 1000, female=True)
        _in_registry(code, "2016-04-04", email)
        page.locator("#add-child").click()
        expect(page.locator("#child-first_name")).to_be_visible(timeout=15_000)
        report["cabinet"] = _violations(page)
        assert _fits(page), "the cabinet scrolls sideways"
        page.locator("#child-first_name").fill("Ona")
        page.locator("#child-last_name").fill(f"Jonaitytė {width}")
        page.locator("#child-birth_date").fill("2016-04-04")
        page.locator("#child-municipality").select_option(label="Vilnius")
        page.locator("#save-child").click()
        identifier = page.locator(".certificate-request input[name=national_id]")
        expect(identifier).to_be_visible(timeout=15_000)
        report["cabinet"] += _violations(page)  # the request form with its identifier field
        identifier.fill(code)
        page.locator(".request-certificate").click()
        page.locator(".show-history").click()
        expect(page.locator(".history-line").first).to_be_visible(timeout=15_000)
        report["cabinet"] += _violations(page)
        assert _fits(page), "the cabinet with a certificate scrolls sideways"
        page.screenshot(path=artifacts_dir / f"a11y-cabinet-{width}.png", full_page=True)
    finally:
        context.close()
    assert report == {"catalog": [], "program": [], "cabinet": []}


@pytest.mark.e2e
def test_the_catalog_works_by_keyboard_alone(chromium_browser: Browser, app_url: str) -> None:
    page = chromium_browser.new_page(locale="ru-RU")
    try:
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        expect(page.locator(".program-card").first).to_be_visible(timeout=30_000)
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        # from the main content, the search box is the first stop
        for _ in range(3):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "search":
                break
        expect(page.locator("#search")).to_be_focused()
        page.keyboard.type("робототехника")
        expect(page.locator(".program-card").first).to_contain_text("обот", timeout=15_000)
        # Tab reaches a result link and Enter opens it
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('program-link')"):
                break
        page.keyboard.press("Enter")
        expect(page.locator("#program-title")).to_contain_text("обот", timeout=30_000)
    finally:
        page.close()


@pytest.mark.e2e
def test_the_provider_pages_have_no_serious_violations(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    context = chromium_browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 800})
    page = context.new_page()
    report: dict[str, list[str]] = {}
    try:
        page.goto(f"{app_url}/provider/register", wait_until="domcontentloaded", timeout=60_000)
        expect(page.locator("#f-municipality_id option").first).to_be_attached(timeout=30_000)
        report["sign-up"] = _violations(page)
        page.locator("#f-organisation").fill("Студия «Доступность»")
        page.locator("#f-email").fill(f"a11y.org.{time.time_ns()}@example.org")
        page.locator("#f-password").fill("a11y-pass-2026")
        page.locator("#f-password_again").fill("a11y-pass-2026")
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/provider/?$"), timeout=30_000)
        expect(page.locator("#pending-admission")).to_be_visible(timeout=15_000)
        report["cabinet"] = _violations(page)
        assert _fits(page), "the provider cabinet scrolls sideways"
        for screen in ("team", "statements", "programs"):  # each task screen, at 360 px
            page.locator(f"#screen-{screen}").click()
            page.wait_for_url(re.compile(rf"/provider/{screen}/?$"), timeout=30_000)
            expect(page.locator(f"#screen-{screen}")).to_have_attribute("aria-current", "page")
            report["cabinet"] += _violations(page)
            assert _fits(page), f"the provider's {screen} screen scrolls sideways"
        page.locator("#f-title").fill("Доступная программа")
        page.locator("#save-program").click()
        page.wait_for_url(re.compile(r"/provider/programs/\d+/?$"), timeout=30_000)
        expect(page.locator("#certification-status")).to_be_visible(timeout=15_000)
        report["program"] = _violations(page)
        assert _fits(page), "the provider's program page scrolls sideways"
        page.screenshot(path=artifacts_dir / "a11y-provider-program-360.png", full_page=True)
        # the owner's two-factor page, with the key to type into an app
        page.goto(f"{app_url}/security", wait_until="domcontentloaded")
        page.locator("#start-setup").click()
        expect(page.locator("#totp-secret")).to_be_visible(timeout=15_000)
        report["security"] = _violations(page)
        assert _fits(page), "the two-factor page scrolls sideways"
        page.screenshot(path=artifacts_dir / "a11y-security-360.png", full_page=True)
    finally:
        context.close()
    assert report == {"sign-up": [], "cabinet": [], "program": [], "security": []}


def _checked(page: Page, report: dict[str, list[str]], name: str, artifacts_dir: Path) -> None:
    """axe-core's serious and critical findings on the page as it stands, under `name`; the
    page fits the viewport's width."""
    report[name] = _violations(page)
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert _fits(page), f"{name} scrolls sideways at {width}px"
    page.screenshot(path=artifacts_dir / f"a11y-{name}-{width}.png", full_page=True)


@pytest.mark.e2e
@pytest.mark.parametrize("width", [1280, 360])
def test_the_sign_in_pages_and_the_404_have_no_serious_violations(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    town = busy_town()
    engine = _engine()
    invited = f"a11y.invited.{time.time_ns()}@example.org"
    with transaction(engine) as s:
        request_password_reset(s, town.parent_email, app_url=app_url)
        invite_staff(
            s, town.owner, town.world.provider_id, invited, Role.PROVIDER_STAFF, app_url=app_url
        )
    reset_link = last_link(engine, town.parent_email, routes.PASSWORD_RESET, app_url)
    invite_link = last_link(engine, invited, routes.INVITE, app_url)
    context = chromium_browser.new_context(locale="ru-RU", viewport={"width": width, "height": 800})
    page = context.new_page()
    report: dict[str, list[str]] = {}
    try:
        page.goto(f"{app_url}{routes.LOGIN}", wait_until="domcontentloaded", timeout=60_000)
        expect(page.locator(f"a[href='{routes.PASSWORD_FORGOT}']")).to_be_visible(timeout=30_000)
        expect(page.locator("#submit")).to_be_enabled()
        _checked(page, report, "login", artifacts_dir)
        page.goto(f"{app_url}{routes.REGISTER}", wait_until="domcontentloaded")
        expect(page.locator("#password_again")).to_be_visible(timeout=30_000)
        _checked(page, report, "register", artifacts_dir)
        page.goto(f"{app_url}{routes.PASSWORD_FORGOT}", wait_until="domcontentloaded")
        expect(page.locator("#email")).to_be_visible(timeout=30_000)
        _checked(page, report, "password-forgot", artifacts_dir)
        page.goto(reset_link, wait_until="domcontentloaded")
        expect(page.locator("#password_again")).to_be_visible(timeout=30_000)
        expect(page.locator("input[name=token]")).not_to_have_value("")
        _checked(page, report, "password-reset", artifacts_dir)
        page.goto(invite_link, wait_until="domcontentloaded")
        expect(page.locator("#invite-provider")).to_have_text("Дом творчества", timeout=30_000)
        _checked(page, report, "invite", artifacts_dir)
        page.goto(f"{app_url}/no-such-page", wait_until="domcontentloaded")
        expect(page.locator("#not-found")).to_be_visible(timeout=30_000)
        _checked(page, report, "not-found", artifacts_dir)
    finally:
        context.close()
    assert {name: found for name, found in report.items() if found} == {}
    assert len(report) == 6


@pytest.mark.e2e
@pytest.mark.parametrize("width", [1280, 360])
def test_the_working_screens_with_data_have_no_serious_violations(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    """Each role's screens drawn with real data: the desk with an application and today's
    register, the program and its group's register, the municipality with its budget, queue
    and a report, the family's week and notifications."""
    town = busy_town()
    run_notification_jobs(town.world.engine)  # the parent is told of the credit and the hold
    report: dict[str, list[str]] = {}
    viewport = {"width": width, "height": 800}

    context = chromium_browser.new_context(locale="ru-RU", viewport=viewport)
    page = context.new_page()
    try:
        sign_in(page, app_url, town.owner_email, routes.PROVIDER)
        expect(page.locator(".application-card")).to_have_count(2, timeout=30_000)
        expect(page.locator(".accept-application")).to_have_count(1)  # one still waits
        expect(page.locator(".lesson-today").first).to_be_visible()
        _checked(page, report, "provider-desk", artifacts_dir)
        page.goto(f"{app_url}{routes.PROVIDER_PROGRAM}{town.world.program_id}")
        expect(page.locator("#provider-program-title")).to_have_text(
            "Робототехника", timeout=30_000
        )
        expect(page.locator(".register-link").first).to_be_visible()
        _checked(page, report, "provider-program", artifacts_dir)
        page.goto(f"{app_url}{routes.PROVIDER_GROUP}{town.group_id}")
        expect(page.locator("#register tbody tr")).to_have_count(1, timeout=30_000)
        _checked(page, report, "provider-group", artifacts_dir)
    finally:
        context.close()

    context = chromium_browser.new_context(locale="ru-RU", viewport=viewport)
    page = context.new_page()
    try:
        sign_in(page, app_url, town.admin_email, routes.MUNICIPALITY)
        expect(page.locator("#periods-table tbody tr")).to_have_count(1, timeout=30_000)
        expect(page.locator(".submission-card")).to_have_count(1)
        page.locator("#report-providers").click()
        expect(page.locator("#report-table tbody tr").first).to_be_visible(timeout=15_000)
        _checked(page, report, "municipality", artifacts_dir)
    finally:
        context.close()

    context = chromium_browser.new_context(locale="ru-RU", viewport=viewport)
    page = context.new_page()
    try:
        sign_in(page, app_url, town.parent_email, routes.CABINET)
        expect(page.locator(".enrollment-card").first).to_be_visible(timeout=30_000)
        page.goto(f"{app_url}{routes.CABINET_WEEK}", wait_until="domcontentloaded")
        expect(page.locator(".week-lesson").first).to_be_visible(timeout=30_000)
        _checked(page, report, "week", artifacts_dir)
        page.goto(f"{app_url}{routes.NOTIFICATIONS}", wait_until="domcontentloaded")
        expect(page.locator(".notification-line").first).to_be_visible(timeout=30_000)
        _checked(page, report, "notifications", artifacts_dir)
    finally:
        context.close()
    assert {name: found for name, found in report.items() if found} == {}
    assert len(report) == 6
