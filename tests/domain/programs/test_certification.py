"""The municipality's certification decisions and its queue of programs waiting for one.

A decision moves a program only from the state it expects; an edited program returns to the
queue showing only what changed.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from navigator.domain.programs import certification
from navigator.domain.programs.api import update_group, update_program
from navigator.domain.programs.certification import (
    Change,
    certification_queue,
    decide_certification,
    listed_programs,
    set_certification,
)
from navigator.domain.programs.models import (
    CERTIFIED_PROGRAM_FIELDS,
    CertificationStatus,
    Group,
    Program,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput
from tests.domain.cabinet import (
    _admin,
    _audit,
    _decide,
    _refusal,
    _second_provider,
    _submitted_program,
)
from tests.factories import SYSTEM, World, build_world


def _status(world: World, program_id: int) -> str:
    with read_session(world.engine) as s:
        return s.get(Program, program_id).certification_status


def test_certification_decisions_move_a_program_only_from_the_state_they_expect(engine):
    world = build_world(engine)
    admin = _admin(world)
    certified = world.program_id

    assert [_decide(world, admin, certified, d) for d in ("certify", "reject", "reinstate")] == [
        "certification_transition"
    ] * 3
    assert _decide(world, admin, certified, "suspend") == "field_required"  # says why
    assert _decide(world, admin, certified, "suspend", "   ") == "field_required"
    assert _status(world, certified) == CertificationStatus.CERTIFIED
    assert _decide(world, admin, certified, "suspend", "Licence lapsed") == "ok"
    assert _status(world, certified) == CertificationStatus.SUSPENDED
    assert _decide(world, admin, certified, "suspend", "Again") == "certification_transition"
    assert _decide(world, admin, certified, "reinstate") == "ok"
    assert _status(world, certified) == CertificationStatus.CERTIFIED

    submitted, _, _ = _submitted_program(world)
    for decision in ("approve", "", None, 1):
        error = _refusal(
            world,
            lambda s, d=decision: decide_certification(s, admin, submitted, d),
        )
        assert (type(error), error.code) == (InvalidInput, "field_not_allowed")
    assert _decide(world, admin, submitted, "reinstate") == "certification_transition"
    assert _decide(world, admin, submitted, "reject") == "field_required"
    assert _status(world, submitted) == CertificationStatus.SUBMITTED
    assert _decide(world, admin, submitted, "reject", "No safety plan") == "ok"
    assert _status(world, submitted) == CertificationStatus.REJECTED
    assert _decide(world, admin, submitted, "certify") == "certification_transition"
    with world.tx() as s:  # the provider fixes it and sends it again
        set_certification(s, world.provider_user, submitted, CertificationStatus.SUBMITTED)
    assert _decide(world, admin, submitted, "certify") == "ok"
    assert _status(world, submitted) == CertificationStatus.CERTIFIED


def test_a_decision_acts_only_on_the_state_it_was_checked_against(engine, monkeypatch):
    """A "certify" clicked while another admin certifies and suspends never reinstates: it
    reads the state only once it holds the program, and by then the program is suspended."""
    world = build_world(engine)
    admin = _admin(world)
    program_id, _, _ = _submitted_program(world)
    checked, elsewhere_done = threading.Event(), threading.Event()
    elsewhere: list[str] = []
    access_check = certification.check_municipality_admin

    def check_then_let_another_admin_act(*args, **kwargs):
        access_check(*args, **kwargs)
        if not checked.is_set():  # the first decision only: the other admin's go straight on
            checked.set()
            elsewhere_done.wait(timeout=2)  # they finish only if this one locked nothing

    def another_admin() -> None:
        checked.wait(timeout=10)
        elsewhere.append(_decide(world, SYSTEM, program_id, "certify"))
        elsewhere.append(_decide(world, SYSTEM, program_id, "suspend", "Complaint received"))
        elsewhere_done.set()

    monkeypatch.setattr(certification, "check_municipality_admin", check_then_let_another_admin_act)
    thread = threading.Thread(target=another_admin)
    thread.start()
    mine = _decide(world, admin, program_id, "certify")
    thread.join(timeout=60)

    # one of two serial orders (SQLite serializes whole transactions, PostgreSQL rows):
    # mine first, or mine after both of theirs, seeing the suspension
    assert (mine, elsewhere) in (
        ("ok", ["certification_transition", "ok"]),
        ("certification_transition", ["ok", "ok"]),
    )
    assert _status(world, program_id) == CertificationStatus.SUSPENDED
    certified = [e for e in _audit(world, "program.certified") if e.subject_id == program_id]
    assert [e.payload["from"] for e in certified] == ["submitted"]


def test_an_edited_program_returns_to_the_queue_showing_only_what_changed(engine):
    world = build_world(engine)
    admin = _admin(world)
    program_id, fields, group_id = _submitted_program(world, title="Шахматы")

    with read_session(engine) as s:
        [fresh] = certification_queue(s, admin, world.municipality_id)
    assert (fresh.program.id, fresh.provider_name, fresh.last_certified_at) == (
        program_id,
        "Дом творчества",
        None,
    )
    assert [c.field for c in fresh.changes] == [*CERTIFIED_PROGRAM_FIELDS, "photo", "groups"]
    assert all(c.before is None for c in fresh.changes)  # never certified: everything is new

    assert _decide(world, admin, program_id, "certify") == "ok"
    with world.tx() as s:
        update_program(s, world.provider_user, program_id, replace(fields, title="Шахматы 2.0"))
    assert _status(world, program_id) == CertificationStatus.SUBMITTED
    with read_session(engine) as s:
        [edited] = certification_queue(s, admin, world.municipality_id)
    assert edited.last_certified_at is not None
    assert edited.changes == [Change("title", "Шахматы", "Шахматы 2.0")]

    assert _decide(world, admin, program_id, "certify") == "ok"
    with read_session(engine) as s:
        assert certification_queue(s, admin, world.municipality_id) == []
        group = s.get(Group, group_id)
    with world.tx() as s:
        update_group(
            s,
            world.provider_user,
            group_id,
            name=group.name,
            timetable=group.timetable,
            starts_on=group.starts_on,
            ends_on=group.ends_on,
            seats=group.seats,
            price_per_lesson_minor=60_000,
        )
    with read_session(engine) as s:
        [repriced] = certification_queue(s, admin, world.municipality_id)
    [change] = repriced.changes
    terms = {
        "name": group.name,
        "starts_on": "2026-09-07",
        "ends_on": "2026-10-04",
        "seats": 10,
        "timetable": [
            {"weekday": 1, "start": "16:00", "end": "17:30"},
            {"weekday": 3, "start": "16:00", "end": "17:30"},
        ],
        "excluded_dates": [],
    }
    assert change == Change(
        "groups", [{**terms, "price_minor": 50_000}], [{**terms, "price_minor": 60_000}]
    )


def test_listed_programs_are_every_program_parents_can_find_and_the_suspended_ones(engine):
    world = build_world(engine)
    admin = _admin(world)
    _, _, _ = _second_provider(world)
    _submitted_program(world)
    assert _decide(world, admin, world.program_id, "suspend", "Licence lapsed") == "ok"
    with read_session(engine) as s:
        listed = [
            (p.title, name, p.certification_status)
            for p, name in listed_programs(s, admin, world.municipality_id)
        ]
    assert listed == [
        ("Рисование", "Студия рисунка", "certified"),
        ("Робототехника", "Дом творчества", "suspended"),
    ]
