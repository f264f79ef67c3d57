"""A school's roster, as its coordinators keep it from CSV files and as others try to read it:
pupils are personal data, seen by the school's own coordinators only."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.models import Pupil
from navigator.domain.culture.roster import (
    PupilFields,
    import_roster,
    roster_of,
    save_pupil,
    set_pupil_active,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from tests.domain.culture.people import a_parent, assert_translated, count
from tests.domain.culture.world import build_culture

HEADER = "class,first_name,last_name,register_id"


def _import(world, *rows: str, actor: Actor | None = None):
    with world.tx() as s:
        return import_roster(
            s, actor or world.coordinator, world.school_id, "\n".join([HEADER, *rows])
        )


def _pupils(world) -> dict[str, tuple[str, str, str]]:
    with read_session(world.engine) as s:
        return {
            p.register_id: (p.class_name, p.first_name, p.last_name)
            for p in s.exec(select(Pupil).where(Pupil.school_id == world.school_id)).all()
        }


def test_a_second_import_updates_pupils_by_register_id(engine):
    world = build_culture(engine, classes={"5A": 2})
    before = count(engine, Pupil)
    first = _import(world, "6b,Ona,Onaitė,N-001", "7A,Jonas,Jonaitis,N-002")
    assert (first.added, first.updated, first.errors) == (2, 0, [])
    again = _import(world, "6 B,Ona,Petraitienė,N-001", "7A,Jonas,Jonaitis,N-002")
    assert (again.added, again.updated, again.errors) == (0, 2, [])
    assert count(engine, Pupil) == before + 2
    pupils = _pupils(world)
    assert pupils["N-001"] == ("6B", "Ona", "Petraitienė")  # the class written one way
    assert pupils["N-002"] == ("7A", "Jonas", "Jonaitis")


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        (",Ona,Onaitė,N-009", "field_required", "class"),
        ("5,Ona,Onaitė,N-009", "class_name_invalid", "class"),
        ("5AAAA,Ona,Onaitė,N-009", "class_name_invalid", "class"),
        ("abc,Ona,Onaitė,N-009", "class_name_invalid", "class"),
        ("0A,Ona,Onaitė,N-009", "class_name_invalid", "class"),
        ("13A,Ona,Onaitė,N-009", "class_name_invalid", "class"),
        ("5A,Ona,Onaitė,", "field_required", "register_id"),
        ("5A,Ona,Onaitė,N 009", "field_not_allowed", "register_id"),
        ("5A,Ona,Onaitė,N-009'", "field_not_allowed", "register_id"),
        ("5A,,Onaitė,N-009", "field_required", "first_name"),
        ("5A,Ona,,N-009", "field_required", "last_name"),
        ("5A,Ona,Onaitė,N-009,extra", "import_row_shape", None),
        ("5A,Ona,N-009", "import_row_shape", None),
        ("5A,Ona,Onaitė,N-001", "import_duplicate_row", None),  # twice in this file
    ],
)
def test_a_bad_roster_row_is_reported_by_its_line_and_the_others_import(engine, row, code, field):
    world = build_culture(engine, classes={"5A": 2})
    before = count(engine, Pupil)
    report = _import(world, "5A,Jonas,Jonaitis,N-001", row, "6B,Ona,Onaitė,N-002")
    assert [(line, error.code) for line, error in report.errors] == [(3, code)]
    assert isinstance(report.errors[0][1], InvalidInput)
    assert_translated(report.errors[0][1], field)
    assert (report.added, report.updated) == (2, 0)
    assert count(engine, Pupil) == before + 2
    assert "N-009" not in _pupils(world)
    assert _pupils(world)["N-001"] == ("5A", "Jonas", "Jonaitis")  # the first row wins


def test_a_bad_roster_row_is_reported_by_the_line_it_is_on_after_a_blank_line(engine):
    world = build_culture(engine, classes={"5A": 2})
    report = _import(world, "5A,Jonas,Jonaitis,N-001", "", "", "5A,Ona,Onaitė,")
    assert [(line, error.code) for line, error in report.errors] == [(5, "field_required")]


def test_a_file_without_a_column_imports_nothing(engine):
    world = build_culture(engine, classes={"5A": 2})
    before = count(engine, Pupil)
    with world.tx() as s, pytest.raises(InvalidInput) as refused:
        import_roster(s, world.coordinator, world.school_id, "class,name,register_id\n5A,Ona,N1")
    assert refused.value.code == "import_columns_missing"
    assert_translated(refused.value)
    assert count(engine, Pupil) == before


def test_names_with_markup_and_quotes_are_kept_as_plain_text(engine):
    world = build_culture(engine, classes={"5A": 2})
    report = _import(
        world,
        '5A,"<script>alert(1)</script>","O\'Brien ""Ąžuolas""",N-101',
        '5A,=HYPERLINK("http://x"),Robert\'); DROP TABLE pupil;--,N-102',
    )
    assert report.errors == []
    pupils = _pupils(world)
    assert pupils["N-101"] == ("5A", "<script>alert(1)</script>", 'O\'Brien "Ąžuolas"')
    assert pupils["N-102"] == ("5A", '=HYPERLINK("http://x")', "Robert'); DROP TABLE pupil;--")
    with read_session(engine) as s:
        assert roster_of(s, world.coordinator, world.school_id)


def test_only_the_schools_coordinators_read_or_change_its_roster(engine):
    world = build_culture(engine, classes={"5A": 2})
    other = build_culture(engine, classes={"7C": 1})
    with read_session(engine) as s:
        own = roster_of(s, world.coordinator, world.school_id)
    assert [p.class_name for p in own] == ["5A", "5A"]
    pupil_id = own[0].id
    outsiders = {
        "another school's coordinator": other.coordinator,
        "the service's provider": world.provider_user,
        "the programme operator": world.operator,  # counts pupils, never reads their names
        "a parent": a_parent(engine),
        "nobody signed in": Actor(user_id=None),
    }
    before = _pupils(world)
    for who, outsider in outsiders.items():
        with read_session(engine) as s, pytest.raises(NotFound):
            roster_of(s, outsider, world.school_id)
            pytest.fail(f"{who} read the roster")
        with world.tx() as s, pytest.raises(NotFound):
            import_roster(s, outsider, world.school_id, f"{HEADER}\n5A,Įsibrovėlis,X,N-666")
        with world.tx() as s, pytest.raises(NotFound):
            save_pupil(s, outsider, world.school_id, PupilFields("5A", "Į", "X", "N-667"))
        with world.tx() as s, pytest.raises(NotFound):
            set_pupil_active(s, outsider, world.school_id, pupil_id, False)  # type: ignore[arg-type]
    # a coordinator's own school id with another school's pupil is not found either
    with world.tx() as s, pytest.raises(NotFound):
        set_pupil_active(s, other.coordinator, other.school_id, pupil_id, False)  # type: ignore[arg-type]
    assert _pupils(world) == before
    with read_session(engine) as s:
        assert s.get(Pupil, pupil_id).active
        assert count(engine, Pupil, col(Pupil.register_id).in_(["N-666", "N-667"])) == 0


def test_the_same_register_id_in_two_schools_is_two_pupils(engine):
    world = build_culture(engine, classes={"5A": 1})
    other = build_culture(engine, classes={"5A": 1})
    _import(world, "5A,Ona,Onaitė,N-500")
    _import(other, "8C,Petras,Petraitis,N-500")
    assert _pupils(world)["N-500"] == ("5A", "Ona", "Onaitė")
    assert _pupils(other)["N-500"] == ("8C", "Petras", "Petraitis")


def test_a_pupil_who_left_stays_on_the_roster_and_is_booked_no_more(engine):
    world = build_culture(engine, classes={"5A": 3})
    leaving = world.classes["5A"][0]
    with world.tx() as s:
        set_pupil_active(s, world.coordinator, world.school_id, leaving, False)
    with read_session(engine) as s:
        roster = roster_of(s, world.coordinator, world.school_id)
    assert [p.id for p in roster if not p.active] == [leaving]
    with pytest.raises(Conflict) as refused:
        world.book([leaving])
    assert refused.value.code == "pupil_not_active"
