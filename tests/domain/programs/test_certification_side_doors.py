"""No side door around certification: whatever changes what a certificate pays goes back to
the municipality, and until it decides, parents see and apply to the certified version only.

Programs here are certified after their groups exist, as in life: the municipality has seen
the prices it certifies.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance, register_of
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.programs.api import (
    ProgramFields,
    create_group,
    create_program,
    update_group,
    update_program,
    upsert_group,
    upsert_program,
)
from navigator.domain.programs.certification import (
    decision_reason,
    program_changes,
    set_certification,
)
from navigator.domain.programs.importing import COLUMNS, import_programs
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.programs.queries import public_program
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from search.documents import build_batch
from tests.domain.cabinet import _admin, _decide, _outcome
from tests.factories import World, build_world

FIELDS = ProgramFields(
    title="Робототехника", direction="technical", age_min=7, age_max=14, language="ru"
)


def _status(world: World, program_id: int | None = None) -> str:
    with read_session(world.engine) as s:
        return s.get(Program, program_id or world.program_id).certification_status


def _group_terms(world: World, group_id: int, **changes) -> dict:
    with read_session(world.engine) as s:
        g = s.get(Group, group_id)
        terms = {
            "name": g.name,
            "timetable": g.timetable,
            "starts_on": g.starts_on,
            "ends_on": g.ends_on,
            "seats": g.seats,
            "price_per_lesson_minor": g.price_per_lesson_minor,
        }
    return {**terms, **changes}


def _edit_group(world: World, group_id: int, **changes) -> None:
    terms = _group_terms(world, group_id, **changes)
    with world.tx() as s:
        update_group(s, world.provider_user, group_id, today=world.today, **terms)


def _public_groups(world: World) -> dict[int, int]:
    """What a parent sees on the program page: group id → price per lesson."""
    with read_session(world.engine) as s:
        page = public_program(s, world.program_id, world.today)
    return {g.id: g.price_per_lesson_minor for g in page.groups}


def _apply_outcome(world: World, group_id: int) -> str:
    parent, child_id, _, _ = world.add_parent_with_child()
    try:
        world.apply(child_id, group_id, parent)
    except Conflict as error:
        return error.code
    return "ok"


def test_a_new_group_of_a_certified_program_waits_for_review_while_the_rest_runs_on(engine):
    world = build_world(engine)
    admin = _admin(world)
    new = world.add_group(price=90_000, certify=False)

    assert _status(world) == CertificationStatus.SUBMITTED
    assert _public_groups(world) == {world.group_id: 50_000}  # the certified group only
    assert _apply_outcome(world, new) == "group_awaiting_certification"
    assert _apply_outcome(world, world.group_id) == "ok"  # at its certified price

    assert _decide(world, admin, world.program_id, "certify") == "ok"
    assert _public_groups(world) == {world.group_id: 50_000, new: 90_000}
    assert _apply_outcome(world, new) == "ok"


@pytest.mark.parametrize(
    "change",
    [
        {"price_per_lesson_minor": 75_000},
        {"timetable": [{"weekday": 2, "start": "16:00", "end": "17:30"}]},
        {"ends_on": "later"},
        {"starts_on": "later"},
    ],
    ids=["price", "weekdays", "end", "start"],
)
def test_a_changed_group_takes_no_application_until_certified(engine, change):
    world = build_world(engine)
    admin = _admin(world)
    seated = world.apply()
    with read_session(engine) as s:
        before = s.get(Enrollment, seated).model_dump()
        group = s.get(Group, world.group_id)
    if change.get("ends_on") == "later":
        change = {"ends_on": group.ends_on + timedelta(days=14)}
    if change.get("starts_on") == "later":
        change = {"starts_on": group.starts_on + timedelta(days=7)}
    _edit_group(world, world.group_id, **change)

    assert _status(world) == CertificationStatus.SUBMITTED
    assert _public_groups(world) == {}
    assert _apply_outcome(world, world.group_id) == "group_awaiting_certification"
    with read_session(engine) as s:  # the running contract keeps its terms
        assert s.get(Enrollment, seated).model_dump() == before
        [document] = build_batch(s, [world.program_id], world.today).documents
    assert (document["groups"], document["lowest_price"]) == (0, None)

    assert _decide(world, admin, world.program_id, "certify") == "ok"
    assert _apply_outcome(world, world.group_id) == "ok"


def test_reverting_a_change_reopens_the_group_and_seats_or_names_need_no_review(engine):
    world = build_world(engine)
    _edit_group(world, world.group_id, price_per_lesson_minor=75_000)
    assert _apply_outcome(world, world.group_id) == "group_awaiting_certification"
    _edit_group(world, world.group_id, price_per_lesson_minor=50_000)
    assert _apply_outcome(world, world.group_id) == "ok"  # the certified terms again

    world2 = build_world(engine)
    _edit_group(world2, world2.group_id, seats=25, name="Старшая группа")
    assert _status(world2) == CertificationStatus.CERTIFIED
    assert _apply_outcome(world2, world2.group_id) == "ok"


def test_the_catalog_shows_the_certified_content_while_an_edit_waits(engine):
    world = build_world(engine)
    with world.tx() as s:
        update_program(
            s, world.provider_user, world.program_id, replace(FIELDS, title="Робототехника PRO")
        )
    assert _status(world) == CertificationStatus.SUBMITTED
    with read_session(engine) as s:
        page = public_program(s, world.program_id, world.today)
        [document] = build_batch(s, [world.program_id], world.today).documents
    assert (page.title, document["title_ru"]) == ("Робототехника", "Робототехника")
    assert page.payable_by_certificate and document["payable_by_certificate"]
    assert _apply_outcome(world, world.group_id) == "ok"  # its groups did not change


def test_an_api_update_of_a_certified_group_goes_to_review_like_the_screen(engine):
    world = build_world(engine)
    terms = {
        "name": "API",
        "timetable": [{"weekday": 2, "start": "15:00", "end": "16:00"}],
        "starts_on": world.today,
        "ends_on": world.today + timedelta(days=40),
        "seats": 8,
        "price_per_lesson_minor": 40_000,
    }
    with world.tx() as s:
        program, _ = upsert_program(s, world.provider_user, world.provider_id, "p-1", FIELDS)
    with world.tx() as s:
        group, _ = upsert_group(
            s, world.provider_user, world.provider_id, "p-1", "g-1", today=world.today, **terms
        )
    world.certify(program.id)
    world.program_id = program.id
    assert _apply_outcome(world, group.id) == "ok"

    with world.tx() as s:  # the same PUT again: nothing changed, nothing to review
        upsert_group(
            s, world.provider_user, world.provider_id, "p-1", "g-1", today=world.today, **terms
        )
    assert _status(world) == CertificationStatus.CERTIFIED
    with world.tx() as s:
        upsert_group(
            s,
            world.provider_user,
            world.provider_id,
            "p-1",
            "g-1",
            today=world.today,
            **{**terms, "price_per_lesson_minor": 45_000},
        )
    assert _status(world) == CertificationStatus.SUBMITTED
    assert _apply_outcome(world, group.id) == "group_awaiting_certification"


@pytest.fixture
def imported(engine):
    """A certified program imported from CSV, certified after its group existed."""
    world = build_world(engine)
    row = (
        "ext-1,Шахматы,Клуб,physical_sports,7,12,ru,in_person,,,,500,2,"
        f"{world.today},{world.today + timedelta(days=60)},12,1 3"
    )
    with world.tx() as s:
        report = import_programs(
            s, world.provider_user, world.provider_id, _csv(row), today=world.today
        )
    assert report.errors == []
    with read_session(engine) as s:
        program = s.exec(_by_external(world)).one()
    world.certify(program.id)
    return world, program.id, row


def _csv(*rows: str) -> str:
    return "\n".join([",".join(COLUMNS), *rows])


def _by_external(world: World):
    from sqlmodel import select

    return select(Program).where(
        Program.provider_id == world.provider_id, Program.external_id == "ext-1"
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [(1, "Шахматы для всех"), (11, "600"), (16, "2 4"), (12, "1"), (14, "DATE")],
    ids=["title", "price", "weekdays", "lessons-per-week", "end-date"],
)
def test_a_csv_update_of_a_certified_program_goes_back_to_review(imported, column, value):
    world, program_id, row = imported
    cells = row.split(",")
    if column == 12:  # one lesson a week on one weekday
        cells[12], cells[16] = "1", "1"
    elif value == "DATE":
        cells[14] = str(world.today + timedelta(days=90))
    else:
        cells[column] = value
        if column == 16:
            cells[12] = "2"
    with world.tx() as s:
        report = import_programs(
            s, world.provider_user, world.provider_id, _csv(",".join(cells)), today=world.today
        )
    assert (report.errors, report.updated) == ([], 1)
    assert _status(world, program_id) == CertificationStatus.SUBMITTED
    with read_session(world.engine) as s:
        page = public_program(s, program_id, world.today)
    assert page.title == "Шахматы"  # the certified text
    # a new title leaves the group as certified; new terms close it until certified
    assert len(page.groups) == (1 if column == 1 else 0)


def test_importing_the_same_file_again_changes_nothing(imported):
    world, program_id, row = imported
    with world.tx() as s:
        import_programs(s, world.provider_user, world.provider_id, _csv(row), today=world.today)
    assert _status(world, program_id) == CertificationStatus.CERTIFIED


def test_switching_to_free_needs_review_and_a_free_program_has_no_paid_group(engine):
    world = build_world(engine)
    admin = _admin(world)
    seated = world.apply()
    with world.tx() as s:
        update_program(s, world.provider_user, world.program_id, replace(FIELDS, is_free=True))
    with read_session(engine) as s:
        program = s.get(Program, world.program_id)
        group = s.get(Group, world.group_id)
        enrollment = s.get(Enrollment, seated)
        page = public_program(s, world.program_id, world.today)
    assert program.certification_status == CertificationStatus.SUBMITTED
    assert group.price_per_lesson_minor == 0  # no paid group in a free program
    assert enrollment.price_per_lesson_minor == 50_000  # a running contract keeps its terms
    assert page.payable_by_certificate and not page.is_free and page.groups == []
    assert _apply_outcome(world, world.group_id) == "group_awaiting_certification"

    assert _decide(world, admin, world.program_id, "certify") == "ok"
    with read_session(engine) as s:
        page = public_program(s, world.program_id, world.today)
    assert page.is_free and not page.payable_by_certificate
    assert [g.price_per_lesson_minor for g in page.groups] == [0]


def test_certifying_certifies_only_the_version_the_official_was_shown(engine):
    world = build_world(engine)
    admin = _admin(world)
    _edit_group(world, world.group_id, price_per_lesson_minor=60_000)
    with read_session(engine) as s:
        shown = program_changes(s, s.get(Program, world.program_id))[2]
    _edit_group(world, world.group_id, price_per_lesson_minor=99_000)  # meanwhile

    assert _decide(world, admin, world.program_id, "certify", seen=shown) == (
        "certification_changed"
    )
    assert _decide(world, admin, world.program_id, "certify", seen="") == "certification_changed"
    assert _status(world) == CertificationStatus.SUBMITTED
    assert _apply_outcome(world, world.group_id) == "group_awaiting_certification"
    assert _decide(world, admin, world.program_id, "certify") == "ok"  # the new one, now seen
    with read_session(engine) as s:
        assert s.get(Group, world.group_id).certified_terms["price_per_lesson_minor"] == 99_000


def test_a_program_is_submitted_only_with_its_groups(engine):
    world = build_world(engine)
    with world.tx() as s:
        bare = create_program(s, world.provider_user, world.provider_id, FIELDS)
    assert (
        _outcome(
            world,
            lambda s: set_certification(s, world.provider_user, bare.id, "submitted"),
        )
        == "submit_without_groups"
    )
    assert _status(world, bare.id) == CertificationStatus.DRAFT


def test_the_municipality_suspends_any_listed_program_free_ones_too(engine):
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        free = create_program(
            s, world.provider_user, world.provider_id, replace(FIELDS, is_free=True)
        )
        create_group(
            s,
            world.provider_user,
            free.id,
            name="A",
            timetable=[{"weekday": 1, "start": "10:00", "end": "11:00"}],
            starts_on=world.today,
            ends_on=world.today + timedelta(days=30),
            seats=5,
            price_per_lesson_minor=0,
            today=world.today,
        )
    world.program_id = free.id
    assert _status(world, free.id) == CertificationStatus.DRAFT  # free: listed uncertified
    assert list(_public_groups(world).values()) == [0]

    assert _decide(world, admin, free.id, "suspend", "Жалоба родителей") == "ok"
    with read_session(engine) as s:
        program = s.get(Program, free.id)
        assert decision_reason(s, program) == "Жалоба родителей"  # the provider sees why
        with pytest.raises(NotFound):
            public_program(s, free.id, world.today)
    assert _decide(world, admin, free.id, "reinstate") == "ok"
    assert _status(world, free.id) == CertificationStatus.DRAFT  # back where it was
    assert list(_public_groups(world).values()) == [0]


def test_lessons_are_charged_only_on_the_certified_timetable(engine):
    """A provider who adds weekdays while the change waits for review cannot charge them:
    the hold would otherwise drain days faster than the lessons the contract has."""
    world = build_world(engine)  # Mondays and Wednesdays, from Monday 7 September
    seated = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, seated, today=world.today)
    every_day = [{"weekday": d, "start": "16:00", "end": "17:30"} for d in range(1, 8)]
    _edit_group(world, world.group_id, timetable=every_day)
    tuesday = world.today + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused, world.tx() as s:
        mark_attendance(s, world.provider_user, seated, tuesday, "present", today=tuesday)
    assert refused.value.code == "attendance_not_a_lesson"
    with world.tx() as s:  # the certified Monday is still a lesson
        mark_attendance(s, world.provider_user, seated, world.today, "present", today=tuesday)
    with read_session(engine) as s:
        register = register_of(s, world.provider_user, world.group_id, today=tuesday)
    assert register.dates == [world.today]


def test_a_program_edited_while_suspended_is_reviewed_before_it_pays_again(engine):
    world = build_world(engine)
    admin = _admin(world)
    assert _decide(world, admin, world.program_id, "suspend", "Жалоба") == "ok"
    _edit_group(world, world.group_id, price_per_lesson_minor=80_000)
    assert _decide(world, admin, world.program_id, "reinstate") == "ok"
    assert _status(world) == CertificationStatus.SUBMITTED  # not certified unseen
    assert _apply_outcome(world, world.group_id) == "group_awaiting_certification"
