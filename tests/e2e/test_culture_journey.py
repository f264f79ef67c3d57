"""The culture pass in Chromium, in Russian, Lithuanian and English, every step through its
screen: the operator opens the year, imports two schools and invites a coordinator; the
coordinator sets a password, imports two classes and invites a colleague; a provider submits a
service, the operator approves it and the provider publishes sessions; the coordinator books a
class seeing the wallet and the caps, is refused a booking that would pass a pupil's yearly cap
(the pupil named); the provider confirms and, once the session has begun, records attendance
with one pupil absent; the coordinator sees the charge and the class that has had no service."""

from __future__ import annotations

import os
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.culture.models import (
    BookingPupil,
    CultureBooking,
    CulturePassYear,
    CultureService,
    CultureSession,
    SchoolWallet,
)
from navigator.domain.culture.years import make_operator, open_year
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
LOCALES = {"ru": "ru-RU", "lt": "lt-LT", "en": "en-GB"}
VILNIUS = ZoneInfo("Europe/Vilnius")  # sessions are typed and read in the programme's zone
# the sessions start this long after they are published: time enough for the coordinator to
# book and the provider to confirm however slow the machine; then the test moves the clock
# on for the first one (its start, in the database), and its register opens
LEAD = timedelta(minutes=30)


def _engine():
    return make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])


def _violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:5]}" for v in found if v["impact"] in SERIOUS]


def _context(browser: Browser, language: str) -> BrowserContext:
    return browser.new_context(
        locale=LOCALES[language], viewport={"width": 1280, "height": 900}, accept_downloads=True
    )


def _sign_in(page: Page, app_url: str, email: str, next_path: str) -> None:
    page.goto(f"{app_url}{routes.login_then(next_path)}", wait_until="load", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(rf"{re.escape(next_path)}/?$"), timeout=30_000)


def _publish(page: Page, title: str, starts: datetime) -> None:
    """The provider publishes a session of `title` at `starts` (Vilnius), for 30 pupils."""
    before = page.locator(".culture-session", has_text=title).count()
    page.locator("#f-service_id").select_option(label=title)
    page.locator("#f-starts_at").fill(starts.date().isoformat())
    page.locator("#f-start_time").fill(starts.strftime("%H:%M"))
    page.locator("#f-capacity").fill("30")
    page.locator("#publish-session").click()
    expect(page.locator(".culture-session", has_text=title)).to_have_count(
        before + 1, timeout=15_000
    )


def _when_register_opens(page: Page, register: str) -> None:
    """The register of a confirmed booking is listed once its session has begun."""
    page.reload(wait_until="domcontentloaded")
    expect(page.locator("#save-service")).to_be_attached(timeout=60_000)
    expect(page.locator(register)).to_be_attached(timeout=30_000)


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["ru", "lt", "en"])
def test_a_coordinator_books_a_class_within_the_wallet_and_every_pupils_cap(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, language: str
) -> None:
    engine = _engine()
    stamp = f"{language}{time.time_ns() % 10**9}"
    this_year = date.today().year
    email = f"coordinator.{stamp}@school.example"
    operator_email = f"operator.{stamp}@lnb.example"
    provider_email = f"teatras.{stamp}@example.org"
    title = f"Teatro pamoka {stamp}"
    with transaction(engine) as s:
        make_operator(s, operator_email, password=PASSWORD)
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
        create_user(
            s,
            provider_email,
            PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
            email_confirmed=True,
        )
        year_opened = (
            s.exec(select(CulturePassYear.id).where(CulturePassYear.year == this_year)).first()
            is not None
        )
    operator_context = _context(chromium_browser, language)
    provider_context = _context(chromium_browser, language)
    context = _context(chromium_browser, language)
    op, prov, page = operator_context.new_page(), provider_context.new_page(), context.new_page()
    report_axe: dict[str, list[str]] = {}
    try:
        # ---- the operator opens the year (once a run: a year is opened once) and imports
        _sign_in(op, app_url, operator_email, routes.CULTURE_OPERATOR)
        expect(op.locator("#years")).to_be_attached(timeout=30_000)
        if not year_opened:
            op.locator("#open-year-box summary").click()
            op.locator("#co-year").fill(str(this_year))
            op.locator("#co-per_pupil").fill("10.54")
            op.locator("#co-cap").fill("15.00")
            op.locator("#co-window_start").fill(f"{this_year}-01-01")
            op.locator("#co-window_end").fill(f"{this_year}-12-31")
            op.locator("#co-reference_date").fill(f"{this_year}-01-01")
            op.locator("#co-cancel_days").fill("0")
            op.locator("#open-year").click()
            expect(op.locator("#culture-operator-notice")).to_be_visible(timeout=15_000)
        op.locator(".year-choice", has_text=str(this_year)).click()
        expect(op.locator("#import-schools")).to_be_visible(timeout=15_000)
        schools_path = artifacts_dir / f"schools-{stamp}.csv"
        schools_path.write_text(
            f"code,name,municipality,pupils\nE{stamp},Progimnazija {stamp},Vilnius,20\n"
            f"F{stamp},Gimnazija {stamp},Kaunas,30",
            encoding="utf-8",
        )
        op.locator("#schools-csv input[type=file]").set_input_files(str(schools_path))
        op.locator("#import-schools").click()
        expect(op.locator("#schools-import-summary")).to_be_visible(timeout=15_000)
        expect(op.locator(".import-error")).to_have_count(0)
        school_row = op.locator(".school-row", has_text=f"E{stamp}")
        expect(school_row.locator(".school-available")).to_have_text(
            format_money(21_080, "EUR", language), timeout=15_000
        )
        expect(
            op.locator(".school-row", has_text=f"F{stamp}").locator(".school-available")
        ).to_have_text(format_money(31_620, "EUR", language))
        # ---- and invites the first school's coordinator from its row
        school_row.locator(".invite-coordinator").click()
        op.locator("#coordinator-email").fill(email)
        op.locator("#send-invitation").click()
        expect(op.locator("#culture-operator-notice")).to_contain_text(email, timeout=15_000)
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
        # ---- the provider submits a service (10 €: a second one passes the 15 € cap)
        _sign_in(prov, app_url, provider_email, routes.PROVIDER_CULTURE)
        expect(prov.locator("#save-service")).to_be_visible(timeout=30_000)
        prov.locator("#f-title").fill(title)
        prov.locator("#f-description").fill("Spektaklis ir pokalbis.")
        prov.locator("#f-art_form").select_option("theatre")
        prov.locator("#f-grade_min").fill("1")
        prov.locator("#f-grade_max").fill("12")
        prov.locator("#f-duration_minutes").fill("90")
        prov.locator("#f-language").select_option("lt")
        prov.locator("#f-place").select_option("on_site")
        prov.locator("#f-address").fill("Gedimino pr. 4, Vilnius")
        prov.locator("#f-price").fill("10.00")
        prov.locator("#f-free_adults").fill("2")
        prov.locator("#save-service").click()
        expect(prov.locator("#provider-notice")).to_be_visible(timeout=15_000)
        expect(prov.locator(".culture-service", has_text=title)).to_have_count(1)
        # ---- the operator approves it
        op.reload(wait_until="domcontentloaded")
        card = op.locator(".service-review-card", has_text=title)
        card.locator(".approve-service").click(timeout=30_000)
        expect(op.locator(".service-review-card", has_text=title)).to_have_count(0, timeout=15_000)
        # ---- the provider publishes two sessions: one shortly (it begins while the test runs,
        # and its register opens), one the next day
        prov.reload(wait_until="domcontentloaded")
        expect(prov.locator("#publish-session")).to_be_visible(timeout=30_000)
        now = datetime.now(VILNIUS)
        soon = (now + LEAD).replace(second=0, microsecond=0)
        _publish(prov, title, soon + LEAD)
        _publish(prov, title, soon)
        with read_session(engine) as s:
            service_id = s.exec(
                select(CultureService.id).where(CultureService.title == title)
            ).one()
            first, second = s.exec(
                select(CultureSession.id)
                .where(CultureSession.service_id == service_id)
                .order_by(col(CultureSession.starts_at))
            ).all()
        # ---- a class booked: the whole class ticked, one absent unticked, caps and wallet shown
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#book-session")).to_be_visible(timeout=30_000)
        page.locator("#book-session").select_option(str(first))
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
        page.locator("#book-session").select_option(str(second))
        page.locator("#book-class").select_option("4A")
        expect(page.locator(".over-cap")).to_have_count(9, timeout=15_000)
        expect(page.locator("#booking-error")).to_contain_text("Ona2 ")
        _in_view(page, page.locator("#booking-error"))
        expect(page.locator("#book")).to_be_disabled()
        expect(page.locator("#wallet .wallet-held")).to_have_text(
            format_money(9_000, "EUR", language)
        )
        with read_session(engine) as s:
            booking = s.exec(select(CultureBooking).where(CultureBooking.session_id == first)).one()
            booked = [
                p.pupil_id
                for p in s.exec(
                    select(BookingPupil)
                    .where(BookingPupil.booking_id == booking.id)
                    .order_by(col(BookingPupil.id))
                ).all()
            ]
            school_id = booking.school_id
            wallet_id = s.exec(
                select(SchoolWallet.id).where(SchoolWallet.school_id == school_id)
            ).one()
        assert len(booked) == 9
        # ---- the provider confirms before the session begins
        prov.reload(wait_until="domcontentloaded")
        booking_card = prov.locator(".culture-booking", has_text=f"Progimnazija {stamp}")
        booking_card.locator(".confirm-booking").click(timeout=30_000)
        expect(prov.locator("#provider-notice")).to_be_visible(timeout=15_000)
        expect(booking_card.locator(".confirm-booking")).to_have_count(0)
        # ---- once it has begun, the register: one more pupil did not come
        with transaction(engine) as s:  # the clock moves on (no screen moves time)
            started = s.get(CultureSession, first)
            assert started is not None
            started.starts_at = datetime.now(VILNIUS) - timedelta(minutes=5)
            s.add(started)
        _when_register_opens(prov, f"#pupil-{booking.id}-{booked[0]}")
        prov.locator(f"#pupil-{booking.id}-{booked[0]}").uncheck()
        for pupil in booked[1:]:
            expect(prov.locator(f"#pupil-{booking.id}-{pupil}")).to_be_checked()
        booking_card.locator(".save-register").click()
        expect(prov.locator("#provider-notice")).to_contain_text("8", timeout=15_000)
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#wallet .wallet-charged")).to_have_text(
            format_money(8_000, "EUR", language), timeout=30_000
        )
        with read_session(engine) as s:
            wallet = s.get(SchoolWallet, wallet_id)
        assert wallet is not None
        expect(page.locator("#wallet .wallet-available")).to_have_text(
            format_money(wallet.available_minor, "EUR", language)
        )
        # 4B has had no service yet (and 4A's two who did not come)
        expect(page.locator("#gaps .gap", has_text="4B")).to_contain_text("10")
        page.screenshot(path=artifacts_dir / f"culture-02-delivered-{language}.png", full_page=True)
    finally:
        context.close()
        provider_context.close()
        operator_context.close()
    assert report_axe == {"invite": [], "culture": []}


def _year(engine) -> int:
    """This year's culture pass for the screens' checks, opened through the domain when the
    journey (which opens it on the operator's screen) has not run before."""
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
@pytest.mark.parametrize("width", [360, 1280])
def test_every_culture_page_fits_and_has_no_serious_violations(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, width: int
) -> None:
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
