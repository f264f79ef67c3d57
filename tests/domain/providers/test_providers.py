"""A provider's own work through the domain: isolation, re-certification, the register."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.models import LedgerEntry
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_lesson, register_of
from navigator.domain.enrollment.models import Attendance
from navigator.domain.enrollment.queries import applications_of, monthly_statement
from navigator.domain.programs.api import ProgramFields, update_group, update_program
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.programs.queries import groups_of, programs_of
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.api import create_provider, register_provider
from navigator.domain.providers.models import Provider
from navigator.domain.providers.queries import providers_of
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from tests.factories import build_world

PASSWORD = "provider-pass-2026"


def _other_provider(world) -> Actor:
    with world.tx() as s:
        other = create_provider(
            s, municipality_id=world.municipality_id, name="Чужой", kind="private"
        )
        user = create_user(
            s, "other.staff@example.org", PASSWORD, roles=((Role.PROVIDER_OWNER, None, other.id),)
        )
        return Actor.user(user.id)


def _certify(world) -> None:
    with world.tx() as s:
        program = s.get(Program, world.program_id)
        assert program.certification_status == CertificationStatus.CERTIFIED


def test_sign_up_creates_a_pending_organisation_and_its_owner(engine):
    world = build_world(engine)
    with world.tx() as s:
        signed_in = register_provider(
            s,
            email="Owner@Example.org",
            password=PASSWORD,
            password_again=PASSWORD,
            organisation="Клуб «Ладья»",
            kind="private",
            licence_number="Л-123",
            municipality_id=world.municipality_id,
        )
    with read_session(engine) as s:
        (provider,) = providers_of(s, Actor.user(signed_in.user_id))
        assert provider.name == "Клуб «Ладья»" and provider.admitted is False


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"organisation": ""}, "field_required"),
        ({"kind": "church"}, "field_not_allowed"),
        ({"municipality_id": 999_999}, "field_required"),
        ({"password_again": "different-2026"}, "passwords_differ"),
        ({"email": "nope"}, "email_invalid"),
    ],
)
def test_a_bad_sign_up_saves_nothing(engine, changes, code):
    world = build_world(engine)
    with read_session(engine) as s:
        before = len(s.exec(select(Provider)).all())
    form = {
        "email": "owner@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "organisation": "Клуб",
        "kind": "private",
        "licence_number": "",
        "municipality_id": world.municipality_id,
    } | changes
    with pytest.raises(InvalidInput) as refused, world.tx() as s:
        register_provider(s, **form)
    assert refused.value.code == code
    with read_session(engine) as s:
        assert len(s.exec(select(Provider)).all()) == before


def test_another_providers_rows_answer_not_found_and_stay_unchanged(engine):
    world = build_world(engine)
    intruder = _other_provider(world)
    enrollment_id = world.apply()
    fields = ProgramFields(
        title="Взлом", direction="technical", age_min=7, age_max=12, language="ru"
    )
    calls = [
        lambda s: programs_of(s, intruder, world.provider_id),
        lambda s: applications_of(s, intruder, world.provider_id),
        lambda s: groups_of(s, intruder, world.program_id),
        lambda s: update_program(s, intruder, world.program_id, fields),
        lambda s: register_of(s, intruder, world.group_id, world.today),
        lambda s: mark_lesson(s, intruder, world.group_id, world.today, {enrollment_id: "present"}),
        lambda s: accept_application(s, intruder, enrollment_id),
    ]
    for call in calls:
        with pytest.raises(NotFound), world.tx() as s:
            call(s)
    with read_session(engine) as s:
        assert s.get(Program, world.program_id).title != "Взлом"
        assert s.exec(select(Attendance)).all() == []


def test_changing_a_certified_program_or_its_price_sends_it_back_to_review(engine):
    world = build_world(engine)
    _certify(world)
    with world.tx() as s:
        program = s.get(Program, world.program_id)
        same = ProgramFields(
            title=program.title,
            direction=program.direction,
            age_min=program.age_min,
            age_max=program.age_max,
            language=program.language,
            description=program.description,
            format=program.format,
            address=program.address,
            latitude=program.latitude,
            longitude=program.longitude,
            tags=program.tags,
            is_free=program.is_free,
        )
        update_program(s, world.provider_user, world.program_id, same)  # nothing changed
    with read_session(engine) as s:
        assert (
            s.get(Program, world.program_id).certification_status == CertificationStatus.CERTIFIED
        )
    with world.tx() as s:
        group = s.get(Group, world.group_id)
        terms = {
            "name": group.name,
            "timetable": group.timetable,
            "starts_on": group.starts_on,
            "ends_on": group.ends_on,
            "seats": group.seats,
            "price_per_lesson_minor": group.price_per_lesson_minor + 100,
        }
    with world.tx() as s:
        update_group(s, world.provider_user, world.group_id, **terms)
    with read_session(engine) as s:
        assert (
            s.get(Program, world.program_id).certification_status == CertificationStatus.SUBMITTED
        )
    with world.tx() as s:
        update_program(
            s, world.provider_user, world.program_id, replace(same, title="Новое название")
        )


def test_seats_never_drop_below_the_children_seated(engine):
    world = build_world(engine, seats=3)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with world.tx() as s:
        group = s.get(Group, world.group_id)
        terms = {
            "name": group.name,
            "timetable": group.timetable,
            "starts_on": group.starts_on,
            "ends_on": group.ends_on,
            "seats": 0,
            "price_per_lesson_minor": group.price_per_lesson_minor,
        }
    with pytest.raises(InvalidInput), world.tx() as s:
        update_group(s, world.provider_user, world.group_id, **terms)


def test_marking_a_lesson_for_the_group_is_idempotent(engine):
    world = build_world(engine)
    first = world.apply()
    parent2, child2, _cert, _acc = world.add_parent_with_child()
    second = world.apply(child_id=child2, parent=parent2)
    for enrollment_id in (first, second):
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(engine) as s:
        lesson = lesson_dates(s.get(Group, world.group_id))[0]
    later = lesson + timedelta(days=1)
    statuses = {first: "present", second: "absent"}
    with world.tx() as s:
        assert (
            mark_lesson(s, world.provider_user, world.group_id, lesson, statuses, today=later) == 2
        )
    with world.tx() as s:
        assert (
            mark_lesson(s, world.provider_user, world.group_id, lesson, statuses, today=later) == 0
        )
    with read_session(engine) as s:
        register = register_of(s, world.provider_user, world.group_id, later)
        assert register.marks == {(first, lesson): "present", (second, lesson): "absent"}
        assert len(s.exec(select(Attendance)).all()) == 2
    with pytest.raises(InvalidInput), world.tx() as s:
        mark_lesson(
            s,
            world.provider_user,
            world.group_id,
            lesson + timedelta(days=7),
            {first: "asleep"},
            today=later + timedelta(days=7),
        )


def test_the_monthly_statement_matches_the_ledger(engine):
    world = build_world(engine)
    first = world.apply()
    parent2, child2, _cert, _acc = world.add_parent_with_child()
    second = world.apply(child_id=child2, parent=parent2)
    for enrollment_id in (first, second):
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(engine) as s:
        group = s.get(Group, world.group_id)
        lessons = lesson_dates(group)[:3]
    later = lessons[-1] + timedelta(days=1)
    for lesson in lessons:
        with world.tx() as s:
            mark_lesson(
                s,
                world.provider_user,
                world.group_id,
                lesson,
                {first: "present", second: "absent"},
                today=later,
            )
    month = lessons[0]
    with read_session(engine) as s:
        currency, rows = monthly_statement(
            s, world.provider_user, world.provider_id, month.year, month.month
        )
        captures = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "capture")).all()
        in_month = [
            e
            for e in captures
            if s.get(Attendance, e.attendance_id).lesson_date.month == month.month
        ]
    (row,) = rows
    in_this_month = [d for d in lessons if d.month == month.month]
    assert row.lessons == len(in_this_month) and row.attendances == len(in_this_month)
    assert row.captured_minor == sum(e.amount_minor for e in in_month) > 0
    assert (
        row.copayments_minor
        == len(in_this_month) * group.price_per_lesson_minor - row.captured_minor
    )
    assert currency == "RUB" or currency == "EUR"
    with pytest.raises(InvalidInput), read_session(engine) as s:
        monthly_statement(s, world.provider_user, world.provider_id, month.year, 13)
    with pytest.raises(NotFound), read_session(engine) as s:
        monthly_statement(s, _other_provider(world), world.provider_id, month.year, month.month)
