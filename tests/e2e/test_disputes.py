"""Disputes and fair waiting lists in Chromium: a charged lesson is disputed by the parent
on a phone, contested by the provider on its desk, upheld by the municipality, and the
refund shows in the parent's history; a waitlisted child with a verified disability is
promoted before an earlier child without one once the municipality says so."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role, User
from navigator.domain.certificates.verification import decide_request, request_category
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.shared.db import make_engine, read_session
from tests.factories import PASSWORD, SYSTEM, _seq, build_world


def _sign_in(page, app_url: str, email: str, path: str) -> None:
    page.goto(f"{app_url}/login?next={path}", wait_until="domcontentloaded", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/(cabinet|provider|municipality)/?$"), timeout=30_000)
    if not page.url.rstrip("/").endswith(path):  # `next` is read once the page has hydrated
        page.goto(f"{app_url}{path}", wait_until="domcontentloaded", timeout=60_000)


def _admin(world) -> str:
    email = f"dispute-admin-{next(_seq)}-{world.municipality_id}@example.org"
    with world.tx() as s:
        create_user(
            s,
            email,
            PASSWORD,
            locale="ru",
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
    return email


def _email(engine, actor) -> str:
    with read_session(engine) as s:
        return s.get(User, actor.user_id).email


@pytest.mark.e2e
def test_a_disputed_charge_is_contested_then_upheld_and_refunded(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    world = build_world(engine, today=today)
    group_id = world.group_id
    if today.isoweekday() not in (1, 3):
        group_id = world.add_group(weekdays=(today.isoweekday(),))
    enrollment_id = world.apply(group_id=group_id)
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=today)
    with world.tx() as s:  # the provider marks the lesson: its price is captured
        mark_attendance(s, world.provider_user, enrollment_id, today, "present", today=today)
    parent, staff, admin = (
        _email(engine, world.parent),
        _email(engine, world.provider_user),
        _admin(world),
    )

    def history(page):
        page.locator(".show-history").first.click()
        expect(page.locator("#history")).to_be_visible(timeout=15_000)

    phone = chromium_browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 740})
    page = phone.new_page()
    try:
        _sign_in(page, app_url, parent, "/cabinet")
        history(page)
        page.locator(".dispute-charge").first.click()
        expect(page.locator("#history-notice")).to_be_visible(timeout=15_000)
        expect(page.locator(".history-dispute")).to_have_text(
            "оспорено: ждём ответа организации", timeout=15_000
        )
        expect(page.locator(".dispute-charge")).to_have_count(0)
        page.screenshot(path=artifacts_dir / "dispute-parent.png", full_page=True)
    finally:
        phone.close()

    desk = chromium_browser.new_context(locale="ru-RU")
    page = desk.new_page()
    try:
        _sign_in(page, app_url, staff, "/provider")
        card = page.locator("#desk-disputes .dispute-card")
        expect(card).to_have_count(1, timeout=30_000)
        card.locator(".contest-dispute").click()
        page.locator("#contest-reason").fill("Ребёнок был, есть подпись в журнале")
        page.locator("#confirm-contest").click()
        expect(card).to_contain_text("Ждёт решения муниципалитета", timeout=15_000)
    finally:
        desk.close()

    office = chromium_browser.new_context(locale="ru-RU")
    page = office.new_page()
    try:
        _sign_in(page, app_url, admin, "/municipality")
        card = page.locator(".dispute-card", has_text="подпись в журнале")
        expect(card).to_have_count(1, timeout=30_000)
        card.locator(".uphold-dispute").click()
        page.locator("#decision-reason").fill("Подпись не совпадает с журналом")
        page.locator("#confirm-decision").click()
        expect(page.locator("#disputes-empty")).to_be_visible(timeout=15_000)
        expect(page.locator(".dispute-report-row")).to_contain_text("Дом творчества")
    finally:
        office.close()

    phone = chromium_browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 740})
    page = phone.new_page()
    try:
        _sign_in(page, app_url, parent, "/cabinet")
        history(page)
        expect(page.locator(".history-dispute")).to_contain_text("в вашу пользу", timeout=15_000)
        refund = page.locator(".history-line", has_text="Подпись не совпадает")
        expect(refund.locator(".history-in")).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the cabinet is {width}px wide on a 360px phone"
    finally:
        phone.close()
    engine.dispose()


@pytest.mark.e2e
def test_a_verified_disability_goes_first_off_the_waiting_list(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path
) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    world = build_world(engine, seats=1, today=today)
    seated = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, seated, today=today)
    early_parent, early_child, _c, _a = world.add_parent_with_child()
    late_parent, late_child, _c, _a = world.add_parent_with_child()
    with world.tx() as s:
        request_id = request_category(s, late_parent, late_child, "disability").id
    with world.tx() as s:
        decide_request(s, SYSTEM, request_id, "approve")
    early = world.apply(child_id=early_child, parent=early_parent)
    late = world.apply(child_id=late_child, parent=late_parent)
    admin = _admin(world)

    office = chromium_browser.new_context(locale="ru-RU")
    page = office.new_page()
    try:
        _sign_in(page, app_url, admin, "/municipality")
        expect(page.locator("#waitlist-form")).to_be_visible(timeout=30_000)
        page.locator("#m-level-disability").select_option("1")
        page.locator("#save-waitlist").click()
        expect(page.locator("#municipality-notice")).to_be_visible(timeout=15_000)
    finally:
        office.close()

    phone = chromium_browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 740})
    page = phone.new_page()
    try:
        _sign_in(page, app_url, _email(engine, late_parent), "/cabinet")
        expect(page.locator(".queue-place")).to_have_text(
            "Место в листе ожидания: 1 из 2", timeout=30_000
        )
        expect(page.locator(".queue-why")).to_contain_text("подтверждённая инвалидность")
        page.screenshot(path=artifacts_dir / "waitlist-parent.png", full_page=True)
    finally:
        phone.close()

    with world.tx() as s:  # the seat frees
        cancel_enrollment(s, world.parent, seated)
    with read_session(engine) as s:
        statuses = {
            e.id: e.status
            for e in s.exec(select(Enrollment).where(Enrollment.id.in_([early, late]))).all()
        }
    assert statuses == {early: "waitlisted", late: "applied"}
    engine.dispose()
