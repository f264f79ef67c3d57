"""A parent's whole journey in the browser, and a second parent who tries to reach into it.

The provider's side (accepting, marking a lesson) goes through the domain services, as
the provider cabinet would; everything the parent does goes through the real pages.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import Child, User
from navigator.domain.certificates.api import import_registry
from navigator.domain.certificates.models import LedgerEntry
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import make_engine, read_session, transaction
from seed.identifiers import lithuanian_code
from tests.e2e.loaded import open_loaded
from tests.support.browser import tamper
from tests.support.mail import last_link

PASSWORD = "journey-pass-2026"
CHESS = re.compile("šachmat|шахмат", re.IGNORECASE)  # a Vilnius chess program, ru or lt


def _engine():
    return make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])


def _confirm_address(page: Page, engine, app_url: str, email: str) -> None:
    """Opens the link from the letter, as the parent would, and comes back to the cabinet."""
    page.goto(last_link(engine, email, routes.AUTH_EMAIL_CONFIRM, app_url))
    expect(page.locator("#auth-notice")).to_be_visible(timeout=15_000)
    open_loaded(page, f"{app_url}/cabinet")  # a click before the load would be undone by it
    expect(page.locator("#confirm-banner")).to_have_count(0, timeout=15_000)


def _registry(engine, town: str, code: str, born: str, guardian_email: str) -> None:
    """The municipality imports a registry row naming this child's guardian."""
    with transaction(engine) as s:
        municipality = s.exec(select(Municipality).where(Municipality.name == town)).one()
        csv = f"national_id,birth_date,category,guardian_email\n{code},{born},base,{guardian_email}"
        report = import_registry(s, Actor.system(), municipality.id, csv)
    assert report.errors == []


class Steps:
    """Screenshots named by step, saved as test artifacts."""

    def __init__(self, page: Page, directory: Path, prefix: str) -> None:
        self.page, self.directory, self.prefix, self.n = page, directory, prefix, 0

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(
            path=self.directory / f"{self.prefix}-{self.n:02d}-{name}.png", full_page=True
        )


def _register(page: Page, app_url: str, email: str) -> None:
    page.goto(f"{app_url}/register", wait_until="domcontentloaded", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_again").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/cabinet/?$"), timeout=30_000)
    expect(page.get_by_text(email).first).to_be_visible(timeout=30_000)


def _add_child(page: Page, first: str, last: str, born: str, town: str) -> None:
    page.locator("#add-child").click()
    page.locator("#child-first_name").fill(first)
    page.locator("#child-last_name").fill(last)
    page.locator("#child-birth_date").fill(born)
    page.locator("#child-municipality").select_option(label=town)
    page.locator("#save-child").click()


@pytest.mark.e2e
def test_parent_journey_and_isolation(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    engine = _engine()
    stamp = int(time.time())
    context = chromium_browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    steps = Steps(page, artifacts_dir, "journey")
    try:
        # ---- registers, adds a child (a future birth date is refused first)
        email = f"first.{stamp}@example.org"
        _register(page, app_url, email)
        expect(page.locator("#confirm-banner")).to_contain_text(email, timeout=15_000)
        steps.shot("registered")
        _confirm_address(page, engine, app_url, email)
        _add_child(page, "Ona", "Kazlauskaitė", "2031-01-01", "Vilnius")
        expect(page.locator("#cabinet-error")).to_contain_text("будущем", timeout=15_000)
        page.locator("#child-birth_date").fill("2014-05-10")
        page.locator("#save-child").click()
        expect(page.locator(".child-card")).to_have_count(1, timeout=15_000)
        steps.shot("child-added")

        # ---- gets a certificate, funded from the open period: the municipality's registry
        # names this parent as the child's guardian, so the personal code verifies at once
        code = lithuanian_code(date(2014, 5, 10), stamp % 1000, female=True)
        _registry(engine, "Vilnius", code, "2014-05-10", email)
        identifier = page.locator(".certificate-request input[name=national_id]")
        identifier.fill(code[:-1] + str((int(code[-1]) + 1) % 10))  # one wrong digit
        page.locator(".request-certificate").click()
        expect(page.locator(".child-card .card-error")).to_contain_text(
            "контрольн", timeout=15_000
        )  # said next to the field
        identifier.fill(code)
        page.locator(".request-certificate").click()
        card = page.locator(".certificate-card")
        expect(card).to_be_visible(timeout=15_000)
        expect(card.locator(".available")).not_to_have_text("0,00 €")
        available_before = card.locator(".available").inner_text()
        steps.shot("certificate")

        # ---- finds a program with a misspelled query and a filter
        page.locator("a", has_text="Каталог").first.click()
        page.locator("#search").fill("šachmatia")
        expect(page.locator(".program-card").first).to_be_visible(timeout=15_000)
        # the family's own municipality is chosen already (the signed-in default)
        expect(page.locator("#facet-municipality-vilnius")).to_be_checked(timeout=15_000)
        page.locator("#payable").click()
        expect(page).to_have_url(re.compile(r"payable=1"), timeout=15_000)
        first = page.locator(".program-card").first
        # the filters' search answers after the URL changes: wait for it, as for the others
        # (the query matches chess in ru and lt: a Vilnius program may be titled in either)
        expect(first).to_contain_text(CHESS, timeout=15_000)
        steps.shot("search")
        first.locator("a.program-link").click()
        expect(page.locator("#program-title")).to_contain_text(CHESS, timeout=30_000)

        # ---- chooses the group, reads the breakdown, accepts the terms, applies
        page.locator("#group").select_option(index=1)
        breakdown = page.locator("#breakdown")
        expect(breakdown).to_be_visible(timeout=15_000)
        expect(page.locator("#apply")).to_be_disabled()
        steps.shot("breakdown")
        page.locator("#terms").click()
        page.locator("#apply").click()
        expect(page.locator("#apply-notice")).to_be_visible(timeout=15_000)
        steps.shot("applied")

        with read_session(engine) as s:
            child = s.exec(
                select(Child)
                .join(User, col(User.id) == Child.guardian_id)
                .where(User.email == email)
            ).one()
            enrollment = s.exec(select(Enrollment).where(Enrollment.child_id == child.id)).one()
            group = s.get(Group, enrollment.group_id)
            assert enrollment.status == "applied" and enrollment.certificate_share_minor > 0
        enrollment_id, child_id = enrollment.id, child.id

        # ---- the cabinet shows it; the provider accepts and the hold appears without a reload
        page.locator("#nav-cabinet").click()
        enrollment_card = page.locator(".enrollment-card")
        expect(enrollment_card.locator(".enrollment-status")).to_have_text(
            "заявка подана", timeout=15_000
        )
        with transaction(engine) as s:
            accept_application(s, Actor.system(), enrollment_id)
        expect(enrollment_card.locator(".enrollment-status")).to_have_text(
            "принята", timeout=15_000
        )
        expect(enrollment_card.locator(".enrollment-held")).not_to_have_text("0,00 €")
        expect(page.locator(".certificate-card .held")).not_to_have_text("0,00 €")
        steps.shot("accepted-hold")

        # ---- a lesson is marked; the capture shows
        first_lesson = next(iter(lesson_dates(group)))
        with transaction(engine) as s:
            mark_attendance(
                s, Actor.system(), enrollment_id, first_lesson, "present", today=first_lesson
            )
        expect(enrollment_card.locator(".enrollment-captured")).not_to_have_text(
            "0,00 €", timeout=15_000
        )
        expect(page.locator(".certificate-card .spent")).not_to_have_text("0,00 €")
        steps.shot("captured")

        # ---- cancelling shows what will be released, then releases it
        with read_session(engine) as s:
            remaining = s.get(Enrollment, enrollment_id).hold_remaining_minor
        assert remaining > 0
        enrollment_card.locator(".cancel-enrollment").click()
        release_text = page.locator("#cancel-release")
        expected = f"{remaining // 100},{remaining % 100:02d}"
        expect(release_text).to_contain_text(expected, timeout=15_000)
        steps.shot("cancel-confirmation")
        page.locator("#confirm-cancel").click()
        expect(enrollment_card.locator(".enrollment-status")).to_have_text(
            "отменено", timeout=15_000
        )
        expect(page.locator(".certificate-card .held")).to_have_text("0,00 €")
        page.locator(".show-history").click()
        lines = page.locator(".history-line")
        expect(lines.first).to_be_visible(timeout=15_000)
        for kind in ("зачисление", "резерв", "оплата занятия", "возврат резерва"):
            expect(lines.filter(has_text=kind).first).to_be_visible()
        steps.shot("history")
        assert available_before != page.locator(".certificate-card .available").inner_text()
    finally:
        context.close()
    assert errors == []

    # ---- a second parent tries to reach the first family's child and enrollment
    def victim_entries(s) -> int:
        return len(
            s.exec(select(LedgerEntry).where(LedgerEntry.enrollment_id == enrollment_id)).all()
        )

    with read_session(engine) as s:
        entries_before = victim_entries(s)
        victim_name = s.get(Child, child_id).first_name
    intruder = chromium_browser.new_context(locale="ru-RU")
    page = intruder.new_page()
    steps = Steps(page, artifacts_dir, "intruder")
    try:
        intruder_email = f"second.{stamp}@example.org"
        _register(page, app_url, intruder_email)
        _confirm_address(page, _engine(), app_url, intruder_email)
        _add_child(page, "Jonas", "Petraitis", "2015-02-02", "Vilnius")
        expect(page.locator(".child-card")).to_have_count(1, timeout=15_000)
        assert victim_name not in page.content()
        victim = str(child_id)
        own_code = lithuanian_code(date(2015, 2, 2), stamp % 1000 + 1)
        _registry(engine, "Vilnius", own_code, "2015-02-02", intruder_email)

        # the victim's id put into the intruder's own events: refused, nothing shown
        page.locator(".certificate-request input[name=national_id]").fill(own_code)
        tamper(page, {"get_certificate": {"form": {"child_id": victim, "national_id": code}}})
        page.locator(".request-certificate").click()
        expect(page.locator("#cabinet-error")).to_have_text("Не найдено.", timeout=15_000)
        tamper(page, {})
        page.locator(".request-certificate").click()
        expect(page.locator(".show-history")).to_be_visible(timeout=15_000)
        tamper(page, {"show_history": {"child_id": "²"}})
        page.locator(".show-history").click()
        expect(page.locator("#cabinet-error")).to_have_text("Не найдено.", timeout=15_000)
        tamper(page, {"show_history": {"child_id": victim}, "start_edit": {"child_id": victim}})
        page.locator(".show-history").click()
        expect(page.locator("#cabinet-error")).to_have_text("Не найдено.", timeout=15_000)
        expect(page.locator(".history-line")).to_have_count(0)
        page.locator(".child-card button", has_text="Изменить").click()
        expect(page.locator("#child-first_name")).to_have_count(0)
        assert victim_name not in page.content()
        steps.shot("tampered-events-refused")

        # the program page's child choice, tampered, gets no quote and no application
        page.goto(f"{app_url}/programs/{group.program_id}", wait_until="domcontentloaded")
        expect(page.locator("#group")).to_be_visible(timeout=30_000)
        tamper(page, {"choose_child": {"value": victim}, "choose_group": {"value": str(group.id)}})
        page.locator("#group").select_option(index=1)
        page.locator("#child").select_option(index=1)
        expect(page.locator("#apply-error")).to_have_text("Не найдено.", timeout=15_000)
        expect(page.locator("#breakdown")).to_have_count(0)
        steps.shot("tampered-application-refused")
        assert victim_name not in page.content()
    finally:
        intruder.close()

    with read_session(engine) as s:
        assert s.get(Child, child_id).first_name == victim_name
        assert victim_entries(s) == entries_before
        assert len(s.exec(select(Enrollment).where(Enrollment.child_id == child_id)).all()) == 1
    engine.dispose()
