"""A municipality administrator's day: a nominal table and a period opened, a program
certified from the queue, and the report showing the money held once a parent enrolls.

The operator's set-up (a new municipality and its administrator) and the parent's and the
provider's steps, whose screens other journeys test, go through the domain services.
"""

from __future__ import annotations

import io
import os
import re
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.api import request_certificate
from navigator.domain.certificates.models import Certificate, CertificateAccount
from navigator.domain.enrollment.api import accept_application, apply_to_group
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.municipalities.api import create_admin, create_municipality
from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    create_program,
    update_program,
)
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import Group
from navigator.domain.providers.api import create_provider
from navigator.domain.shared.db import make_engine, read_session, transaction
from seed.identifiers import snils

PASSWORD = "municipal-pass-2026"
SYSTEM = Actor.system()


@pytest.mark.e2e
def test_municipality_journey(chromium_browser: Browser, app_url: str, artifacts_dir: Path) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    stamp = int(time.time())
    today = date.today()  # the new town's clock is UTC
    admin_email = f"admin.{stamp}@example.org"
    with transaction(engine) as s:
        town = create_municipality(
            s,
            code=f"e2e-{stamp}",
            name=f"Новоград {stamp}",
            country="RU",
            currency="RUB",
            locale="ru",
            timezone="UTC",
        )
        create_user(s, admin_email, PASSWORD, locale="ru")
        create_admin(s, SYSTEM, email=admin_email, municipality_code=town.code)
        provider = create_provider(s, municipality_id=town.id, name=f"Клуб {stamp}", kind="private")
        owner = create_user(
            s,
            f"owner.{stamp}@example.org",
            PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, provider.id),),
            email_confirmed=True,  # opened the link from the sign-up letter
        )
        town_id, provider_id, owner_actor = town.id, provider.id, Actor.user(owner.id)

    context = chromium_browser.new_context(locale="ru-RU", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def shot(name: str) -> None:
        page.screenshot(path=artifacts_dir / f"municipality-{name}.png", full_page=True)

    try:
        page.goto(f"{app_url}/login?next=/municipality", wait_until="domcontentloaded")
        page.locator("#email").fill(admin_email)
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/(municipality|cabinet)/?$"), timeout=30_000)
        if "/municipality" not in page.url:  # `next` is read once the page has hydrated
            page.locator("#nav-municipality").click()
            page.wait_for_url(re.compile(r"/municipality/?$"), timeout=30_000)
        expect(page.locator("#municipality-name")).to_have_text(f"Новоград {stamp}", timeout=30_000)

        # ---- admits the provider from the queue
        card = page.locator(".admission-card", has_text=f"Клуб {stamp}")
        card.locator(".admit-provider").click()
        expect(page.locator(".admission-card")).to_have_count(0, timeout=15_000)

        # ---- creates a period: a negative budget is refused, then a good one
        page.locator("#new-period-box summary").click()
        form = page.locator("#new-period")
        form.locator("#m-new-name").fill(f"{today.year}/{today.year + 1}")
        form.locator("#m-new-starts_on").fill((today - timedelta(days=30)).isoformat())
        form.locator("#m-new-ends_on").fill((today + timedelta(days=240)).isoformat())
        form.locator("#m-new-budget").fill("-5")
        form.locator("#m-new-max_funded_certificates").fill("100")
        form.locator("#create-period").click()
        expect(page.locator("#municipality-error")).to_contain_text("отриц", timeout=15_000)
        form.locator("#m-new-budget").fill("1000000")
        form.locator("#create-period").click()
        expect(page.locator("#periods-table tbody tr")).to_have_count(1, timeout=15_000)
        expect(page.locator(".period-status")).to_have_text("черновик")

        # ---- opening without a nominal is refused; overlapping ages are refused
        page.locator("#open-period").click()
        expect(page.locator("#municipality-error")).to_contain_text("номинал", timeout=15_000)
        nominal = page.locator("#nominal-form")
        nominal.locator("#m-effective_from").fill(today.isoformat())
        for i, (low, high, amount) in enumerate((("5", "10", "15000"), ("10", "17", "12000"))):
            nominal.locator(f"#nominal-from-{i}").fill(low)
            nominal.locator(f"#nominal-to-{i}").fill(high)
            nominal.locator(f"#nominal-amount-{i}").fill(amount)
        page.locator("#save-nominal").click()
        expect(page.locator("#municipality-error")).to_contain_text("пересекаются", timeout=15_000)
        expect(page.locator("#nominal-table tbody tr")).to_have_count(0)
        nominal.locator("#nominal-from-1").fill("11")
        page.locator("#save-nominal").click()
        expect(page.locator("#nominal-table tbody tr")).to_have_count(2, timeout=15_000)
        expect(page.locator("#nominal-table")).to_contain_text("15\u202f000,00 ₽")
        page.locator("#open-period").click()
        expect(page.locator(".period-status")).to_have_text("открыт", timeout=15_000)
        shot("01-period-open")

        # ---- the provider submits a program; it is certified from the queue
        with transaction(engine) as s:
            program = create_program(
                s,
                owner_actor,
                provider_id,
                ProgramFields(
                    title=f"Шахматы {stamp}",
                    direction="technical",
                    age_min=7,
                    age_max=14,
                    language="ru",
                ),
            )
            program_id = program.id
            create_group(
                s,
                owner_actor,
                program_id,
                name="Вечерняя",
                timetable=[{"weekday": d, "start": "16:00", "end": "17:00"} for d in range(1, 8)],
                starts_on=today,
                ends_on=today + timedelta(days=29),
                seats=5,
                price_per_lesson_minor=30_000,
            )
        with transaction(engine) as s:  # submitted once its group and price exist
            set_certification(s, owner_actor, program_id, "submitted")
        page.reload(wait_until="domcontentloaded")
        submission = page.locator(".submission-card", has_text=f"Шахматы {stamp}")
        expect(submission).to_contain_text("Первая сертификация", timeout=30_000)
        submission.locator(".certify-program").click()
        expect(page.locator("#certification-empty")).to_be_visible(timeout=15_000)
        expect(page.locator("#audit-log")).to_contain_text("программа сертифицирована")
        shot("02-certified")

        # ---- the parent's new certificate receives the nominal; the provider accepts
        with transaction(engine) as s:
            parent = create_user(
                s,
                f"parent.{stamp}@example.org",
                PASSWORD,
                roles=((Role.PARENT, None, None),),
                email_confirmed=True,
            )
            parent_actor = Actor.user(parent.id)
            child = add_child(
                s,
                parent_actor,
                guardian_id=parent.id,
                municipality_id=town_id,
                first_name="Мира",
                last_name=f"Новая{stamp}",
                birth_date=today.replace(year=today.year - 9, day=1),
                district="Заречный",
            )
            child_id = child.id
        with transaction(engine) as s:  # no registry here: the request waits for an official
            outcome = request_certificate(
                s, parent_actor, child_id, national_id=snils(stamp % 10_000_000)
            )
            assert outcome.certificate is None and outcome.waiting is not None
        page.reload(wait_until="domcontentloaded")
        waiting = page.locator(".verification-card", has_text=f"Новая{stamp}")
        expect(waiting).to_contain_text(f"parent.{stamp}@example.org", timeout=30_000)
        expect(waiting).to_contain_text("нет в реестре")
        shot("02b-verification")
        waiting.locator(".approve-request").click()
        expect(waiting).to_have_count(0, timeout=15_000)
        expect(page.locator("#audit-log")).to_contain_text("ребёнок подтверждён")
        with read_session(engine) as s:
            account = s.exec(
                select(CertificateAccount)
                .join(Certificate, col(Certificate.id) == CertificateAccount.certificate_id)
                .where(Certificate.child_id == child_id)
            ).one()
            assert account.credited_minor == 1_500_000  # 15 000,00 ₽ for ages 5–10
            group_id = s.exec(select(Group.id).where(Group.program_id == program_id)).one()
        with transaction(engine) as s:  # one request each, as the parent's browser sends them
            enrollment = apply_to_group(s, parent_actor, child_id, group_id)
        with transaction(engine) as s:
            accepted = accept_application(s, owner_actor, enrollment.id)
            held = accepted.held_minor
        assert held > 0

        # ---- the report shows the hold; its download says the same
        page.reload(wait_until="domcontentloaded")
        held_text = f"{held // 100:,}".replace(",", "\u202f") + f",{held % 100:02d} ₽"
        expect(page.locator(".period-committed")).to_have_text(held_text, timeout=30_000)
        page.locator("#report-spending").click()
        expect(page.locator("#report-table")).to_contain_text(held_text, timeout=15_000)
        expect(page.locator("#report-table")).to_contain_text("техническая")
        expect(page.locator(".recharts-surface").first).to_be_visible()
        with page.expect_download() as download:
            page.locator("#report-xlsx").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert float(rows[1][2]) == held / 100
        page.locator("#report-not_enrolled").click()
        expect(page.locator("#report-table")).to_contain_text("Заречный", timeout=15_000)
        shot("03-report")

        # ---- the budget cannot go below what is committed
        period_form = page.locator("#period-form")
        period_form.locator("#m-edit-budget").fill("1")
        period_form.locator("#save-period").click()
        expect(page.locator("#municipality-error")).to_contain_text(
            "зарезервированного", timeout=15_000
        )
        with read_session(engine) as s:
            period = s.exec(
                select(FundingPeriod).where(FundingPeriod.municipality_id == town_id)
            ).one()
            assert period.budget_minor == 100_000_000

        # ---- the provider changes the program: it is back in the queue with a diff
        with transaction(engine) as s:
            update_program(
                s,
                owner_actor,
                program_id,
                ProgramFields(
                    title=f"Шахматы {stamp} плюс",
                    direction="technical",
                    age_min=7,
                    age_max=14,
                    language="ru",
                ),
            )
        page.reload(wait_until="domcontentloaded")
        submission = page.locator(".submission-card", has_text=f"Шахматы {stamp} плюс")
        expect(submission.locator("tbody tr")).to_have_count(1, timeout=30_000)
        expect(submission).to_contain_text(f"Шахматы {stamp}")
        submission.locator(".reject-program").click()
        page.locator("#confirm-decision").click()  # the browser asks for the reason first
        expect(page.locator(".submission-card")).to_have_count(1)
        page.locator("#decision-reason").fill("Название не соответствует содержанию")
        page.locator("#confirm-decision").click()
        expect(page.locator("#certification-empty")).to_be_visible(timeout=15_000)
        expect(page.locator("#audit-log")).to_contain_text("Название не соответствует")
        shot("04-rejected")
        assert not errors, errors
    finally:
        context.close()
        engine.dispose()


@pytest.mark.e2e
def test_a_parent_cannot_use_the_municipality_cabinet(
    chromium_browser: Browser, app_url: str
) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    stamp = int(time.time())
    with transaction(engine) as s:
        create_user(s, f"nosy.{stamp}@example.org", PASSWORD, roles=((Role.PARENT, None, None),))
    context = chromium_browser.new_context(locale="ru-RU")
    page = context.new_page()
    try:
        page.goto(f"{app_url}/login?next=/municipality", wait_until="domcontentloaded")
        page.locator("#email").fill(f"nosy.{stamp}@example.org")
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r"/municipality/?$"), timeout=30_000)
        expect(page.locator("#not-an-admin")).to_be_visible(timeout=30_000)
        expect(page.locator("#periods-table")).to_have_count(0)
        expect(page.locator("#nav-municipality")).to_have_count(0)
    finally:
        context.close()
        engine.dispose()
