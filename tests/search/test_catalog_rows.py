"""The catalog's narrow rows the SQL fallback reads (catalog_row, catalog_group): written with
every change to a program, its groups, its provider or its municipality, and right on any day,
on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, text
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from navigator.domain.accounts.models import Child
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import (
    ProgramFields,
    set_enrollment_open,
    set_listing,
    update_group,
    update_program,
)
from navigator.domain.programs.catalog_rows import (
    LOCK_SPACE,
    CatalogGroup,
    CatalogRow,
)
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.migrate import fill_derived_rows
from search.documents import EPOCH, build_batch
from search.fallback import (
    ROW,
    _free_seats,
    _lowest_price,
    _meets_on,
    _nearest_start,
    search_catalog_sql,
)
from search.query import CatalogQuery
from seed.demo import seed_demo
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_catalog_rows_as_a_full_refresh
from tests.support.parallel import run_in_parallel


def _find(world, today: date | None = None, **filters) -> list[int]:
    with read_session(world.engine) as s:
        code = s.get(Municipality, world.municipality_id).code
        result = search_catalog_sql(
            s, CatalogQuery(municipalities=(code,), per_page=100, **filters), today or world.today
        )
    assert result.total == len(result.hits)
    return [hit.id for hit in result.hits]


def test_a_group_that_fills_changes_price_closes_or_ends_changes_what_the_fallback_finds(engine):
    world = build_world(engine, today=date.today(), seats=2, price=50_000)
    program = world.program_id
    assert _find(world, has_free_seats=True) == [program]
    assert _find(world, has_free_seats=False) == []
    assert _find(world, price_max_minor=50_000) == [program]
    assert _find(world, weekdays=(3,)) == [program]
    assert _find(world, weekdays=(5,)) == []

    with world.tx() as s:  # the last seats taken (as enrollment takes them: through the ORM)
        group = s.get(Group, world.group_id)
        group.seats_taken = group.seats
        s.add(group)
    assert _find(world, has_free_seats=True) == []
    assert _find(world, has_free_seats=False) == [program]

    with world.tx() as s:  # a new price waits for review: no application on it until then
        group = s.get(Group, world.group_id)
        update_group(
            s,
            world.provider_user,
            world.group_id,
            today=world.today,
            name=group.name,
            timetable=group.timetable,
            starts_on=group.starts_on,
            ends_on=group.ends_on,
            seats=group.seats,
            price_per_lesson_minor=90_000,
        )
    assert _find(world, price_max_minor=1_000_000) == []
    assert _find(world, weekdays=(3,)) == []
    world.certify()
    assert _find(world, price_max_minor=50_000) == []
    assert _find(world, price_max_minor=90_000) == [program]

    second = world.add_group(seats=5, price=40_000, weekdays=(5,))
    assert _find(world, price_max_minor=50_000) == [program]
    assert _find(world, weekdays=(5,)) == [program]
    assert _find(world, has_free_seats=True) == [program]
    with world.tx() as s:
        set_enrollment_open(s, world.provider_user, second, False)
    assert _find(world, price_max_minor=50_000) == []
    assert _find(world, weekdays=(5,)) == []
    assert _find(world, has_free_seats=True) == []

    # the day after its groups end, nothing of theirs is found, though no row was written
    last_day = date.today() + timedelta(days=27)
    assert _find(world, last_day, price_max_minor=90_000) == [program]
    assert _find(world, last_day + timedelta(days=1), price_max_minor=90_000) == []
    assert _find(world, last_day + timedelta(days=1), has_free_seats=False) == [program]
    assert _find(world, last_day + timedelta(days=1), sort="start") == [program]
    assert_catalog_rows_as_a_full_refresh(engine)


def test_a_program_edited_after_certification_is_found_as_certified(engine):
    world = build_world(engine, today=date.today())
    with world.tx() as s:
        update_program(
            s,
            world.provider_user,
            world.program_id,
            ProgramFields(
                title="Шахматы", direction="artistic", age_min=3, age_max=5, language="ru"
            ),
        )
    # the municipality has not seen the change: the catalog keeps the certified version
    assert _find(world, directions=("technical",), age=9) == [world.program_id]
    assert _find(world, directions=("artistic",)) == []
    assert _find(world, age=4) == []
    assert _find(world, text="робототехника") == [world.program_id]
    assert _find(world, text="шахматы") == []
    assert _find(world, payable_by_certificate=True) == [world.program_id]
    world.certify()
    assert _find(world, directions=("artistic",), age=4) == [world.program_id]
    assert _find(world, directions=("technical",)) == []
    assert _find(world, text="шахматы") == [world.program_id]
    assert_catalog_rows_as_a_full_refresh(engine)


def test_a_program_leaves_the_fallback_with_its_listing_or_its_providers_admission(engine):
    world = build_world(engine, today=date.today())
    with world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "suspended")
    assert _find(world) == []
    with world.tx() as s:
        set_listing(s, world.provider_user, world.program_id, "listed")
    assert _find(world) == [world.program_id]
    with world.tx() as s:
        provider = s.get(Provider, world.provider_id)
        provider.admitted = False
        s.add(provider)
    assert _find(world) == []
    with world.tx() as s:
        provider = s.get(Provider, world.provider_id)
        provider.admitted = True
        s.add(provider)
    assert _find(world) == [world.program_id]
    with world.tx() as s:
        municipality = s.get(Municipality, world.municipality_id)
        municipality.code = f"{municipality.code}-renamed"
        s.add(municipality)
    assert _find(world) == [world.program_id]
    assert_catalog_rows_as_a_full_refresh(engine)


def _claim_seats(engine, program_ids: list[int]) -> dict[int, int]:
    """Applications on nine groups of these programs, by the ORM as the services write them:
    one awaiting a decision, two for the last seat (never below zero), one waiting. The free
    seats each group is then left with."""
    with read_session(engine) as s:
        children = list(s.exec(select(Child.id).order_by(col(Child.id))).all()[:2])
        groups = s.exec(
            select(Group).where(col(Group.program_id).in_(program_ids)).order_by(col(Group.id))
        ).all()[:9]
    assert len(children) == 2 and len(groups) == 9
    expected: dict[int, int] = {}
    with transaction(engine) as s:
        for n, group in enumerate(groups):
            kind = n % 3
            if kind == 1:
                row = s.get(Group, group.id)
                row.seats_taken = row.seats - 1
                s.add(row)
            statuses = (
                [EnrollmentStatus.APPLIED],
                [EnrollmentStatus.APPLIED, EnrollmentStatus.APPLIED],
                [EnrollmentStatus.WAITLISTED],
            )[kind]
            for child_id, status in zip(children, statuses, strict=False):
                s.add(
                    Enrollment(
                        child_id=child_id,
                        group_id=group.id,
                        status=status,
                        contract_starts_on=group.starts_on,
                    )
                )
            expected[group.id] = group.seats - 1 if kind == 0 else 0
    return expected


@pytest.mark.parametrize("days_later", [0, 200, -30])
def test_every_row_answers_as_the_programs_search_document_on_any_day(engine, days_later):
    """What Meilisearch filters and sorts by (search/documents.py), from the row on the day it
    was written, or from its groups on a day a group ended or had not yet; free seats with
    applications awaiting a decision and waiting lists on some groups."""
    seed_demo(engine, programs=120)
    with engine.begin() as c:  # a group of each program already over on the day it was written
        ids = list(c.execute(sa_select(Program.id).order_by(Program.id)).scalars())
    with read_session(engine) as s:
        groups = s.exec(select(Group).where(col(Group.program_id).in_(ids[::3]))).all()
    with transaction(engine) as s:
        for group in groups[::2]:
            row = s.get(Group, group.id)
            row.ends_on = date.today() + timedelta(days=100)
            row.certified_terms = row.terms()
            s.add(row)
    claimed = _claim_seats(engine, ids[1::3])
    today = date.today() + timedelta(days=days_later)
    with read_session(engine) as s:
        documents = {d["id"]: d for d in build_batch(s, ids, today).documents}
        rows = s.exec(
            select(
                ROW.c.program_id,
                ROW.c.direction,
                ROW.c.format,
                ROW.c.language,
                ROW.c.municipality,
                ROW.c.currency,
                ROW.c.age_min,
                ROW.c.age_max,
                ROW.c.payable,
                ROW.c.is_free,
                _lowest_price(today),
                _free_seats(today),
                _nearest_start(today),
                *(_meets_on((day,), today) for day in range(1, 8)),
            )
        ).all()
    assert len(rows) == len(documents) > 100
    with read_session(engine) as s:  # the applications count in the groups' free seats
        written = dict(
            s.exec(
                select(CatalogGroup.group_id, CatalogGroup.free_seats).where(
                    col(CatalogGroup.group_id).in_(list(claimed))
                )
            ).all()
        )
    assert written and written == {i: n for i, n in claimed.items() if i in written}
    for row in rows:
        document = documents[row[0]]
        start = row[12]
        if isinstance(start, str):
            start = date.fromisoformat(start)
        assert (
            row[1:10],
            row[10],
            row[11],
            None if start is None else (start - EPOCH).days,
            [day for day in range(1, 8) if row[12 + day]],
        ) == (
            tuple(
                document[k]
                for k in (
                    "direction",
                    "format",
                    "language",
                    "municipality",
                    "currency",
                    "age_min",
                    "age_max",
                    "payable_by_certificate",
                    "is_free",
                )
            ),
            document["lowest_price"],
            document["free_seats"],
            document["nearest_start"],
            document["weekdays"],
        ), row[0]


def test_the_full_refresh_writes_what_the_hooks_wrote(engine):
    seed_demo(engine, programs=60)  # bulk Core inserts: the after-execute hooks
    world = build_world(engine, today=date.today())  # the ORM's flushes
    world.add_group(price=10_000, weekdays=(6,))
    assert _find(world, weekdays=(6,)) == [world.program_id]
    with world.tx() as s:
        set_certification(s, SYSTEM, world.program_id, "suspended", reason="a complaint")
    assert _find(world) == []
    assert_catalog_rows_as_a_full_refresh(engine)


def test_seats_taken_at_once_in_two_groups_of_a_program_leave_its_row_right(engine):
    """Each change rewrites the program's row in its own transaction: the second waits for the
    first (PostgreSQL: an advisory lock; SQLite: one writer) and reads its change too, instead
    of colliding on the row's key or writing back the seats it read before."""
    world = build_world(engine, today=date.today(), seats=10)
    second = world.add_group(seats=10, weekdays=(5,))

    def take_a_seat(group_id: int):
        def call(s) -> None:
            group = s.get(Group, group_id, with_for_update=True)  # as enrollment locks it
            group.seats_taken += 1
            s.add(group)
            s.flush()  # the row is rewritten here; the commit comes a moment later
            time.sleep(0.2)

        return call

    outcomes = run_in_parallel(engine, [take_a_seat(world.group_id), take_a_seat(second)] * 2)
    assert outcomes == {"ok": 4}
    with read_session(engine) as s:
        free = s.exec(select(ROW.c.free_seats).where(ROW.c.program_id == world.program_id)).one()
    assert free == 20 - 4
    assert_catalog_rows_as_a_full_refresh(engine)


def test_rows_are_written_as_the_transaction_commits_after_its_other_locks(engine):
    """A flush only notes its programs: nothing of the catalog is written or locked while
    the money paths take their locks (places, accounts), so the catalog's locks never sit
    between theirs; the commit writes the row."""
    world = build_world(engine, today=date.today(), seats=2)
    with transaction(engine) as s:
        group = s.get(Group, world.group_id)
        group.seats_taken = group.seats
        s.add(group)
        s.flush()
        connection = s.connection()
        if connection.dialect.name == "postgresql":
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = :space AND pid = pg_backend_pid()"
                ),
                {"space": LOCK_SPACE},
            ).scalar_one()
            assert held == 0
        before = connection.execute(
            sa_select(CatalogRow.free_seats).where(CatalogRow.program_id == world.program_id)
        ).scalar_one()
        assert before == 2  # not yet: written at the commit
    assert _find(world, has_free_seats=True) == []
    assert_catalog_rows_as_a_full_refresh(engine)


def test_a_catalog_upgraded_across_the_rows_migration_gets_them_after_the_migrations(engine):
    world = build_world(engine, today=date.today())
    with engine.begin() as c:
        c.execute(delete(CatalogGroup))
        c.execute(delete(CatalogRow))
    assert fill_derived_rows(engine.url.render_as_string(hide_password=False)) == 1
    assert _find(world) == [world.program_id]
    assert fill_derived_rows(engine.url.render_as_string(hide_password=False)) == 0
