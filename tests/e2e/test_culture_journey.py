"""The culture pass in Chromium, in Russian, Lithuanian and English: a coordinator invited by
the operator sets a password, imports two classes, invites a colleague, books a class seeing
the wallet and the caps, is refused a booking that would pass a pupil's yearly cap (the pupil
named), and after the provider records attendance sees the charge and the class that has had
no service yet. The operator's and the provider's steps go through the domain services here;
their own screens are tested on their own."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.culture.booking import confirm_booking, record_attendance
from navigator.domain.culture.coordinators import invite_coordinator
from navigator.domain.culture.models import (
    BookingPupil,
    CultureBooking,
    CulturePassYear,
    School,
    SchoolWallet,
)
from navigator.domain.culture.services import (
    ServiceFields,
    publish_session,
    review_service,
    submit_service,
)
from navigator.domain.culture.years import import_schools, open_year
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.i18n.formatting import format_money
from tests.e2e.test_screens import _in_view, _too_wide
from tests.support.axe import axe_script
from tests.support.mail import last_link

PASSWORD = "culture-pass-2026"
SYSTEM = Actor.system()
SERIOUS = ("serious", "critical")


def _engine():
    return make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])


def _violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:5]}" for v in found if v["impact"] in SERIOUS]


def _year(engine) -> int:
    """This year's culture pass, opened once for every test of the run."""
    this_year = date.today().year
    with transaction(engine) as s:
        found = s.exec(select(CulturePassYear).where(CulturePassYear.year == this_year)).first()
        if found is not None:
            return found.id  # type: ignore[return-value]
        return open_year(
            s,
            SYSTEM,
            year=this_year,
            per_pupil_minor=1054,
            cap_minor=1500,
            window_start=date(this_year, 1, 1),
            window_end=date(this_year, 12, 31),
            reference_date=date(this_year, 1, 1),
            cancel_days=0,
        ).id  # type: ignore[return-value]


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["ru", "lt", "en"])
def test_a_coordinator_books_a_class_within_the_wallet_and_every_pupils_cap(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, language: str
) -> None:
    engine = _engine()
    stamp = f"{language}{time.time_ns() % 10**9}"
    year_id = _year(engine)
    email = f"coordinator.{stamp}@school.example"
    with transaction(engine) as s:
        report = import_schools(
            s,
            SYSTEM,
            year_id,
            f"code,name,municipality,pupils\nE{stamp},Progimnazija {stamp},Vilnius,20\n"
            f"F{stamp},Gimnazija {stamp},Kaunas,30",
        )
        assert report.errors == [] and report.credited == 2
        school = s.exec(select(School).where(School.code == f"E{stamp}")).one()
        invite_coordinator(s, SYSTEM, school.id, email, app_url=app_url, locale=language)
        town = create_municipality(
            s,
            code=f"c-{stamp}",
            name=f"Kultūra {stamp}",  # never a second "Vilnius" for the other tests
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(
            s, municipality_id=town.id, name=f"Teatras {stamp}", kind="private"
        )
        admit_provider(s, SYSTEM, provider.id)
        staff = create_user(
            s,
            f"teatras.{stamp}@example.org",
            PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
        )
        provider_actor = Actor.user(staff.id)
        service = submit_service(
            s,
            provider_actor,
            provider.id,
            ServiceFields(
                title=f"Teatro pamoka {stamp}",
                description="Spektaklis ir pokalbis.",
                art_form="theatre",
                grade_min=1,
                grade_max=12,
                duration_minutes=90,
                language="lt",
                place="on_site",
                address="Gedimino pr. 4, Vilnius",
                price_per_pupil_minor=1000,  # 10 €: a second one passes the 15 € cap
                free_adults=2,
            ),
        )
        review_service(s, SYSTEM, service.id, "approve")
        soon = datetime.now(UTC) + timedelta(hours=2)
        first = publish_session(s, provider_actor, service.id, soon, 30)
        second = publish_session(s, provider_actor, service.id, soon + timedelta(days=1), 30)
        school_id, wallet_id = (
            school.id,
            s.exec(select(SchoolWallet.id).where(SchoolWallet.school_id == school.id)).one(),
        )
    context = chromium_browser.new_context(
        locale={"ru": "ru-RU", "lt": "lt-LT", "en": "en-GB"}[language],
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()
    report_axe: dict[str, list[str]] = {}
    try:
        # ---- the invitation's link: a password, and the school's screen
        page.goto(last_link(engine, email, routes.CULTURE_INVITE, app_url))
        expect(page.locator("#invite-school")).to_contain_text(stamp, timeout=30_000)
        report_axe["invite"] = _violations(page)
        page.locator("#password").fill(PASSWORD)
        page.locator("#password_again").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/culture/?$"), timeout=30_000)
        expect(page.locator("#wallet .wallet-available")).to_have_text(
            format_money(21_080, "EUR", language), timeout=30_000
        )
        # ---- the roster: two classes, one bad row reported by its line
        csv_path = artifacts_dir / f"roster-{stamp}.csv"
        lines = ["class,first_name,last_name,register_id"]
        lines += [f"4A,Ona{n},Petraitytė{n},A{stamp}{n}" for n in range(1, 11)]
        lines += [f"4B,Jonas{n},Kazlauskas{n},B{stamp}{n}" for n in range(1, 11)]
        lines += [f",Be,Klasės,X{stamp}"]
        csv_path.write_text("\n".join(lines), encoding="utf-8")
        page.locator("#roster-csv input[type=file]").set_input_files(str(csv_path))
        page.locator("#import-roster").click()
        expect(page.locator("#roster-summary")).to_contain_text("20", timeout=15_000)
        expect(page.locator(".roster-error")).to_contain_text("22")
        expect(page.locator("#gaps .gap")).to_have_count(2)
        # ---- a colleague
        page.locator("#coordinator-email").fill(f"colleague.{stamp}@school.example")
        page.locator("#invite-coordinator").click()
        expect(page.locator("#culture-notice")).to_contain_text("colleague.", timeout=15_000)
        # ---- a class booked: the whole class ticked, one absent unticked, caps and wallet shown
        page.locator("#book-session").select_option(str(first.id))
        page.locator("#book-class").select_option("4A")
        expect(page.locator(".pupil-line")).to_have_count(10, timeout=15_000)
        absent = page.locator(".pupil-box").first
        absent.click()  # the server answers with the box unticked and the figures again
        expect(absent).not_to_be_checked(timeout=15_000)
        expect(page.locator("#quote .quote-total")).to_have_text(
            format_money(9_000, "EUR", language), timeout=15_000
        )
        expect(page.locator("#quote .quote-after")).to_have_text(
            format_money(12_080, "EUR", language)
        )
        report_axe["culture"] = _violations(page)
        assert _too_wide(page) == []
        page.screenshot(path=artifacts_dir / f"culture-01-quote-{language}.png", full_page=True)
        page.locator("#book").click()
        expect(page.locator("#culture-notice")).to_be_visible(timeout=15_000)
        expect(page.locator("#wallet .wallet-held")).to_have_text(
            format_money(9_000, "EUR", language)
        )
        expect(page.locator(".booking-row")).to_have_count(1)
        # ---- a second booking would pass nine pupils' 15 € cap: refused, each named, before
        # anything is held (the one who stayed home the first time may still go)
        page.locator("#book-session").select_option(str(second.id))
        page.locator("#book-class").select_option("4A")
        expect(page.locator(".over-cap")).to_have_count(9, timeout=15_000)
        expect(page.locator("#booking-error")).to_contain_text("Ona2 ")
        _in_view(page, page.locator("#booking-error"))
        expect(page.locator("#book")).to_be_disabled()
        expect(page.locator("#wallet .wallet-held")).to_have_text(
            format_money(9_000, "EUR", language)
        )
        with read_session(engine) as s:
            booking = s.exec(
                select(CultureBooking).where(CultureBooking.school_id == school_id)
            ).one()
            booked = [
                p.pupil_id
                for p in s.exec(
                    select(BookingPupil)
                    .where(BookingPupil.booking_id == booking.id)
                    .order_by(BookingPupil.id)
                ).all()
            ]
        # ---- the provider confirms and records attendance with one more pupil absent
        with transaction(engine) as s:
            confirm_booking(s, provider_actor, booking.id)
        with transaction(engine) as s:
            record_attendance(
                s,
                provider_actor,
                booking.id,
                booked[1:],
                now=datetime.now(UTC) + timedelta(hours=3),
            )
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#wallet .wallet-charged")).to_have_text(
            format_money(8_000, "EUR", language), timeout=30_000
        )
        with read_session(engine) as s:
            wallet = s.get(SchoolWallet, wallet_id)
        expect(page.locator("#wallet .wallet-available")).to_have_text(
            format_money(wallet.available_minor, "EUR", language)
        )
        # 4B has had no service yet (and 4A's two who did not come)
        expect(page.locator("#gaps .gap", has_text="4B")).to_contain_text("10")
        page.screenshot(path=artifacts_dir / f"culture-02-delivered-{language}.png", full_page=True)
    finally:
        context.close()
    assert report_axe == {"invite": [], "culture": []}


def _sign_in(page: Page, app_url: str, email: str, next_path: str) -> None:
    page.goto(f"{app_url}{routes.login_then(next_path)}", wait_until="load", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(rf"{re.escape(next_path)}/?$"), timeout=30_000)


@pytest.mark.e2e
@pytest.mark.parametrize("width", [360, 1280])
def test_every_culture_page_fits_and_has_no_serious_violations(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
    from navigator.domain.culture.years import make_operator

    engine = _engine()
    stamp = f"{width}x{time.time_ns() % 10**9}"
    _year(engine)
    with transaction(engine) as s:
        make_operator(s, f"operator.{stamp}@lnb.example", password=PASSWORD)
        town = create_municipality(
            s,
            code=f"a-{stamp}",
            name=f"Kultūra {stamp}",  # never a second "Vilnius" for the other tests
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(
            s, municipality_id=town.id, name=f"Muziejus {stamp}", kind="private"
        )
        admit_provider(s, SYSTEM, provider.id)
        create_user(
            s,
            f"muziejus.{stamp}@example.org",
            PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
            email_confirmed=True,
        )
    report: dict[str, list[str]] = {}
    for email, path, ready in (
        (None, routes.CULTURE_SERVICES, "#culture-total"),
        (f"operator.{stamp}@lnb.example", routes.CULTURE_OPERATOR, "#years"),
        (f"muziejus.{stamp}@example.org", routes.PROVIDER_CULTURE, "#save-service"),
    ):
        context = chromium_browser.new_context(
            locale="lt-LT", viewport={"width": width, "height": 800}
        )
        page = context.new_page()
        try:
            if email is None:
                page.goto(f"{app_url}{path}", wait_until="domcontentloaded", timeout=60_000)
            else:
                _sign_in(page, app_url, email, path)
            expect(page.locator(ready).first).to_be_attached(timeout=30_000)
            report[path] = _violations(page)
            assert _too_wide(page) == [], path
            name = path.strip("/").replace("/", "-")
            page.screenshot(path=artifacts_dir / f"culture-{name}-{width}.png", full_page=True)
        finally:
            context.close()
    assert report == {
        routes.CULTURE_SERVICES: [],
        routes.CULTURE_OPERATOR: [],
        routes.PROVIDER_CULTURE: [],
    }
