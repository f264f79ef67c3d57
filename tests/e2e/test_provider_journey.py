"""A provider from sign-up to a marked lesson, and the parent who sees the money move.

The municipality's decisions (admission, certification) go through the domain services,
as the municipality cabinet would; the parent's application too. The rest is the browser.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect
from sqlmodel import select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.confirmation import confirm_email, send_confirmation
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import register_parent
from navigator.domain.certificates.api import import_registry, request_certificate
from navigator.domain.certificates.numbers import format_certificate_number
from navigator.domain.enrollment.api import apply_to_group
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.api import admit_provider
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import make_engine, read_session, transaction
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.models import OutgoingMail
from seed.identifiers import national_id
from tests.support.mail import last_link

PASSWORD = "provider-pass-2026"


def _confirmation_token(s, user_id: int) -> str:
    """A confirmation link mailed to the new parent, opened (the provider's page is tested
    here; the parent's own opening of it is in the parent journey)."""
    send_confirmation(s, user_id, app_url="https://navigator.example")
    s.flush()
    user = s.get(User, user_id)
    [letter] = s.exec(select(OutgoingMail).where(OutgoingMail.recipient == user.email)).all()
    return letter.body.split("token=")[1].split()[0]


def _code(s, child) -> str:
    """The child's made-up national identifier, the same each time it is asked for."""
    country = s.get(Municipality, child.municipality_id).country
    return national_id(country, child.birth_date, child.id * 7 + 3)


def _verified_in_registry(s, municipality_id: int, child, guardian_email: str) -> None:
    """The municipality's registry names this parent as the child's guardian."""
    row = f"{_code(s, child)},{child.birth_date.isoformat()},base,{guardian_email}"
    csv = "national_id,birth_date,category,guardian_email\n" + row
    report = import_registry(s, Actor.system(), municipality_id, csv)
    assert report.errors == []


@pytest.mark.e2e
def test_provider_journey(chromium_browser: Browser, app_url: str, artifacts_dir: Path) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    stamp = int(time.time())
    email = f"org.{stamp}@example.org"
    title = f"Ладья {stamp} шахматы"
    context = chromium_browser.new_context(locale="ru-RU")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def shot(name: str) -> None:
        page.screenshot(path=artifacts_dir / f"provider-{name}.png", full_page=True)

    try:
        # ---- signs up; pending until the municipality admits it
        page.goto(f"{app_url}/provider/register", wait_until="domcontentloaded", timeout=60_000)
        page.locator("#f-organisation").fill("Шахматный клуб «Ладья»")
        page.locator("#f-kind").select_option("private")
        page.locator("#f-municipality_id").select_option(label="Vilnius")
        page.locator("#f-email").fill(email)
        page.locator("#f-password").fill(PASSWORD)
        page.locator("#f-password_again").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/provider/?$"), timeout=30_000)
        expect(page.locator("#pending-admission")).to_be_visible(timeout=15_000)
        expect(page.locator("#confirm-banner")).to_contain_text(email)
        shot("01-pending")
        with transaction(engine) as s:  # not before the owner's address is confirmed
            waiting = s.exec(
                select(Provider).where(Provider.name == "Шахматный клуб «Ладья»")
            ).all()[-1]
            with pytest.raises(Conflict):
                admit_provider(s, Actor.system(), waiting.id)
        page.goto(last_link(engine, email, routes.AUTH_EMAIL_CONFIRM, app_url))
        expect(page.locator("#auth-notice")).to_have_text("Адрес подтверждён.", timeout=15_000)
        page.goto(f"{app_url}/provider", wait_until="domcontentloaded")
        expect(page.locator("#confirm-banner")).to_have_count(0, timeout=15_000)
        with transaction(engine) as s:
            provider = s.exec(
                select(Provider).where(Provider.name == "Шахматный клуб «Ладья»")
            ).all()[-1]
            admit_provider(s, Actor.system(), provider.id)
            municipality = s.get(Municipality, provider.municipality_id)
            # the one picked (the list the built page had, older than the load's, once moved
            # the options under the choice: tests/state/test_provider_register_choices.py)
            assert municipality.name == "Vilnius", municipality.name
            today = local_today(municipality)

        # ---- creates a program (a bad age range first) and submits it
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#pending-admission")).to_have_count(0, timeout=15_000)
        page.locator("#screen-programs").click()  # the cabinet's screens: programs are one
        page.wait_for_url(re.compile(r"/provider/programs/?$"), timeout=30_000)
        expect(page.locator("#screen-programs")).to_have_attribute("aria-current", "page")
        page.locator("#f-title").fill(title)
        page.locator("#f-age_min").fill("12")
        page.locator("#f-age_max").fill("7")
        page.locator("#save-program").click()
        # said under the age it names (components/forms.field), not in the page's callout
        expect(page.locator("#f-age_min-error, #f-age_max-error")).to_be_visible(timeout=15_000)
        page.locator("#f-age_max").fill("14")
        page.locator("#f-description").fill(
            "Для начинающих.\n\n- дебюты\n- эндшпиль\n\n<b>не жирный</b>"
        )
        page.locator("#f-address").fill("Gedimino pr. 9, Vilnius")
        page.locator("#f-latitude").fill("54.6872")
        page.locator("#f-longitude").fill("25.2797")
        page.locator("#save-program").click()
        page.wait_for_url(re.compile(r"/provider/programs/\d+/?$"), timeout=30_000)
        page.locator("#submit-program").click()  # not without a group: its price is certified too
        expect(page.locator("#program-error")).to_contain_text("групп", timeout=15_000)
        # ---- opens a group first: every day from today (no lessons at all is refused first)
        page.locator("#f-name").fill("Утренняя")
        page.locator("#f-starts_on").fill(today.isoformat())
        page.locator("#f-ends_on").fill((today + timedelta(days=60)).isoformat())
        page.locator("#f-seats").fill("5")
        page.locator("#f-price").fill("4,00")
        page.locator("#add-group").click()
        expect(page.locator("#program-error")).to_contain_text("день", timeout=15_000)
        for n in range(1, 8):
            page.locator(f"#f-weekday_{n}").check()
        page.locator("#add-group").click()
        expect(page.locator("table tbody tr")).to_have_count(1, timeout=15_000)
        shot("04-group")

        page.locator("#submit-program").click()
        expect(page.locator("#certification-status")).to_have_text(
            "на сертификации", timeout=15_000
        )
        shot("02-submitted")

        # ---- a photo: a text file is refused, a real one is shown (re-encoded as JPEG)
        fake = artifacts_dir / "not-a-photo.jpg"
        fake.write_text("name,age\n")
        page.locator("#program-photo input[type=file]").set_input_files(str(fake))
        page.locator("#upload-photo").click()
        expect(page.locator("#program-error")).to_contain_text("не фотография", timeout=15_000)
        photo_path = artifacts_dir / "photo.png"
        Image.new("RGB", (800, 600), "teal").save(photo_path)
        page.locator("#program-photo input[type=file]").set_input_files(str(photo_path))
        page.locator("#upload-photo").click()
        expect(page.locator("img.program-photo")).to_be_visible(timeout=15_000)
        photo_src = page.locator("img.program-photo").get_attribute("src")
        assert photo_src and photo_src.endswith(".jpg")
        assert httpx.get(f"{app_url}{photo_src}", timeout=30).headers["content-type"] == (
            "image/jpeg"
        )

        # ---- paused, it leaves the catalog; resumed, it is back
        page.locator("#pause-program").click()
        expect(page.locator("#program-listing")).to_have_text("приостановлена", timeout=15_000)
        page.locator("#resume-program").click()
        # resumed, but still waiting for its first certification: not called "in the catalog"
        expect(page.locator("#program-listing")).to_have_text(
            "появится в каталоге после сертификации", timeout=15_000
        )
        with transaction(engine) as s:  # the municipality certifies it, group and price seen
            program = s.exec(select(Program).where(Program.title == title)).one()
            set_certification(s, Actor.system(), program.id, "certified")
        program_id = program.id
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#certification-status")).to_have_text(
            "сертифицирована", timeout=15_000
        )
        expect(page.locator("#program-listing")).to_have_text("в каталоге")

        # ---- imports two more programs from CSV: a good row imports, a bad row is reported
        csv_path = artifacts_dir / "provider-import.csv"
        csv_path.write_text(
            "external_id,title,description,direction,age_min,age_max,language,format,address,lat,"
            "lng,price_per_lesson,lessons_per_week,start_date,end_date,seats,weekdays\n"
            f"imp-1,Импорт {stamp},,technical,7,12,ru,in_person,,,,3.50,2,{today},"
            f"{today + timedelta(days=60)},10,1 3\n"
            f"imp-2,Плохая строка,,cooking,7,12,ru,in_person,,,,3.50,2,{today},"
            f"{today + timedelta(days=60)},10,1 3\n",
            encoding="utf-8",
        )
        page.goto(f"{app_url}/provider/programs", wait_until="domcontentloaded")
        page.locator("#programs-csv input[type=file]").set_input_files(str(csv_path))
        page.locator("#import-programs").click()
        expect(page.locator("#import-summary")).to_have_text(
            "Создано: 1, обновлено: 0, строк с ошибками: 1.", timeout=15_000
        )
        expect(page.locator(".import-error")).to_contain_text("3")
        expect(page.locator(".provider-program", has_text=f"Импорт {stamp}")).to_be_visible()
        shot("03-imported")

        # ---- the program is in search within seconds
        catalog = context.new_page()
        catalog.goto(app_url, wait_until="domcontentloaded")
        expect(catalog.locator(".program-card").first).to_be_visible(timeout=30_000)
        first_card = catalog.locator(".program-card").first
        for _attempt in range(20):  # a parent searching again until the new program shows
            catalog.locator("#search").fill("")
            catalog.locator("#search").fill(title)
            catalog.wait_for_timeout(500)
            if title in (first_card.inner_text() if first_card.count() else ""):
                break
        expect(first_card).to_contain_text(title)
        # its page: the photo, the description's list, markup shown as typed
        catalog.goto(f"{app_url}/programs/{program_id}", wait_until="domcontentloaded")
        expect(catalog.locator("#program-photo")).to_be_visible(timeout=30_000)
        expect(catalog.locator("#program-description li")).to_have_count(2)
        expect(catalog.locator("#program-description")).to_contain_text("<b>не жирный</b>")
        expect(catalog.locator("#program-description b")).to_have_count(0)
        catalog.close()

        # ---- a parent applies (domain), the provider accepts in the browser
        parent_email = f"parent.{stamp}@example.org"
        with transaction(engine) as s:
            signed_in = register_parent(s, parent_email, PASSWORD, PASSWORD)
            parent = Actor.user(signed_in.user_id)
            token = _confirmation_token(s, signed_in.user_id)
        with transaction(engine) as s:  # the link opened: its own request
            confirm_email(s, token)
        with transaction(engine) as s:
            child = add_child(
                s,
                parent,
                guardian_id=signed_in.user_id,
                municipality_id=provider.municipality_id,
                first_name="Lukas",
                last_name=f"Ladija{stamp}",
                birth_date=today.replace(year=today.year - 13, day=1),
            )
            _verified_in_registry(s, provider.municipality_id, child, parent_email)
        with transaction(engine) as s:
            request_certificate(s, parent, child.id, national_id=_code(s, child))
        with transaction(engine) as s:  # one request each, as the parent's browser sends them
            sister = add_child(
                s,
                parent,
                guardian_id=signed_in.user_id,
                municipality_id=provider.municipality_id,
                first_name="Ona",
                last_name=f"Ladija{stamp}",
                # 12 on 1 January, 13 from the 2nd: within the program's 12–14 for all of the
                # group's 60 days, whatever today is (born "12 years ago on the 2nd" was 11 on
                # the 1st of a month)
                birth_date=date(today.year - 13, 1, 2),
            )
            _verified_in_registry(s, provider.municipality_id, sister, parent_email)
        with transaction(engine) as s:
            sister_certificate = request_certificate(
                s, parent, sister.id, national_id=_code(s, sister)
            ).certificate
            sister_number = format_certificate_number(sister_certificate.number)
            sister_born = sister.birth_date
            group = s.exec(select(Group).where(Group.program_id == program_id)).one()
        with transaction(engine) as s:
            apply_to_group(s, parent, child.id, group.id)
        page.goto(f"{app_url}/provider", wait_until="domcontentloaded")
        card = page.locator(".application-card", has_text=f"Ladija{stamp}")
        expect(card).to_be_visible(timeout=15_000)
        card.locator(".accept-application").click()
        expect(card).to_contain_text("принята", timeout=15_000)
        shot("05-accepted")

        # ---- marks today's lesson in the register, opened from the desk's "lessons today"
        page.reload(wait_until="domcontentloaded")
        lesson = page.locator(".lesson-today", has_text="Утренняя")
        expect(lesson).to_contain_text("0 из 1", timeout=15_000)
        lesson.locator(".today-register").click()
        expect(page.locator("#lesson-date")).to_be_visible(timeout=30_000)
        page.locator("#save-marks").click()
        expect(page.locator("#register-notice")).to_have_text("Отмечен 1 ребёнок", timeout=15_000)
        expect(page.locator("#register td").first).to_have_text("✓")
        page.locator("#save-marks").click()  # the same grid again changes nothing
        expect(page.locator("#register-notice")).to_have_text("Отмечено 0 детей", timeout=15_000)
        shot("06-register")

        # ---- corrects the mark (absent: the charge comes back), then back to present
        correction = page.locator("#save-correction")
        page.locator("#f-status").select_option("absent")
        correction.click()  # the reason is required by the browser; the domain too
        expect(page.locator("#correction-notice")).to_have_count(0)
        page.locator("#f-reason").fill("Отмечен по ошибке")
        correction.click()
        expect(page.locator("#correction-notice")).to_be_visible(timeout=15_000)
        expect(page.locator("#register td").first).to_have_text("✗")
        expect(page.locator("#corrections tbody tr")).to_have_count(1)
        expect(page.locator("#corrections")).to_contain_text("Отмечен по ошибке")
        page.locator("#f-status").select_option("present")
        page.locator("#f-reason").fill("Всё-таки был")
        correction.click()
        expect(page.locator("#corrections tbody tr")).to_have_count(2, timeout=15_000)
        expect(page.locator("#register td").first).to_have_text("✓")
        shot("06b-corrections")

        # ---- the month's statement, on screen and as CSV
        page.goto(f"{app_url}/provider", wait_until="domcontentloaded")
        expect(page.locator(".lesson-today", has_text="Утренняя")).to_contain_text(
            "1 из 1", timeout=15_000
        )
        page.locator("#screen-statements").click()
        page.wait_for_url(re.compile(r"/provider/statements/?$"), timeout=30_000)
        page.locator("#statement-month").fill(today.strftime("%Y-%m"))
        page.locator("#show-statement").click()
        line = page.locator(".statement-line", has_text="Утренняя")
        expect(line).to_contain_text("1", timeout=15_000)
        with page.expect_download() as download:
            page.locator("#download-statement").click()
        csv_text = Path(download.value.path()).read_text(encoding="utf-8")
        assert csv_text.startswith("\ufeffПрограмма,Группа,")  # the screen's words; Excel-ready
        assert "EUR" in csv_text.splitlines()[0]
        assert title in csv_text and "Утренняя,1,1," in csv_text
        shot("07-statement")

        # ---- an API key for the provider's own system: shown once, works, then revoked
        page.locator("#screen-team").click()
        page.wait_for_url(re.compile(r"/provider/team/?$"), timeout=30_000)
        page.locator("#key-name").fill("e-journal")
        page.locator("#create-key").click()
        secret = page.locator("#new-key").inner_text(timeout=15_000)
        assert secret.startswith("nav_")
        auth = {"Authorization": f"Bearer {secret}"}
        listed = httpx.get(f"{app_url}/api/v1/provider/applications", headers=auth, timeout=30)
        assert listed.status_code == 200 and listed.json()[0]["status"] == "active"
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("#new-key")).to_have_count(0, timeout=15_000)
        assert secret not in page.content()
        page.locator(".revoke-key").first.click()
        expect(page.get_by_text("Отозван")).to_be_visible(timeout=15_000)
        assert httpx.get(f"{app_url}/api/v1/provider/applications", headers=auth).status_code == 401

        # ---- enrollment at the desk: certificate number + birth date; nothing held yet
        page.locator("#screen-desk").click()
        page.wait_for_url(re.compile(r"/provider/?$"), timeout=30_000)
        page.locator("#offer-group").select_option(label=f"{title} · Утренняя")
        page.locator("#offer-number").fill(sister_number)
        page.locator("#offer-birth").fill("2001-01-01")
        page.locator("#send-offer").click()
        expect(page.locator("#provider-error")).to_have_text(
            "Сертификат с таким номером и датой рождения не найден.", timeout=15_000
        )
        page.locator("#offer-birth").fill(sister_born.isoformat())
        page.locator("#send-offer").click()
        expect(page.locator("#provider-notice")).to_contain_text("Отправлено", timeout=15_000)
        with read_session(engine) as s:
            assert len(s.exec(select(Enrollment).where(Enrollment.group_id == group.id)).all()) == 1

        # ---- the owner invites a teacher by e-mail; the teacher joins from the link
        page.locator("#screen-team").click()
        page.wait_for_url(re.compile(r"/provider/team/?$"), timeout=30_000)
        page.locator("#invite-email").fill(f"teacher.{stamp}@example.org")
        page.locator("#send-invitation").click()
        expect(page.locator("#provider-notice")).to_contain_text("teacher.", timeout=15_000)
        expect(page.locator("#staff .staff-row")).to_have_count(2)
        with read_session(engine) as s:
            letter = s.exec(
                select(OutgoingMail).where(OutgoingMail.recipient == f"teacher.{stamp}@example.org")
            ).one()
        link = re.search(r"https?://\S+/invite\?token=\S+", letter.body).group(0)
        invitee = chromium_browser.new_context(locale="ru-RU")
        try:
            joiner = invitee.new_page()
            joiner.goto(f"{app_url}/invite?{link.split('?', 1)[1]}", wait_until="domcontentloaded")
            expect(joiner.locator("#invite-provider")).to_have_text(
                "Шахматный клуб «Ладья»", timeout=30_000
            )
            joiner.locator("#password").fill(PASSWORD)
            joiner.locator("#password_again").fill(PASSWORD)
            joiner.locator("#submit").click()
            joiner.wait_for_url(re.compile(r"/provider/?$"), timeout=30_000)
            joiner.locator("#screen-programs").click()  # the organisation's programs
            expect(joiner.locator(".provider-program", has_text=title)).to_be_visible(
                timeout=15_000
            )
            joiner.locator("#screen-team").click()
            joiner.wait_for_url(re.compile(r"/provider/team/?$"), timeout=30_000)
            expect(joiner.locator("#key-name")).to_be_visible(timeout=15_000)
            expect(joiner.locator("#staff")).to_have_count(0)  # staff do not manage staff
        finally:
            invitee.close()
    finally:
        context.close()

    # ---- the parent's cabinet shows the capture
    parent_context = chromium_browser.new_context(locale="ru-RU")
    page = parent_context.new_page()
    try:
        page.goto(f"{app_url}/login", wait_until="domcontentloaded", timeout=60_000)
        page.locator("#email").fill(parent_email)
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/cabinet/?$"), timeout=30_000)
        with read_session(engine) as s:
            captured = s.exec(select(Enrollment).where(Enrollment.group_id == group.id)).one()
        # one lesson paid: captured, refunded by the correction, captured again
        paid = captured.captured_minor - captured.refunded_minor
        # the share of one 4,00 € lesson; the enrollment's terms are named if it fails
        assert 0 < paid == captured.refunded_minor <= 400, captured.model_dump()
        expected = f"{paid // 100},{paid % 100:02d} €"
        enrollment = page.locator(".enrollment-card", has_text=title)
        expect(enrollment.locator(".enrollment-captured")).to_have_text(expected, timeout=15_000)
        page.screenshot(path=artifacts_dir / "provider-08-parent-sees-capture.png", full_page=True)

        # ---- and confirms the desk's offer: now the hold is placed
        offer = page.locator(".offer-card")
        expect(offer.locator(".offer-terms")).to_contain_text("Оплатит сертификат")
        offer.locator(".confirm-offer").click()
        sister_card = page.locator(".enrollment-card", has_text="Ona")
        expect(sister_card.locator(".enrollment-status")).to_have_text("принята", timeout=15_000)
        expect(sister_card.locator(".enrollment-held")).not_to_have_text("0,00 €")
        expect(page.locator(".offer-card")).to_have_count(0)
        page.screenshot(path=artifacts_dir / "provider-09-offer-confirmed.png", full_page=True)
    finally:
        parent_context.close()
    with read_session(engine) as s:
        assert s.get(Program, program_id).certification_status == "certified"
    engine.dispose()
    assert errors == []
