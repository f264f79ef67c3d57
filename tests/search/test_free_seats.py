"""Free seats are one count wherever a parent sees or filters on them: the search document
(the catalog card, "free seats only" and its facet), the SQL fallback's rows, the catalog API
and the program page. Seats less those taken, less those promised to applications awaiting a
decision, never below zero, and none while the group has a waiting list: a parent who filters
on free seats is not put on the waiting list on applying. Every application, withdrawal,
decision, promotion and a group's end moves all of them together, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from meilisearch.errors import MeilisearchApiError
from sqlalchemy import event
from sqlmodel import func, select

from navigator.domain.enrollment.api import (
    accept_application,
    cancel_enrollment,
    reject_application,
)
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.enrollment.seats import NO_CLAIMS, SeatClaims, free_seats
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import update_group
from navigator.domain.programs.catalog_rows import CatalogGroup, CatalogRow
from navigator.domain.programs.models import Group
from navigator.domain.programs.queries import list_catalog_programs, public_program
from navigator.domain.shared import db as db_module
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import CatalogChange
from navigator.settings import get_settings
from search.documents import build_batch
from search.fallback import search_catalog_sql
from search.keys import search_client
from search.query import CatalogQuery, search_catalog
from search.relay import Relay, drain, make_client, relay_batch
from tests.factories import build_world
from tests.support.invariants import assert_catalog_rows_as_a_full_refresh
from tests.support.parallel import apply_in_process

_uids = itertools.count()


@pytest.fixture
def index(meili_server):
    client = make_client(meili_server.url, meili_server.master_key)
    uid = f"free_seats_test_{next(_uids)}"
    yield client, uid
    client.delete_index(uid)


@pytest.fixture
def catalog_api(engine, monkeypatch):
    """The open catalog API on this database, its Meilisearch unreachable: it answers lists
    from the SQL fallback's rows (degraded) and a program from the program page's read."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MEILI_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MEILI_MASTER_KEY", "x" * 24)
    monkeypatch.delenv("MEILI_SEARCH_KEY", raising=False)
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    search_client.cache_clear()
    from navigator.api.catalog import api

    yield TestClient(api)
    get_settings.cache_clear()
    db_module.get_engine.cache_clear()
    search_client.cache_clear()


def _code(world) -> str:
    with read_session(world.engine) as s:
        return s.get(Municipality, world.municipality_id).code


def _free_everywhere(world, api: TestClient | None = None, today: date | None = None) -> int:
    """The program's free seats as each reader shows them, asserted equal; the count."""
    today = today or world.today
    code, pid = _code(world), world.program_id
    with read_session(world.engine) as s:
        [document] = build_batch(s, [pid], today).documents
        page = public_program(s, pid, today)
        [listed] = [p for p in list_catalog_programs(s, limit=1000, today=today) if p.id == pid]

        def fallback(**filters) -> dict[int, int]:
            query = CatalogQuery(municipalities=(code,), per_page=100, **filters)
            return {h.id: h.free_seats for h in search_catalog_sql(s, query, today).hits}

        anyway, free_only, full = (
            fallback(),
            fallback(has_free_seats=True),
            fallback(has_free_seats=False),
        )
        group_rows = {
            g.group_id: g.free_seats
            for g in s.exec(select(CatalogGroup).where(CatalogGroup.program_id == pid)).all()
        }
        row = s.get(CatalogRow, pid)
    free = document["free_seats"]
    assert document["has_free_seats"] is (free > 0)
    assert anyway[pid] == page.free_seats == listed.free_seats == free
    assert (pid in free_only, pid in full) == (free > 0, free == 0)
    open_groups = {g.id: g.free_seats for g in page.groups if g.enrollment_open}
    assert {i: n for i, n in group_rows.items() if i in open_groups} == open_groups
    assert free == sum(open_groups.values())
    if today == date.today():  # the row's own value is the one of the day it was written
        assert row.free_seats == free
    if api is not None:  # the API's program (the page's read) and its degraded search
        one = api.get(f"/api/v1/programs/{pid}").json()
        assert one["free_seats"] == free
        assert {g["id"]: g["free_seats"] for g in one["groups"] if g["enrollment_open"]} == (
            open_groups
        )
        body = api.get(
            "/api/v1/programs", params={"municipality": code, "has_free_seats": "true"}
        ).json()
        assert body["degraded"] is True
        assert [h["free_seats"] for h in body["hits"] if h["id"] == pid] == ([free] if free else [])
    return free


def _status(world, enrollment_id: int) -> str:
    with read_session(world.engine) as s:
        return s.get(Enrollment, enrollment_id).status


def test_free_seats_are_neither_taken_nor_promised_and_none_while_children_wait():
    assert free_seats(10, 3, NO_CLAIMS) == 7
    assert free_seats(10, 3, SeatClaims(awaiting=4)) == 3
    assert free_seats(10, 3, SeatClaims(awaiting=9)) == 0  # more promised than free: not -2
    assert free_seats(10, 0, SeatClaims(waiting=1)) == 0  # the next one waits behind them
    assert free_seats(1, 1, NO_CLAIMS) == 0


def test_an_application_its_withdrawal_and_the_providers_decisions_move_every_count(
    engine, catalog_api
):
    world = build_world(engine, seats=3, today=date.today())
    api = catalog_api
    families = [world.add_parent_with_child()[:2] for _ in range(2)]

    def apply(n: int) -> int:
        parent, child = families[n]
        return world.apply(child_id=child, parent=parent)

    assert _free_everywhere(world, api) == 3
    first = world.apply()  # an application awaits the provider: its seat is promised
    assert _free_everywhere(world, api) == 2
    second = apply(0)
    assert _free_everywhere(world, api) == 1
    with world.tx() as s:  # the parent withdraws it
        cancel_enrollment(s, families[0][0], second, reason="changed our minds")
    assert _free_everywhere(world, api) == 2
    with world.tx() as s:  # accepted: the promised seat is now a taken one
        accept_application(s, world.provider_user, first, today=world.today)
    assert _free_everywhere(world, api) == 2
    third = apply(1)
    assert _free_everywhere(world, api) == 1
    with world.tx() as s:
        reject_application(s, world.provider_user, third, reason="the group is for beginners")
    assert _free_everywhere(world, api) == 2
    assert_catalog_rows_as_a_full_refresh(engine)


def test_the_waiting_list_and_its_promotion_move_every_count(engine, catalog_api):
    world = build_world(engine, seats=2, today=date.today())
    families = [world.add_parent_with_child()[:2] for _ in range(3)]
    first, second, late = (world.apply(child_id=c, parent=p) for p, c in families)
    assert _status(world, late) == "waitlisted"
    assert _free_everywhere(world, catalog_api) == 0
    with world.tx() as s:  # a seat freed goes to the waiting list first, not to the catalog
        reject_application(s, world.provider_user, first, reason="too young for the group")
    assert _status(world, late) == "applied"
    assert _free_everywhere(world, catalog_api) == 0
    with world.tx() as s:  # more seats: the catalog offers what nobody waits for
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
            seats=4,
            price_per_lesson_minor=group.price_per_lesson_minor,
        )
    assert _free_everywhere(world, catalog_api) == 2
    with world.tx() as s:
        cancel_enrollment(s, families[1][0], second)
    assert _free_everywhere(world, catalog_api) == 3
    assert_catalog_rows_as_a_full_refresh(engine)


def test_an_application_ended_by_any_writer_and_a_group_that_ends_move_every_count(engine):
    """The catalog follows an application's status, not the services that change it: one
    ended by another writer (a job expiring it, say) frees its promised seat; and the day
    after its group ends, nothing of it is free anywhere, though nothing was written."""
    world = build_world(engine, seats=3, today=date.today())
    pending = world.apply()
    assert _free_everywhere(world) == 2
    with world.tx() as s:
        enrollment = s.get(Enrollment, pending)
        enrollment.status = EnrollmentStatus.CANCELLED
        s.add(enrollment)
    assert _free_everywhere(world) == 3
    parent, child, *_ = world.add_parent_with_child()
    world.apply(child_id=child, parent=parent)
    last_day = date.today() + timedelta(days=27)
    assert _free_everywhere(world, today=last_day) == 2
    assert _free_everywhere(world, today=last_day + timedelta(days=1)) == 0
    assert_catalog_rows_as_a_full_refresh(engine)


def test_an_application_ended_without_its_old_status_loaded_moves_every_count(engine):
    """A writer that sets the status of an application whose status was expired (never read
    since) still frees its promised seat: the status it leaves is unknown, so it counts as a
    move out of a claim (it was missed: no outbox row, the catalog row stale)."""
    world = build_world(engine, seats=3, today=date.today())
    pending = world.apply()
    assert _free_everywhere(world) == 2
    queued = _outbox_size(engine)
    with world.tx() as s:
        enrollment = s.get(Enrollment, pending)
        s.expire(enrollment, ["status"])
        enrollment.status = EnrollmentStatus.CANCELLED
        s.add(enrollment)
    assert _status(world, pending) == "cancelled"
    assert _free_everywhere(world) == 3
    assert _outbox_size(engine) > queued  # the program goes to the search index again
    assert_catalog_rows_as_a_full_refresh(engine)


def test_an_application_asks_nothing_more_for_its_groups_program(engine):
    """The program whose catalog row an application moves is read off its group, which the
    application loaded already: no query per application for it (each one cost one)."""
    world = build_world(engine, seats=10, today=date.today())
    families = [world.add_parent_with_child()[:2] for _ in range(2)]
    world.apply(child_id=families[0][1], parent=families[0][0])
    seen: list[str] = []

    def statement(_conn, _cursor, text, *_args):
        seen.append(" ".join(text.split()))

    event.listen(engine, "before_cursor_execute", statement)
    try:
        world.apply(child_id=families[1][1], parent=families[1][0])
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    assert seen and not [q for q in seen if q.startswith("SELECT program_group.program_id FROM")]
    assert _free_everywhere(world) == 8


def test_a_lesson_or_a_money_change_of_an_accepted_place_sends_nothing_to_the_index(engine):
    """Only a change that moves free seats costs a reindex: an accepted place's money or
    status among the seated ones leaves no outbox row."""
    world = build_world(engine, seats=3, today=date.today())
    with world.tx() as s:
        accept_application(s, world.provider_user, world.apply(), today=world.today)
    with read_session(engine) as s:
        before = s.exec(select(func.count()).select_from(CatalogChange)).one()
        seated = s.exec(select(Enrollment).where(Enrollment.group_id == world.group_id)).one()
    with world.tx() as s:  # as the first lesson marked makes it active
        enrollment = s.get(Enrollment, seated.id)
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.lessons_charged += 1
        s.add(enrollment)
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(CatalogChange)).one() == before


def test_parents_applying_at_once_to_two_groups_of_a_program_leave_its_count_right(engine):
    """Six OS processes apply at once, three to each group of one program: each commit
    rewrites the program's catalog row, one after the other, reading the others' applications
    too; no raw database error, and every reader agrees afterwards."""
    world = build_world(engine, seats=2, today=date.today())
    second = world.add_group(seats=4, weekdays=(2, 4))
    families = [world.add_parent_with_child()[:2] for _ in range(6)]
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(families))
    results = context.Queue()
    jobs = [
        (parent.user_id, child, (world.group_id, second)[n % 2], world.today)
        for n, (parent, child) in enumerate(families)
    ]
    workers = [
        context.Process(target=apply_in_process, args=(url, barrier, results, job)) for job in jobs
    ]
    for worker in workers:
        worker.start()
    outcomes = Counter(results.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    # two seats: two promised, one waits; four seats: three promised, one free
    assert outcomes == Counter({"applied": 5, "waitlisted": 1}), outcomes
    assert _free_everywhere(world) == 1
    assert_catalog_rows_as_a_full_refresh(engine)


def _outbox_size(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(CatalogChange)).one()


def test_the_relay_sends_a_program_once_for_a_batch_of_its_applications(engine, index):
    client, uid = index
    world = build_world(engine, seats=10, today=date.today())
    families = [world.add_parent_with_child()[:2] for _ in range(4)]
    drain(engine, client, uid=uid)
    assert _outbox_size(engine) == 0
    for parent, child in families:
        world.apply(child_id=child, parent=parent)
    rows = _outbox_size(engine)
    assert rows >= len(families)  # each application leaves its row
    assert relay_batch(engine, client, uid=uid) == rows
    [sent] = client.get_tasks(
        {"indexUids": [uid], "types": ["documentAdditionOrUpdate"], "limit": 1}
    ).results
    assert sent.details["receivedDocuments"] == 1  # one document for the whole batch
    assert client.index(uid).get_document(str(world.program_id)).free_seats == 6


def test_free_seats_only_stops_finding_a_group_once_pending_applications_fill_it(engine, index):
    """Through the real relay thread and Meilisearch, with the query the catalog page sends."""
    client, uid = index
    world = build_world(engine, seats=2, today=date.today())
    code = _code(world)
    families = [world.add_parent_with_child()[:2] for _ in range(2)]

    def found(free_only: bool) -> dict[int, int]:
        query = CatalogQuery(municipalities=(code,), has_free_seats=free_only)
        try:
            return {h.id: h.free_seats for h in search_catalog(client, query, uid=uid).hits}
        except MeilisearchApiError:  # the relay has not created the index yet
            return {}

    def until(free_only: bool, wanted: dict[int, int]) -> None:
        deadline = time.monotonic() + 30
        while found(free_only) != wanted:
            assert time.monotonic() < deadline, (free_only, found(free_only), wanted)
            time.sleep(0.05)

    relay = Relay(engine, client, uid=uid)
    thread = relay.start_thread()
    try:
        until(True, {world.program_id: 2})
        applications = [world.apply(child_id=c, parent=p) for p, c in families]
        until(False, {world.program_id: 0})  # both seats promised: not free any more
        assert found(True) == {}
        with world.tx() as s:  # one parent withdraws: the seat is free again
            cancel_enrollment(s, families[0][0], applications[0])
        until(True, {world.program_id: 1})
    finally:
        relay.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
