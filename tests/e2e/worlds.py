"""Worlds with real data for the screen and accessibility tests, built through the domain
(tests/factories.py), and signing in to them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role, User
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.programs.api import ProgramFields, create_program
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus
from navigator.domain.shared.db import make_engine, read_session
from tests.factories import PASSWORD, World, _seq, build_world


def e2e_engine():
    return make_engine(os.environ["NAVIGATOR_E2E_DATABASE_URL"])


def moscow_today() -> date:
    return datetime.now(ZoneInfo("Europe/Moscow")).date()  # the factories' town's day


@dataclass
class Busy:
    """A town at work: an admitted provider with a group meeting today, a child seated and
    marked present (the certificate paid), another's application waiting at the desk, a
    program waiting in the municipality's queue; the sign-in addresses of its parent, the
    provider's owner and the municipality's official."""

    world: World
    group_id: int
    owner: Actor
    owner_email: str
    admin_email: str
    parent_email: str


def busy_town() -> Busy:
    today = moscow_today()
    world = build_world(e2e_engine(), today=today)
    group_id = world.group_id
    if today.isoweekday() not in (1, 3):
        group_id = world.add_group(weekdays=(today.isoweekday(),))
    seated = world.apply(group_id=group_id)
    with world.tx() as s:
        accept_application(s, world.provider_user, seated, today=today)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, seated, today, "present", today=today)
    other_parent, other_child, _certificate, _account = world.add_parent_with_child()
    world.apply(child_id=other_child, group_id=group_id, parent=other_parent)
    with world.tx() as s:
        waiting = create_program(
            s,
            world.provider_user,
            world.provider_id,
            ProgramFields(
                title="Керамика", direction="artistic", age_min=6, age_max=12, language="ru"
            ),
        )
        waiting_id = waiting.id
        assert waiting_id is not None
    world.add_group(program_id=waiting_id, certify=False)
    with world.tx() as s:
        set_certification(s, world.provider_user, waiting_id, CertificationStatus.SUBMITTED)
    stamp = next(_seq)
    owner_email = f"screens.owner.{stamp}@example.org"
    admin_email = f"screens.admin.{stamp}@example.org"
    with world.tx() as s:
        owner = create_user(
            s, owner_email, PASSWORD, roles=((Role.PROVIDER_OWNER, None, world.provider_id),)
        )
        owner_id = owner.id
        create_user(
            s,
            admin_email,
            PASSWORD,
            locale="ru",
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
    with read_session(world.engine) as s:
        parent = s.get(User, world.parent.user_id)
        assert parent is not None
        parent_email = parent.email
    assert owner_id is not None
    return Busy(world, group_id, Actor.user(owner_id), owner_email, admin_email, parent_email)


def sign_in(page: Page, app_url: str, email: str, path: str) -> None:
    """Signed in from a deep link to `path`, and on it."""
    page.goto(f"{app_url}{routes.login_then(path)}", wait_until="domcontentloaded", timeout=60_000)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/(cabinet|provider|municipality)(/[a-z]+)?/?$"), timeout=30_000)
    if not page.url.rstrip("/").endswith(path):  # `next` is read once the page has hydrated
        page.goto(f"{app_url}{path}", wait_until="domcontentloaded", timeout=60_000)
