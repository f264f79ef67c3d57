"""A group never gets an end that has passed (in its municipality's date); a group that has
run and ended keeps its own end, so its other fields stay editable and a file or an API call
may send it again unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    update_group,
    update_program,
    upsert_group,
    upsert_program,
)
from navigator.domain.programs.importing import COLUMNS, import_programs
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared import calendar
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput
from tests.factories import World, build_world

FIELDS = ProgramFields(
    title="Робототехника", direction="technical", age_min=7, age_max=14, language="ru"
)
END_DATE = {"ru": "«Дата окончания»", "lt": "„Pabaigos data“", "en": "“End date”"}


def group_count(world: World) -> int:
    with read_session(world.engine) as s:
        return s.exec(select(func.count()).select_from(Group)).one()


def new_group(starts_on: date, ends_on: date) -> dict:
    return {
        "name": "Вечерняя",
        "timetable": [{"weekday": starts_on.isoweekday(), "start": "16:00", "end": "17:00"}],
        "starts_on": starts_on,
        "ends_on": ends_on,
        "seats": 8,
        "price_per_lesson_minor": 40_000,
    }


def stored_terms(world: World, group_id: int) -> dict:
    with read_session(world.engine) as s:
        group = s.get(Group, group_id)
        return {
            "name": group.name,
            "teacher": group.teacher,
            "timetable": group.timetable,
            "starts_on": group.starts_on,
            "ends_on": group.ends_on,
            "seats": group.seats,
            "price_per_lesson_minor": group.price_per_lesson_minor,
        }


def assert_names_the_end_date(error: InvalidInput) -> None:
    assert error.code == "date_in_past"
    for locale, label in END_DATE.items():
        assert label in error.message(locale), error.message(locale)


def test_a_new_group_that_ends_before_today_is_refused_and_nothing_is_written(engine):
    world = build_world(engine)
    before = group_count(world)
    yesterday = world.today - timedelta(days=1)
    with pytest.raises(InvalidInput) as error, world.tx() as s:
        create_group(
            s,
            world.provider_user,
            world.program_id,
            today=world.today,
            **new_group(world.today - timedelta(days=14), yesterday),
        )
    assert_names_the_end_date(error.value)
    assert error.value.params == {"field": "ends_on"}
    assert group_count(world) == before
    with world.tx() as s:  # a group that ends today still has today's lesson ahead
        create_group(
            s,
            world.provider_user,
            world.program_id,
            today=world.today,
            **new_group(world.today - timedelta(days=14), world.today),
        )
    assert group_count(world) == before + 1


def test_today_is_the_municipalitys_own_date_not_the_servers(engine, monkeypatch):
    world = build_world(engine)  # its town keeps Moscow time
    # 22:30 UTC on Monday 7 September is already Tuesday the 8th in Moscow
    monkeypatch.setattr(calendar, "utcnow", lambda: datetime(2026, 9, 7, 22, 30, tzinfo=UTC))
    monday = date(2026, 9, 7)
    with pytest.raises(InvalidInput) as error, world.tx() as s:
        create_group(
            s, world.provider_user, world.program_id, **new_group(monday - timedelta(7), monday)
        )
    assert_names_the_end_date(error.value)
    with world.tx() as s:
        create_group(
            s,
            world.provider_user,
            world.program_id,
            **new_group(monday, monday + timedelta(days=1)),
        )


def test_an_ended_group_keeps_its_end_and_stays_editable_but_gets_no_new_past_end(engine):
    world = build_world(engine)  # its group ran four weeks from world.today
    later = world.today + timedelta(days=60)
    terms = stored_terms(world, world.group_id)
    with world.tx() as s:  # its own fields and its program's description stay editable
        update_group(
            s, world.provider_user, world.group_id, today=later, **{**terms, "teacher": "Анна"}
        )
    with world.tx() as s:
        update_program(
            s,
            world.provider_user,
            world.program_id,
            replace(FIELDS, description="Роботы из конструктора"),
        )
    for moved in (terms["ends_on"] + timedelta(days=1), later - timedelta(days=1)):
        with pytest.raises(InvalidInput) as error, world.tx() as s:
            update_group(
                s, world.provider_user, world.group_id, today=later, **{**terms, "ends_on": moved}
            )
        assert_names_the_end_date(error.value)
    assert stored_terms(world, world.group_id) == {**terms, "teacher": "Анна"}
    with read_session(engine) as s:
        assert s.get(Program, world.program_id).description == "Роботы из конструктора"
    with world.tx() as s:  # run again until today: a new end that has not passed
        update_group(
            s, world.provider_user, world.group_id, today=later, **{**terms, "ends_on": later}
        )
    assert stored_terms(world, world.group_id)["ends_on"] == later


def test_an_ended_group_put_again_unchanged_is_accepted_a_new_past_one_refused(engine):
    world = build_world(engine)
    terms = new_group(world.today, world.today + timedelta(days=30))
    with world.tx() as s:
        upsert_program(s, world.provider_user, world.provider_id, "p-1", FIELDS)
    with world.tx() as s:
        upsert_group(
            s, world.provider_user, world.provider_id, "p-1", "g-1", today=world.today, **terms
        )
    later = world.today + timedelta(days=60)
    with world.tx() as s:  # the provider's system sends what it has: the ended group as it is
        _group, created = upsert_group(
            s, world.provider_user, world.provider_id, "p-1", "g-1", today=later, **terms
        )
    assert not created
    before = group_count(world)
    with pytest.raises(InvalidInput) as error, world.tx() as s:
        upsert_group(s, world.provider_user, world.provider_id, "p-1", "g-2", today=later, **terms)
    assert_names_the_end_date(error.value)
    assert group_count(world) == before


def csv_row(external_id: str, starts_on: date, ends_on: date) -> str:
    return (
        f"{external_id},Шахматы,Клуб,physical_sports,7,12,ru,in_person,,,,500,1,"
        f"{starts_on},{ends_on},12,{starts_on.isoweekday()}"
    )


def csv(*rows: str) -> str:
    return "\n".join([",".join(COLUMNS), *rows])


def test_a_csv_row_whose_group_ends_in_the_past_is_reported_an_unchanged_one_imports(engine):
    world = build_world(engine)
    ended = csv_row("ext-1", world.today, world.today + timedelta(days=30))
    with world.tx() as s:  # imported while it ran
        report = import_programs(
            s, world.provider_user, world.provider_id, csv(ended), today=world.today
        )
    assert report.errors == [] and report.created == 1
    later = world.today + timedelta(days=60)
    new_in_the_past = csv_row("ext-2", world.today, world.today + timedelta(days=30))
    with world.tx() as s:  # the same file next term, with a row for a course that is over
        report = import_programs(
            s, world.provider_user, world.provider_id, csv(ended, new_in_the_past), today=later
        )
    assert [(e.line, e.error.code) for e in report.errors] == [(3, "date_in_past")]
    assert report.errors[0].error.params == {"field": "end_date"}
    assert_names_the_end_date(report.errors[0].error)
    assert (report.created, report.updated) == (0, 1)
    moved = csv_row("ext-1", world.today, world.today + timedelta(days=31))
    with world.tx() as s:
        report = import_programs(s, world.provider_user, world.provider_id, csv(moved), today=later)
    assert [(e.line, e.error.code) for e in report.errors] == [(2, "date_in_past")]
    with read_session(engine) as s:
        programs = s.exec(select(Program).where(Program.provider_id == world.provider_id)).all()
        assert "ext-2" not in {p.external_id for p in programs}
        (imported,) = [p for p in programs if p.external_id == "ext-1"]
        (group,) = s.exec(select(Group).where(Group.program_id == imported.id)).all()
    assert group.ends_on == world.today + timedelta(days=30)
