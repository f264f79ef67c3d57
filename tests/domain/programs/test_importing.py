"""Importing programs from CSV: good rows land, bad rows are reported and change nothing."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from navigator.domain.programs.importing import COLUMNS, import_programs
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from tests.factories import SYSTEM, build_world

HEADER = ",".join(COLUMNS)
GOOD = [
    "ext-1,Шахматы,Клуб для начинающих,physical_sports,7,12,ru,in_person,"
    '"ул. Мира, 5",57.62,39.88,350.50,2,2026-09-07,2026-12-20,12,1 3',
    "ext-2,Robotika,Robotų konstravimas,technical,9,14,lt,mixed,,,,0,1,2026-09-08,2026-12-20,8,2",
]
BAD = [
    (
        "ext-3,,no title,technical,7,12,ru,in_person,,,,100,1,2026-09-07,2026-12-20,10,1",
        "field_required",
    ),
    (
        "ext-4,Танцы,,dancing,7,12,ru,in_person,,,,100,1,2026-09-07,2026-12-20,10,1",
        "field_not_allowed",
    ),
    (
        "ext-5,Танцы,,artistic,12,7,ru,in_person,,,,100,1,2026-09-07,2026-12-20,10,1",
        "age_range_reversed",
    ),
    (
        "ext-6,Танцы,,artistic,7,12,ru,in_person,,,,-100,1,2026-09-07,2026-12-20,10,1",
        "amount_negative",
    ),
    (
        "ext-7,Танцы,,artistic,7,12,ru,in_person,,,,1.234,1,2026-09-07,2026-12-20,10,1",
        "amount_too_precise",
    ),
    (
        "ext-8,Танцы,,artistic,7,12,ru,in_person,,,,100,2,2026-09-07,2026-12-20,10,1",
        "import_lessons_per_week",
    ),
    ("ext-9,Танцы,,artistic,7,12,ru,in_person,,,,100,1,2026-13-07,2026-12-20,10,1", "date_invalid"),
    (
        "ext-10,Танцы,,artistic,7,12,ru,in_person,,,,100,1,2026-09-07,2026-12-20,0,1",
        "must_be_positive",
    ),
    (
        "ext-11,Танцы,,artistic,7,12,ru,in_person,,,,100,1,2026-09-07,2026-12-20,10,9",
        "timetable_weekday",
    ),
    (
        "ext-12,Танцы,,artistic,7,12,ru,in_person,,95,0,100,1,2026-09-07,2026-12-20,10,1",
        "coordinates_out_of_range",
    ),
    ("ext-13,Танцы,too,few,values", "import_row_shape"),
]


def programs(world) -> dict[str, Program]:
    with read_session(world.engine) as s:
        return {
            p.external_id: p
            for p in s.exec(
                select(Program).where(
                    Program.provider_id == world.provider_id, col(Program.external_id).is_not(None)
                )
            )
        }


def test_good_rows_import_and_each_bad_row_is_reported_with_its_line(engine):
    world = build_world(engine)
    content = "\n".join([HEADER, *GOOD, *(row for row, _ in BAD)]) + "\n"
    with world.tx() as s:
        report = import_programs(
            s, world.provider_user, world.provider_id, content, today=world.today
        )
    assert (report.created, report.updated) == (2, 0)
    assert [(e.line, e.error.code) for e in report.errors] == [
        (4 + i, code) for i, (_, code) in enumerate(BAD)
    ]
    for error in report.errors:
        assert error.error.message("ru") and error.error.message("lt")
    imported = programs(world)
    assert set(imported) == {"ext-1", "ext-2"}
    assert imported["ext-1"].certification_status == "draft" and not imported["ext-1"].is_free
    assert imported["ext-2"].is_free and imported["ext-2"].latitude is None
    with read_session(engine) as s:
        group = s.exec(select(Group).where(Group.program_id == imported["ext-1"].id)).one()
    assert group.price_per_lesson_minor == 35_050 and group.seats == 12
    assert [slot["weekday"] for slot in group.timetable] == [1, 3]


def test_importing_again_updates_by_external_id_and_a_new_price_needs_certification(engine):
    world = build_world(engine)
    with world.tx() as s:
        import_programs(
            s,
            SYSTEM,
            world.provider_id,
            "\n".join([HEADER, *GOOD]),
            certified=True,
            today=world.today,
        )
    assert programs(world)["ext-1"].certification_status == "certified"
    changed = GOOD[0].replace("Шахматы", "Шахматы для всех").replace("350.50", "400")
    with world.tx() as s:
        report = import_programs(
            s,
            world.provider_user,
            world.provider_id,
            "\n".join([HEADER, changed, GOOD[1]]),
            today=world.today,
        )
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    again = programs(world)
    assert again["ext-1"].title == "Шахматы для всех"
    assert again["ext-1"].certification_status == "submitted"
    assert again["ext-2"].certification_status == "certified"  # same price: stays certified
    with read_session(engine) as s:
        assert (
            s.exec(
                select(func.count())
                .select_from(Program)
                .where(Program.provider_id == world.provider_id)
            ).one()
            == 3
        )


def test_only_the_operator_imports_as_certified_and_only_staff_import_at_all(engine):
    world = build_world(engine)
    stranger = build_world(engine)
    with pytest.raises(NotFound), world.tx() as s:
        import_programs(s, world.provider_user, world.provider_id, HEADER, certified=True)
    with pytest.raises(NotFound), world.tx() as s:
        import_programs(s, stranger.provider_user, world.provider_id, HEADER)
    with pytest.raises(InvalidInput) as error, world.tx() as s:
        import_programs(s, world.provider_user, world.provider_id, "title,direction\nA,technical")
    assert error.value.code == "import_columns_missing"


def test_a_program_twice_in_one_file_is_reported_and_imported_once(engine):
    world = build_world(engine)
    with world.tx() as s:
        import_programs(
            s,
            world.provider_user,
            world.provider_id,
            "\n".join([HEADER, GOOD[0]]),
            today=world.today,
        )
    again = GOOD[1].replace("ext-2", "ext-9")
    content = "\n".join([HEADER, GOOD[0], again, again.replace("Robotika", "Robotika 2")])
    with world.tx() as s:
        report = import_programs(
            s, world.provider_user, world.provider_id, content, today=world.today
        )
    assert [(e.line, e.error.code) for e in report.errors] == [(4, "import_duplicate_row")]
    assert (report.created, report.updated) == (1, 1)
    assert programs(world)["ext-9"].title == "Robotika"
