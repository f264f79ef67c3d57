"""Bad input gets a clear, translated refusal and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Child, User
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.certificates.models import Certificate, LedgerEntry
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Attendance
from navigator.domain.funding.models import NominalRule
from navigator.domain.funding.nominal import add_nominal_rule
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import ProgramFields, create_group, create_program
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError, NotFound
from tests.factories import PASSWORD, SYSTEM, build_world


def counts(engine):
    with read_session(engine) as s:
        return tuple(
            s.exec(select(func.count()).select_from(model)).one()
            for model in (
                Municipality,
                User,
                Child,
                Certificate,
                Program,
                Group,
                NominalRule,
                Attendance,
                LedgerEntry,
            )
        )


def refused(world, call, code: str) -> DomainError:
    before = counts(world.engine)
    with pytest.raises(DomainError) as error, world.tx() as s:
        call(s)
    assert error.value.code == code, error.value
    assert counts(world.engine) == before
    for locale in ("ru", "lt", "en"):
        message = error.value.message(locale)
        assert message and "{" not in message and "_" not in message
    return error.value


def group_kwargs(**overrides):
    kwargs = dict(
        name="A",
        timetable=[{"weekday": 1, "start": "10:00", "end": "11:00"}],
        starts_on=date(2026, 9, 7),
        ends_on=date(2026, 12, 20),
        seats=10,
        price_per_lesson_minor=10_000,
    )
    kwargs.update(overrides)
    return kwargs


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"price_per_lesson_minor": 0}, "must_be_positive"),
        ({"price_per_lesson_minor": -100}, "must_be_positive"),
        ({"seats": 0}, "must_be_positive"),
        ({"seats": -3}, "must_be_positive"),
        ({"name": "   "}, "field_required"),
        ({"name": "x" * 101}, "field_too_long"),
        ({"timetable": []}, "timetable_empty"),
        ({"timetable": [{"weekday": 8, "start": "10:00", "end": "11:00"}]}, "timetable_weekday"),
        ({"timetable": [{"weekday": 1, "start": "11:00", "end": "10:00"}]}, "timetable_time"),
        ({"timetable": [{"weekday": 1, "start": "25:00", "end": "26:00"}]}, "timetable_time"),
        ({"ends_on": date(2026, 9, 1)}, "dates_reversed"),
        # a Tuesday-only group that runs Monday to Monday with the Tuesday a holiday
        (
            {
                "timetable": [{"weekday": 2, "start": "10:00", "end": "11:00"}],
                "ends_on": date(2026, 9, 14),
                "excluded_dates": [date(2026, 9, 8)],
            },
            "timetable_no_lessons",
        ),
    ],
)
def test_a_group_with_bad_fields_is_refused(engine, overrides, code):
    world = build_world(engine)
    refused(
        world,
        lambda s: create_group(
            s, world.provider_user, world.program_id, **group_kwargs(**overrides)
        ),
        code,
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"age_min": -1}, "age_out_of_range"),
        ({"age_max": 19}, "age_out_of_range"),
        ({"age_min": 12, "age_max": 7}, "age_range_reversed"),
        ({"direction": "cooking"}, "field_not_allowed"),
        ({"language": "de"}, "field_not_allowed"),
        ({"title": ""}, "field_required"),
        ({"title": "Bad\x00title"}, "field_control_characters"),
        ({"latitude": 55.7}, "coordinates_incomplete"),
        ({"latitude": 95.0, "longitude": 37.6}, "coordinates_out_of_range"),
    ],
)
def test_a_program_with_bad_fields_is_refused(engine, fields, code):
    world = build_world(engine)
    values = {
        "title": "Шахматы",
        "direction": "social_humanitarian",
        "age_min": 7,
        "age_max": 12,
        "language": "ru",
    }
    values.update(fields)
    refused(
        world,
        lambda s: create_program(
            s, world.provider_user, world.provider_id, ProgramFields(**values)
        ),
        code,
    )


@pytest.mark.parametrize("amount", [0, -1, -500_000])
def test_a_zero_or_negative_nominal_is_refused(engine, amount):
    world = build_world(engine)
    refused(
        world,
        lambda s: add_nominal_rule(
            s, SYSTEM, world.period_id, age_min=5, age_max=17, amount_minor=amount
        ),
        "must_be_positive",
    )


def test_children_born_in_the_future_or_grown_up_are_refused(engine):
    world = build_world(engine)

    def add(birth_date):
        return lambda s: add_child(
            s,
            world.parent,
            guardian_id=world.parent.user_id,
            municipality_id=world.municipality_id,
            first_name="Пётр",
            last_name="Петров",
            birth_date=birth_date,
        )

    refused(world, add(date.today() + timedelta(days=2)), "birth_date_in_future")
    refused(world, add(date(1990, 1, 1)), "child_too_old")


def test_certificates_are_issued_from_five_to_eighteen_and_once(engine):
    world = build_world(engine)
    with world.tx() as s:
        toddler = add_child(
            s,
            world.parent,
            guardian_id=world.parent.user_id,
            municipality_id=world.municipality_id,
            first_name="Маша",
            last_name="Петрова",
            birth_date=world.today - timedelta(days=365 * 3),
        ).id
    refused(
        world,
        lambda s: issue_certificate(s, world.parent, toddler, today=world.today),
        "certificate_age",
    )
    refused(
        world,
        lambda s: issue_certificate(s, world.parent, world.child_id, today=world.today),
        "certificate_exists",
    )


def test_unknown_ids_answer_not_found_and_change_nothing(engine):
    world = build_world(engine)
    missing = 987_654
    for call in (
        lambda s: issue_certificate(s, world.parent, missing),
        lambda s: fund_certificate(s, SYSTEM, missing, world.period_id),
        lambda s: fund_certificate(s, SYSTEM, world.certificate_id, missing),
        lambda s: accept_application(s, world.provider_user, missing),
        lambda s: mark_attendance(s, world.provider_user, missing, world.today, "present"),
        lambda s: cancel_enrollment(s, world.parent, missing),
        lambda s: create_group(s, world.provider_user, missing, **group_kwargs()),
    ):
        refused(world, call, NotFound.code)


def test_attendance_outside_the_lessons_or_for_a_cancelled_enrollment_is_refused(engine):
    world = build_world(engine)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)

    def mark(day, today=None):
        return lambda s: mark_attendance(
            s, world.provider_user, enrollment_id, day, "present", today=today or day
        )

    refused(world, mark(date(2026, 9, 8)), "attendance_not_a_lesson")  # a Tuesday
    refused(world, mark(date(2026, 10, 5)), "attendance_not_a_lesson")  # after the group ends
    refused(world, mark(date(2026, 8, 31)), "attendance_not_a_lesson")  # before it starts
    refused(world, mark(date(2026, 9, 9), today=date(2026, 9, 8)), "attendance_in_future")
    refused(
        world,
        lambda s: mark_attendance(
            s, world.provider_user, enrollment_id, world.today, "late", today=world.today
        ),
        "field_not_allowed",
    )
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    refused(world, mark(date(2026, 9, 9)), "attendance_not_enrolled")


def test_weak_passwords_and_taken_emails_are_refused(engine):
    world = build_world(engine)
    refused(world, lambda s: create_user(s, "new@example.org", "short1"), "password_too_short")
    refused(
        world, lambda s: create_user(s, "new@example.org", "onlyletterslong"), "password_too_simple"
    )
    refused(world, lambda s: create_user(s, "not-an-email", PASSWORD), "email_invalid")
    with world.tx() as s:
        create_user(s, "Taken@Example.org", PASSWORD)
    refused(world, lambda s: create_user(s, "taken@example.org ", PASSWORD), "email_taken")


def test_a_taken_municipality_code_or_unknown_currency_or_timezone_is_refused(engine):
    world = build_world(engine)
    with read_session(engine) as s:
        code = s.get(Municipality, world.municipality_id).code

    def make(**overrides):
        values = dict(
            code="new-town",
            name="Town",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        values.update(overrides)
        return lambda s: create_municipality(s, **values)

    error = refused(world, make(code=code), "municipality_code_taken")
    assert code in error.message("lt")
    refused(world, make(currency="XYZ"), "unknown_currency")
    refused(world, make(timezone="Mars/Olympus"), "timezone_unknown")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"price_per_lesson_minor": 10**19}, "value_too_large"),
        ({"price_per_lesson_minor": 12.5}, "must_be_whole_number"),
        ({"seats": 2**40}, "value_too_large"),
        ({"excluded_dates": ["2026-09-14"]}, "date_invalid"),
        ({"timetable": ["mon"]}, "timetable_weekday"),
        ({"starts_on": "2026-09-07"}, "date_invalid"),
        ({"ends_on": date(2030, 1, 1)}, "group_too_long"),
    ],
)
def test_values_of_the_wrong_type_or_size_are_refused_not_crashed(engine, overrides, code):
    world = build_world(engine)
    refused(
        world,
        lambda s: create_group(
            s, world.provider_user, world.program_id, **group_kwargs(**overrides)
        ),
        code,
    )


def test_admin_inputs_of_the_wrong_kind_are_refused(engine):
    from navigator.domain.funding.periods import create_period
    from navigator.domain.municipalities.models import MunicipalityPolicy
    from navigator.domain.programs.certification import set_certification

    world = build_world(engine)
    period = dict(
        name="P",
        starts_on=date(2031, 1, 1),
        ends_on=date(2031, 12, 31),
        budget_minor=10,
        max_funded_certificates=1,
    )
    refused(world, lambda s: create_period(s, SYSTEM, 987_654, **period), NotFound.code)
    refused(
        world,
        lambda s: create_period(s, SYSTEM, world.municipality_id, status="bogus", **period),
        "field_not_allowed",
    )
    refused(
        world,
        lambda s: create_period(
            s, SYSTEM, world.municipality_id, **{**period, "budget_minor": 10**19}
        ),
        "value_too_large",
    )
    refused(
        world,
        lambda s: create_municipality(
            s,
            code="x",
            name="X",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
            policy=MunicipalityPolicy(absence_charge="half"),
        ),
        "field_not_allowed",
    )
    refused(
        world,
        lambda s: create_user(s, "god@example.org", PASSWORD, roles=(("god", None, None),)),
        "field_not_allowed",
    )
    refused(
        world,
        lambda s: create_user(s, "x@example.org", PASSWORD, locale="xxxxxxxx"),
        "field_not_allowed",
    )
    refused(
        world,
        lambda s: set_certification(s, SYSTEM, world.program_id, "bogus"),
        "field_not_allowed",
    )
    refused(
        world,
        lambda s: set_certification(s, SYSTEM, world.program_id, "submitted"),
        "certification_transition",
    )


def test_people_and_dates_of_the_wrong_kind_are_refused(engine):
    world = build_world(engine)
    child = dict(municipality_id=world.municipality_id, first_name="Ян", last_name="Ли")
    refused(
        world,
        lambda s: add_child(s, SYSTEM, guardian_id=987_654, birth_date=date(2016, 1, 1), **child),
        NotFound.code,
    )
    refused(
        world,
        lambda s: add_child(
            s, world.parent, guardian_id=world.parent.user_id, birth_date="2015-01-01", **child
        ),
        "date_invalid",
    )
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    refused(
        world,
        lambda s: mark_attendance(
            s, world.provider_user, enrollment_id, "2026-09-07", "present", today=world.today
        ),
        "date_invalid",
    )
    refused(
        world,
        lambda s: mark_attendance(
            s, world.provider_user, "1", world.today, "present", today=world.today
        ),
        NotFound.code,
    )
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id, reason=None)


def test_a_certificate_number_with_non_ascii_digits_is_refused():
    from navigator.domain.certificates.numbers import normalize_certificate_number

    with pytest.raises(DomainError):
        normalize_certificate_number("1234567890²1")
    with pytest.raises(DomainError):
        normalize_certificate_number("١٢٣٤٥٦٧٨٩٠١٢")
