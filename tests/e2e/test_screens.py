"""Each role's screens on a 360 px phone and a 1280 px screen: nothing wider than the
viewport, the answer to an action where the person is looking (a refusal right under the
field it names, which has the focus and is described by it, said once), and the parent's
figures equal to the ledger's sums."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import func
from sqlmodel import col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Child, Role, User
from navigator.domain.certificates.api import import_registry
from navigator.domain.certificates.ledger import ledger_sums
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    EntryKind,
    LedgerEntry,
)
from navigator.domain.culture.models import CulturePassYear
from navigator.domain.culture.services import publish_session, review_service, submit_service
from navigator.domain.culture.years import make_operator, open_year
from navigator.domain.enrollment.api import accept_application, apply_to_group
from navigator.domain.enrollment.models import Attendance, Enrollment
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.i18n.formatting import format_money
from seed.identifiers import lithuanian_code
from tests.domain.culture.world import service_fields
from tests.e2e.loaded import open_loaded
from tests.e2e.worlds import busy_town, moscow_today, sign_in
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.support.mail import last_link

WIDTHS = [360, 1280]
PASSWORD = "screens-pass-2026"


def _engine():
    return make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])


def _too_wide(page: Page) -> list[str]:
    """The elements reaching past the viewport's right edge (none, when the page fits).

    An element may run wider than the screen only inside a box that scrolls it sideways
    (a table's region, a scroll area) and only when that box itself fits: the box is what
    the page shows. Everything else that pokes out is reported."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const fits = el => {
                const box = el.getBoundingClientRect();
                return box.left >= -1 && box.right <= width + 1;
            };
            const scroller = el => {
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    const x = getComputedStyle(up).overflowX;
                    if (x === 'auto' || x === 'scroll') return up;
                }
                return null;
            };
            const out = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (!box.width || box.right <= width + 1) continue;
                if (getComputedStyle(el).position === 'fixed') continue;
                const holder = scroller(el);
                if (holder && fits(holder)) continue;
                out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} → ${box.right}`);
            }
            return out.slice(0, 5);
        }"""
    ) + (
        ["the page scrolls sideways"]
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        else []
    )


def _in_view(page: Page, answer: Locator) -> None:
    """The answer is where the person is looking: inside the viewport, not above it."""
    expect(answer).to_be_visible(timeout=15_000)
    box = answer.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, box


def _focused_name(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name || ''")


# how far under its field a refusal may start (the field's box puts 4 px between them)
BESIDE_PX = 16


def _beside(page: Page, field: Locator, callout: str) -> Locator:
    """The refusal is right under the field it names, in view, inside the field's form; the
    field has the focus, says it is invalid and is described by the message; the page's
    callout (`callout`) does not repeat it, so a screen reader says it once."""
    field_id = field.get_attribute("id")
    # in the field's own box
    message = field.locator("xpath=ancestor::div[contains(@class, 'field')][1]").locator(
        f"[id='{field_id}-error']"
    )
    expect(message).to_be_visible(timeout=15_000)
    expect(message).not_to_have_text("")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute(
        "aria-describedby", re.compile(rf"(^|\s){re.escape(field_id)}-error(\s|$)")
    )
    under, over = message.bounding_box(), field.bounding_box()
    assert under is not None and over is not None
    gap = under["y"] - (over["y"] + over["height"])
    assert 0 <= gap <= BESIDE_PX, (gap, under, over)
    assert over["x"] - 1 <= under["x"] <= over["x"] + over["width"], (under, over)
    assert message.evaluate(
        "(m, f) => m.closest('form') !== null && m.closest('form') === f.closest('form')",
        field.element_handle(),
    )
    _in_view(page, message)
    _in_view(page, field)
    expect(page.locator(f"#{callout}")).to_be_hidden()  # the callout's alert: not a second time
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.locator(".field-error:visible")).to_have_count(1)
    return message


def _no_refusal_left(page: Page) -> None:
    """After a success nothing still says invalid, nothing is shown under a field."""
    expect(page.locator("[aria-invalid=true]")).to_have_count(0, timeout=15_000)
    expect(page.locator(".field-error:visible")).to_have_count(0)


def _context(browser: Browser, width: int):
    return browser.new_context(locale="ru-RU", viewport={"width": width, "height": 800})


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_the_catalog_shows_results_first_and_filters_in_a_drawer(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    context = _context(chromium_browser, width)
    page = context.new_page()
    try:
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        first = page.locator(".program-card").first
        expect(first).to_be_visible(timeout=30_000)
        assert _too_wide(page) == []
        toggle, panel = page.locator("#filters-toggle"), page.locator("#filters")
        if width < 768:
            # results first: the first card starts within the first screen, filters wait
            assert first.bounding_box()["y"] < 800
            expect(panel).to_be_hidden()
            toggle.click()
            expect(panel).to_be_visible()
            expect(page.locator("#filters-heading")).to_be_focused()
        else:
            expect(toggle).to_be_hidden()
            expect(panel).to_be_visible()
        facet = page.locator("#facet-direction-technical")
        facet.click()  # the server answers with the box ticked and the results narrowed
        expect(facet).to_be_checked(timeout=15_000)
        page.locator("#price-max").fill("-3")
        page.locator("#price-max").press("Enter")
        error = page.locator("#price-error")
        expect(error).to_contain_text("отриц", timeout=15_000)
        _in_view(page, error)  # beside its field, in the drawer on a phone
        if width < 768:
            expect(toggle).to_contain_text("1")  # one filter narrows the results
            page.locator("#show-results").click()
            expect(panel).to_be_hidden()
            expect(page.locator(".program-card").first).to_be_in_viewport()
        page.screenshot(path=artifacts_dir / f"screens-catalog-{width}.png")
    finally:
        context.close()


def _sign_up_parent(page: Page, app_url: str, email: str) -> None:
    page.goto(f"{app_url}{routes.REGISTER}", wait_until="domcontentloaded", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_again").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/cabinet/?$"), timeout=30_000)
    page.goto(last_link(_engine(), email, routes.AUTH_EMAIL_CONFIRM, app_url))
    expect(page.locator("#auth-notice")).to_be_visible(timeout=15_000)
    open_loaded(page, f"{app_url}{routes.CABINET}")  # a click before the load would be undone
    expect(page.locator("#add-child")).to_be_visible(timeout=15_000)


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_refusal_naming_no_field_is_said_once_right_above_its_form(
    chromium_browser: Browser, app_url: str, width: int
) -> None:
    """Registering with two different passwords: the refusal names no field, so it is the
    form's message, an alert right above the form, and no field says it is invalid."""
    context = _context(chromium_browser, width)
    page = context.new_page()
    try:
        page.goto(f"{app_url}{routes.REGISTER}", wait_until="domcontentloaded", timeout=60_000)
        page.locator("#email").fill(f"differ.{width}.{time.time_ns()}@example.org")
        page.locator("#password").fill(PASSWORD)
        page.locator("#password_again").fill(PASSWORD + "!")
        page.locator("#submit").click()
        message = page.locator("#auth-error")
        _in_view(page, message)
        expect(message).to_have_attribute("role", "alert")
        form_top = page.locator("form.auth-form").bounding_box()
        box = message.bounding_box()
        assert form_top is not None and box is not None
        assert 0 <= form_top["y"] - (box["y"] + box["height"]) <= 40, (box, form_top)
        expect(page.locator("[aria-invalid=true]")).to_have_count(0)
        expect(page.locator(".field-error:visible")).to_have_count(0)
        assert _too_wide(page) == []
    finally:
        context.close()


def _enrollment_hold(s, enrollment_id: int) -> int:
    """What the ledger still holds for one enrollment: its holds less captures and releases."""
    rows = s.exec(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .group_by(LedgerEntry.kind)
    ).all()
    sums = {kind: int(total) for kind, total in rows}
    return (
        sums.get(EntryKind.HOLD, 0)
        - sums.get(EntryKind.CAPTURE, 0)
        - sums.get(EntryKind.RELEASE, 0)
    )


def _ledger(child_id: int, enrollment_id: int) -> dict[str, str]:
    """The certificate's figures summed from its ledger entries (not the account's running
    counters, not the enrollment's), written as the cabinet writes money."""
    with read_session(_engine()) as s:
        certificate = s.exec(select(Certificate).where(Certificate.child_id == child_id)).one()
        [account] = s.exec(
            select(CertificateAccount).where(CertificateAccount.certificate_id == certificate.id)
        ).all()
        sums = ledger_sums(s, account.id)
        town = s.get(Municipality, s.get(Child, child_id).municipality_id)
        enrollment_hold = _enrollment_hold(s, enrollment_id)
    return {
        "available": format_money(sums.balance, town.currency, "ru"),
        "held": format_money(sums.active_holds, town.currency, "ru"),
        "spent": format_money(sums.captured - sums.refunded, town.currency, "ru"),
        "enrollment": format_money(enrollment_hold, town.currency, "ru"),
    }


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_parents_cabinet_fits_answers_in_view_and_equals_the_ledger(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    engine = _engine()
    email = f"screens.{width}.{time.time_ns()}@example.org"
    code = lithuanian_code(date(2016, 5, 5), time.time_ns() // 1000 % 1000, female=False)
    context = _context(chromium_browser, width)
    page = context.new_page()
    try:
        _sign_up_parent(page, app_url, email)
        with transaction(engine) as s:
            town = s.exec(select(Municipality).where(Municipality.name == "Vilnius")).one()
            csv = f"national_id,birth_date,category,guardian_email\n{code},2016-05-05,base,{email}"
            assert import_registry(s, Actor.system(), town.id, csv).errors == []
        # a birth date in the future: refused, the answer in view, the focus on the date
        page.locator("#add-child").click()
        page.locator("#child-first_name").fill("Jonas")
        page.locator("#child-last_name").fill("Petraitis")
        page.locator("#child-birth_date").fill((date.today() + timedelta(days=3)).isoformat())
        page.locator("#child-municipality").select_option(label="Vilnius")
        page.locator("#save-child").click()
        future = _beside(page, page.locator("#child-birth_date"), "cabinet-error")
        expect(future).to_contain_text("будущем")
        assert _too_wide(page) == []

        page.locator("#child-birth_date").fill("2016-05-05")
        page.locator("#save-child").click()
        identifier = page.locator(".certificate-request input[name=national_id]")
        identifier.fill(code)
        page.locator(".request-certificate").click()
        expect(page.locator(".certificate-card")).to_be_visible(timeout=15_000)
        _no_refusal_left(page)

        # enrolled, accepted: the money held shows on the card as the ledger has it
        with transaction(engine) as s:
            user = s.exec(select(User).where(User.email == email)).one()
            child = s.exec(select(Child).where(Child.guardian_id == user.id)).one()
            group = s.exec(
                select(Group)
                .join(Program, Program.id == Group.program_id)
                .where(
                    Program.municipality_id == child.municipality_id,
                    Program.certified_at.is_not(None),  # type: ignore[union-attr]
                    Program.is_free.is_(False),  # type: ignore[attr-defined]
                    Program.age_min <= 9,
                    Program.age_max >= 11,
                    Group.enrollment_open.is_(True),  # type: ignore[attr-defined]
                    Group.starts_on > date.today(),
                    Group.seats_taken < Group.seats,
                )
            ).first()
            assert group is not None, "the demo data has an open certified group in Vilnius"
            provider = s.get(Provider, s.get(Program, group.program_id).provider_id)
            child_id = child.id
            enrollment = apply_to_group(s, Actor.user(user.id), child.id, group.id)
            enrollment_id = enrollment.id
        with transaction(engine) as s:
            staff = create_user(
                s,
                f"desk.{time.time_ns()}@example.org",
                PASSWORD,
                roles=((Role.PROVIDER_STAFF, None, provider.id),),
            )
            accept_application(s, Actor.user(staff.id), enrollment_id)
        page.reload(wait_until="domcontentloaded")
        ledger = _ledger(child_id, enrollment_id)
        expect(page.locator(".certificate-card .held")).to_have_text(ledger["held"], timeout=15_000)
        expect(page.locator(".certificate-card .available")).to_have_text(ledger["available"])
        expect(page.locator(".certificate-card .spent")).to_have_text(ledger["spent"])
        expect(page.locator(".enrollment-card .enrollment-held")).to_have_text(ledger["enrollment"])
        assert ledger["held"] == ledger["enrollment"] != format_money(0, "EUR", "ru")
        assert _too_wide(page) == []
        page.screenshot(path=artifacts_dir / f"screens-cabinet-{width}.png", full_page=True)
        # the family's week, with its calendar link, fits the phone too
        page.goto(f"{app_url}{routes.CABINET_WEEK}", wait_until="domcontentloaded")
        expect(page.locator("#week-title")).not_to_have_text("", timeout=15_000)
        expect(page.locator("#calendar-feed")).to_be_visible()
        assert _too_wide(page) == [], "the week"
    finally:
        context.close()


def _statement_ledger(provider_id: int, month: date) -> int:
    """What the certificates paid the provider for the month's lessons, from the ledger:
    captures less refunds of the lessons' entries."""
    after = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    with read_session(_engine()) as s:
        rows = s.exec(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
            .join(Attendance, col(Attendance.id) == LedgerEntry.attendance_id)
            .join(Enrollment, col(Enrollment.id) == Attendance.enrollment_id)
            .join(Group, col(Group.id) == Enrollment.group_id)
            .join(Program, col(Program.id) == Group.program_id)
            .where(
                Program.provider_id == provider_id,
                Attendance.lesson_date >= month.replace(day=1),
                Attendance.lesson_date < after,
            )
            .group_by(LedgerEntry.kind)
        ).all()
    sums = {kind: int(total) for kind, total in rows}
    return sums.get(EntryKind.CAPTURE, 0) - sums.get(EntryKind.REFUND, 0)


def _period_ledger(period_id: int) -> tuple[int, int]:
    """(committed, spent) of a funding period from its accounts' ledger entries: the holds
    still open, and captures less refunds."""
    with read_session(_engine()) as s:
        rows = s.exec(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
            .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
            .where(CertificateAccount.period_id == period_id)
            .group_by(LedgerEntry.kind)
        ).all()
    sums = {kind: int(total) for kind, total in rows}
    committed = (
        sums.get(EntryKind.HOLD, 0)
        - sums.get(EntryKind.CAPTURE, 0)
        - sums.get(EntryKind.RELEASE, 0)
    )
    return committed, sums.get(EntryKind.CAPTURE, 0) - sums.get(EntryKind.REFUND, 0)


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_providers_screens_fit_answer_in_view_and_equal_the_ledger(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    town = busy_town()
    world, today = town.world, moscow_today()
    context = _context(chromium_browser, width)
    page = context.new_page()
    try:
        sign_in(page, app_url, town.owner_email, routes.PROVIDER)
        # the desk: the waiting application and today's register, drawn
        expect(page.locator(".application-card")).to_have_count(2, timeout=30_000)
        expect(page.locator(".accept-application")).to_have_count(1)  # one still waits
        expect(page.locator(".lesson-today").first).to_be_visible()
        assert _too_wide(page) == [], "desk"
        page.locator("#screen-team").click()
        expect(page.locator("#screen-team")).to_have_attribute("aria-current", "page")
        expect(page.locator("#staff")).to_be_visible(timeout=15_000)
        assert _too_wide(page) == [], "team"
        # the month's statement: the certificate's payments as the ledger has them
        page.locator("#screen-statements").click()
        expect(page.locator("#screen-statements")).to_have_attribute("aria-current", "page")
        page.locator("#statement-month").fill(today.strftime("%Y-%m"))
        page.locator("#show-statement").click()
        line = page.locator(".statement-line")
        expect(line).to_have_count(1, timeout=15_000)
        paid = _statement_ledger(world.provider_id, today)
        assert paid > 0
        expect(line.locator("td").nth(4)).to_have_text(format_money(paid, "RUB", "ru"))
        assert _too_wide(page) == [], "statements"
        page.locator("#screen-programs").click()
        expect(page.locator("#screen-programs")).to_have_attribute("aria-current", "page")
        expect(page.locator(".provider-program").first).to_be_visible(timeout=15_000)
        assert _too_wide(page) == [], "programs"
        # the new-program form is below the list: the refusal comes where the form is
        page.locator("#f-title").fill("Программа с ошибкой")
        page.locator("#f-age_min").fill("12")
        page.locator("#f-age_max").fill("7")
        page.locator("#save-program").scroll_into_view_if_needed()
        page.locator("#save-program").click()
        expect(page.locator("#f-age_min-error, #f-age_max-error")).to_be_visible(timeout=15_000)
        assert _focused_name(page) in ("age_min", "age_max")
        _beside(page, page.locator(f"#f-{_focused_name(page)}"), "provider-error")
        page.screenshot(path=artifacts_dir / f"screens-provider-{width}.png")
        # the program with its groups, and the group's register
        page.goto(f"{app_url}{routes.PROVIDER_PROGRAM}{world.program_id}")
        expect(page.locator("#provider-program-title")).to_have_text(
            "Робототехника", timeout=30_000
        )
        expect(page.locator(".register-link").first).to_be_visible()
        assert _too_wide(page) == [], "program"
        page.goto(f"{app_url}{routes.PROVIDER_GROUP}{town.group_id}")
        expect(page.locator("#register tbody tr")).to_have_count(1, timeout=30_000)
        expect(page.locator("#save-marks")).to_be_visible()
        assert _too_wide(page) == [], "group"
        page.screenshot(path=artifacts_dir / f"screens-provider-group-{width}.png", full_page=True)
        # another provider's group (the demo's first): said so, with the way back, never blank
        page.goto(f"{app_url}{routes.PROVIDER_GROUP}1", wait_until="domcontentloaded")
        expect(page.locator("#group-not-found")).to_be_visible(timeout=15_000)
        expect(page.locator("#register")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_municipalitys_cabinet_fits_answers_in_view_and_equals_the_ledger(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    town = busy_town()
    world = town.world
    context = _context(chromium_browser, width)
    page = context.new_page()
    try:
        sign_in(page, app_url, town.admin_email, routes.MUNICIPALITY)
        expect(page.locator("#municipality-name")).to_have_text("Town", timeout=30_000)
        # the open period's bar, committed and spent as the ledger sums them
        expect(page.locator("#periods-table tbody tr")).to_have_count(1, timeout=15_000)
        expect(page.locator(".budget-bar")).to_be_visible()
        committed, spent = _period_ledger(world.period_id)
        assert committed > 0 and spent > 0
        expect(page.locator(".period-committed")).to_have_text(format_money(committed, "RUB", "ru"))
        expect(page.locator(".period-spent")).to_have_text(format_money(spent, "RUB", "ru"))
        bar = page.locator(".budget-bar").bounding_box()
        assert bar is not None and bar["x"] >= 0 and bar["x"] + bar["width"] <= width
        # the queue holds the submitted program; a report's rows are drawn
        expect(page.locator(".submission-card", has_text="Керамика")).to_have_count(1)
        page.locator("#report-providers").click()
        expect(page.locator("#report-table tbody tr").first).to_be_visible(timeout=15_000)
        assert _too_wide(page) == []
        page.screenshot(path=artifacts_dir / f"screens-municipality-{width}.png", full_page=True)
        # both period forms have a budget: a refusal of the period's own form comes under its
        # budget, even when the clicked button took no focus (Safari, Firefox on a Mac) and the
        # focus was left in the other form
        page.locator("#new-period-box summary").click()
        form, period_form = page.locator("#new-period"), page.locator("#period-form")
        period_form.locator("#m-edit-budget").fill("-5")
        form.locator("#m-new-name").focus()
        period_form.locator("#save-period").dispatch_event("click")
        _beside(page, period_form.locator("#m-edit-budget"), "municipality-error")
        expect(form.locator("#m-new-budget-error")).to_be_hidden()
        # a refused new period: the answer in view, the focus on the budget it names (the
        # same message again: said anew, under this form's field)
        later = moscow_today() + timedelta(days=400)
        form.locator("#m-new-name").fill("2028/29")
        form.locator("#m-new-starts_on").fill(later.isoformat())
        form.locator("#m-new-ends_on").fill((later + timedelta(days=200)).isoformat())
        form.locator("#m-new-budget").fill("-5")
        form.locator("#m-new-max_funded_certificates").fill("100")
        form.locator("#create-period").click()
        _beside(page, form.locator("#m-new-budget"), "municipality-error")
        assert _too_wide(page) == []
        # the next refusal names another field: the message moves there, the budget is fine
        form.locator("#m-new-budget").fill("5000")
        form.locator("#m-new-max_funded_certificates").fill("0")
        form.locator("#create-period").click()
        _beside(page, form.locator("#m-new-max_funded_certificates"), "municipality-error")
        expect(form.locator("#m-new-budget-error")).to_be_hidden()
        expect(form.locator("#m-new-budget")).not_to_have_attribute("aria-invalid", "true")
        # and a success clears it
        form.locator("#m-new-max_funded_certificates").fill("100")
        form.locator("#create-period").click()
        expect(page.locator("#periods-table tbody tr")).to_have_count(2, timeout=15_000)
        _no_refusal_left(page)
    finally:
        context.close()


@pytest.mark.e2e
def test_a_refusal_is_shown_without_the_feedback_script(
    chromium_browser: Browser, app_url: str
) -> None:
    """The page's box says a refusal from its first render: only the script that shows it
    under its field hides it, so a script that fails to load leaves the message in view."""
    town = busy_town()
    context = _context(chromium_browser, 360)
    context.route("**/feedback.js", lambda route: route.abort())
    page = context.new_page()
    try:
        sign_in(page, app_url, town.admin_email, routes.MUNICIPALITY)
        expect(page.locator("#periods-table tbody tr").first).to_be_visible(timeout=30_000)
        period_form = page.locator("#period-form")
        period_form.locator("#m-edit-budget").fill("-5")
        period_form.locator("#save-period").click()
        box = page.locator("#municipality-error")
        expect(box).to_have_attribute("data-field", "budget", timeout=15_000)
        _in_view(page, box)
        expect(box).not_to_have_text("")
        expect(box).to_have_attribute("role", "alert")  # no script to read it with the field
        expect(page.locator(".field-error:visible")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.e2e
def test_a_refusal_under_a_field_drawn_anew_comes_back_to_its_box(
    chromium_browser: Browser, app_url: str
) -> None:
    """The box steps aside while its message is under the field; when React draws that
    field's place anew (the script's mark on it gone), the box says the message again: a
    refusal is never shown nowhere. A click into another form's field is no action: the next
    refusal still lands in the form whose button was pressed."""
    town = busy_town()
    context = _context(chromium_browser, 1280)
    page = context.new_page()
    try:
        sign_in(page, app_url, town.admin_email, routes.MUNICIPALITY)
        expect(page.locator("#periods-table tbody tr").first).to_be_visible(timeout=30_000)
        period_form = page.locator("#period-form")
        field = period_form.locator("#m-edit-budget")
        field.fill("-5")
        period_form.locator("#save-period").click()
        box = page.locator("#municipality-error")
        _beside(page, field, "municipality-error")
        expect(box).to_have_attribute("role", "note")  # read out with the field, not twice
        page.evaluate(
            "document.querySelectorAll('.field-error[data-placed]')"
            ".forEach(el => el.removeAttribute('data-placed'))"
        )
        _in_view(page, box)
        expect(box).not_to_have_text("")
        # the same refusal again, after a click into the other form's field of that name
        period_form.locator("#save-period").click()
        _beside(page, field, "municipality-error")
        page.locator("#new-period-box summary").click()
        page.locator("#m-new-budget").click()
        period_form.locator("#save-period").click()
        _beside(page, field, "municipality-error")
    finally:
        context.close()


def _culture_provider_with_a_session(stamp: str) -> str:
    """An admitted provider with an approved culture service and one session ahead (none
    booked, so it may be changed); the owner's sign-in address. Its town is never a second
    "Vilnius" for the other tests."""
    engine = _engine()
    day = date.today() + timedelta(days=1)
    with transaction(engine) as s:
        if s.exec(select(CulturePassYear).where(CulturePassYear.year == day.year)).first() is None:
            open_year(
                s,
                Actor.system(),
                year=day.year,
                per_pupil_minor=1054,
                cap_minor=1500,
                window_start=date(day.year, 1, 1),
                window_end=date(day.year, 12, 31),
                reference_date=date(day.year, 1, 1),
                cancel_days=0,
            )
        operator, _created = make_operator(s, f"operator.{stamp}@lnb.example")
        town = create_municipality(
            s,
            code=f"s-{stamp}",
            name=f"Kultūra {stamp}",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(
            s, municipality_id=town.id, name=f"Teatras {stamp}", kind="private"
        )
        admit_provider(s, Actor.system(), provider.id)
        email = f"teatras.{stamp}@example.org"
        owner = create_user(
            s,
            email,
            FACTORY_PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
            email_confirmed=True,
        )
        owner_actor, operator_actor = Actor.user(owner.id), Actor.user(operator.user_id)
        service = submit_service(s, owner_actor, provider.id, service_fields())
        service_id = service.id
    with transaction(engine) as s:
        review_service(s, operator_actor, service_id, "approve")
    with transaction(engine) as s:
        starts = datetime.combine(day, dt_time(10, 0), ZoneInfo("Europe/Vilnius"))
        publish_session(s, owner_actor, service_id, starts.astimezone(UTC), 30)
    return email


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_culture_providers_session_change_fits_and_answers_beside_the_day(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    email = _culture_provider_with_a_session(f"{width}x{time.time_ns() % 10**9}")
    context = _context(chromium_browser, width)
    page = context.new_page()
    try:
        sign_in(page, app_url, email, routes.PROVIDER_CULTURE)
        change = page.locator(".change-session")
        expect(change).to_have_count(1, timeout=30_000)
        change.click()
        form = page.locator("#change-session")
        expect(form.locator("#c-starts_at")).to_be_visible(timeout=15_000)
        assert _too_wide(page) == [], "the session's change form"
        # a day already gone: refused under the day, not at the top of the page
        form.locator("#c-starts_at").fill((date.today() - timedelta(days=1)).isoformat())
        form.locator("#save-session").click()
        _beside(page, form.locator("#c-starts_at"), "provider-error")
        assert _too_wide(page) == [], "the refusal"
        page.screenshot(path=artifacts_dir / f"screens-culture-session-{width}.png")
    finally:
        context.close()
