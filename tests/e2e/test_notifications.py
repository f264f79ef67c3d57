"""A provider marks a lesson in the browser; the parent's bell counts it, /notifications
reads it in Russian, and the letter arrives in the real SMTP server (navigator.mailserver)
when the scheduler's round runs: the child named by first name only."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from navigator.domain.accounts.models import User
from navigator.domain.enrollment.api import accept_application
from navigator.domain.notifications.centre import unread_count
from navigator.domain.notifications.delivery import run_notification_jobs
from navigator.domain.shared.db import make_engine, read_session
from navigator.domain.shared.mail import send_pending
from navigator.domain.shared.models import OutgoingMail
from navigator.settings import get_settings
from tests.factories import PASSWORD, build_world
from tests.support.mail import letters_to


def _sign_in(page, app_url: str, email: str, landing: str) -> None:
    page.goto(f"{app_url}/login", wait_until="domcontentloaded", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(landing), timeout=30_000)


@pytest.mark.e2e
def test_a_marked_lesson_rings_the_parents_bell_and_mails_them(
    chromium_browser: Browser, app_url: str, artifacts_dir: Path, app_smtp_server
) -> None:
    engine = make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])
    smtp = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=app_smtp_server.port)
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()  # the world's municipality's day
    world = build_world(engine, today=today)  # a group from today on Mondays and Wednesdays
    group_id = world.group_id
    if today.isoweekday() not in (1, 3):
        group_id = world.add_group(weekdays=(today.isoweekday(),))
    enrollment_id = world.apply(group_id=group_id)
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=today)
    with read_session(engine) as s:
        staff = s.get(User, world.provider_user.user_id).email
        parent = s.get(User, world.parent.user_id).email
    run_notification_jobs(engine)  # what came before the lesson: credited, held
    send_pending(engine, smtp)
    before = len(letters_to(app_smtp_server.mailbox, parent))

    provider_context = chromium_browser.new_context(locale="ru-RU")
    page = provider_context.new_page()
    try:
        _sign_in(page, app_url, staff, r"/provider/?$")
        lesson = page.locator(".lesson-today", has_text="0 из 1")
        expect(lesson).to_be_visible(timeout=15_000)
        lesson.locator(".today-register").click()
        expect(page.locator("#lesson-date")).to_be_visible(timeout=30_000)
        page.locator("#save-marks").click()
        expect(page.locator("#register-notice")).to_have_text("Отмечен 1 ребёнок", timeout=15_000)
    finally:
        provider_context.close()

    with read_session(engine) as s:
        unread = unread_count(s, world.parent)
    parent_context = chromium_browser.new_context(
        locale="ru-RU", viewport={"width": 360, "height": 740}
    )
    page = parent_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _sign_in(page, app_url, parent, r"/cabinet/?$")
        expect(page.locator("#bell-count")).to_have_text(str(unread), timeout=15_000)
        page.locator("#nav-notifications").click()
        page.wait_for_url(re.compile(r"/notifications/?$"), timeout=30_000)
        first = page.locator(".notification-line").first
        expect(first).to_contain_text("оплачено", timeout=15_000)
        expect(first).to_contain_text("Аня")
        page.screenshot(path=artifacts_dir / "notifications-parent.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width}px wide on a 360px phone"
        page.locator("#mark-all-read").click()
        expect(page.locator("#bell-count")).to_have_count(0, timeout=15_000)
        page.locator("#mail-mode").select_option("instant")
        page.locator("#save-preference").click()
        expect(page.locator("#preference-notice")).to_have_text(
            "Настройки писем сохранены", timeout=15_000
        )
        assert errors == []
    finally:
        parent_context.close()

    run_notification_jobs(engine)  # the scheduler's round, run now
    send_pending(engine, smtp)
    letters = letters_to(app_smtp_server.mailbox, parent)[before:]
    texts = [letter.get_body(("plain",)).get_content() for letter in letters]
    charged = [t for t in texts if "оплачено" in t]
    assert len(charged) == 1, texts
    assert "Аня" in charged[0] and "Иванова" not in charged[0]
    with read_session(engine) as s:
        ids = set(s.exec(select(OutgoingMail.message_id).where(OutgoingMail.recipient == parent)))
    assert {letter["Message-ID"] for letter in letters} <= ids
    engine.dispose()
