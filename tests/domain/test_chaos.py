"""Chaos: many OS processes do random mixed work on the same children, groups and
accounts at once, on SQLite and PostgreSQL. Every outcome must be "done" or a refusal a
person understands (a domain error, "busy" included); a raw database error is a failure.
Afterwards the ledger's counters equal its entries and no group holds more than its seats.
"""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import Certificate
from navigator.domain.enrollment.api import accept_application, apply_to_group, cancel_enrollment
from navigator.domain.enrollment.attendance import (
    correct_attendance,
    lock_batch,
    mark_lesson,
    record_attendance,
)
from navigator.domain.enrollment.models import SEATED_ENROLLMENT, Enrollment
from navigator.domain.enrollment.offers import confirm_offer, offer_enrollment
from navigator.domain.funding.periods import close_period
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import atomically, make_engine, read_session
from navigator.domain.shared.errors import DomainError
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_ledger_invariants

PROCESSES = 8
OPERATIONS = 30


@dataclass(frozen=True)
class Plan:
    """What every process may act on: plain ids, so it crosses a process boundary."""

    url: str
    provider_user: int
    period_id: int
    groups: tuple[int, ...]
    families: tuple[tuple[int, int, str], ...]  # (parent user id, child id, certificate number)
    birth_dates: dict[int, date]
    last_lesson: date


def _enrollments(engine, group_ids) -> list[tuple[int, int, str]]:
    with read_session(engine) as s:
        return [
            (e.id, e.group_id, e.status)
            for e in s.exec(select(Enrollment).where(col(Enrollment.group_id).in_(group_ids)))
        ]


def _one_operation(engine, plan: Plan, rng: random.Random, step: int, worker: int) -> None:
    provider = Actor.user(plan.provider_user)
    kind = rng.choice(
        [
            "apply",
            "apply",
            "accept",
            "accept",
            "cancel",
            "register",
            "api_batch",
            "correct",
            "offer",
        ]
    )
    if worker == 0 and step == OPERATIONS * 2 // 3:
        kind = "close"
    live = _enrollments(engine, plan.groups)
    pick = rng.choice(live) if live else None
    group_id = rng.choice(plan.groups)
    parent_id, child_id, number = rng.choice(plan.families)
    parent = Actor.user(parent_id)
    with read_session(engine) as s:
        group = s.get(Group, group_id)
        lessons = [d for d in lesson_dates(group) if d <= plan.last_lesson]
    lesson = rng.choice(lessons)
    if kind == "apply":
        atomically(lambda s: apply_to_group(s, parent, child_id, group_id), engine)
    elif kind == "accept" and pick:
        atomically(lambda s: accept_application(s, provider, pick[0]), engine)
    elif kind == "cancel" and pick:
        with read_session(engine) as s:
            enrollment = s.get(Enrollment, pick[0])
            guardian = next(f[0] for f in plan.families if f[1] == enrollment.child_id)
        atomically(lambda s: cancel_enrollment(s, Actor.user(guardian), pick[0]), engine)
    elif kind == "register":
        seated = [e for e in live if e[1] == group_id and e[2] in SEATED_ENROLLMENT]
        marks = {e[0]: rng.choice(["present", "absent"]) for e in seated}
        atomically(
            lambda s: mark_lesson(s, provider, group_id, lesson, marks, today=plan.last_lesson),
            engine,
        )
    elif kind == "api_batch":
        seated = [e[0] for e in live if e[1] == group_id and e[2] in SEATED_ENROLLMENT]
        rng.shuffle(seated)  # the e-journal's own order, not ours

        def batch(s):
            lock_batch(s, seated)
            for enrollment_id in seated:
                try:
                    with s.begin_nested():
                        record_attendance(
                            s, provider, enrollment_id, lesson, "present", today=plan.last_lesson
                        )
                except DomainError:
                    pass  # reported per row, the others still apply

        atomically(batch, engine)
    elif kind == "correct" and pick:
        atomically(
            lambda s: correct_attendance(
                s,
                provider,
                pick[0],
                lesson,
                rng.choice(["present", "absent", "excused"]),
                "chaos",
                today=plan.last_lesson,
            ),
            engine,
        )
    elif kind == "offer":

        def offer_and_confirm(s):
            return offer_enrollment(s, provider, group_id, number, plan.birth_dates[child_id]).id

        offer_id = atomically(offer_and_confirm, engine)
        atomically(lambda s: confirm_offer(s, parent, offer_id), engine)
    elif kind == "close":
        atomically(lambda s: close_period(s, SYSTEM, plan.period_id), engine)


def _worker(plan: Plan, worker: int) -> Counter:
    engine = (
        make_engine(plan.url, pool_size=2, max_overflow=2)
        if plan.url.startswith("postgresql")
        else make_engine(plan.url)
    )
    rng = random.Random(worker)
    outcomes: Counter = Counter()
    for step in range(OPERATIONS):
        try:
            _one_operation(engine, plan, rng, step, worker)
            outcomes["done"] += 1
        except DomainError as refusal:
            outcomes[refusal.code] += 1
        except Exception as error:
            outcomes[f"RAW {type(error).__name__}: {str(error)[:200]}"] += 1
            traceback.print_exc()
    engine.dispose()
    return outcomes


def test_random_mixed_work_in_many_processes_ends_with_no_raw_error_and_a_sound_ledger(engine):
    today = local_today(Municipality(timezone="Europe/Moscow"))  # offers use the real today
    world = build_world(engine, seats=4, today=today)
    groups = (world.group_id, world.add_group(seats=3), world.add_group(seats=5))
    families = []
    birth_dates = {}
    for _ in range(12):
        parent, child_id, certificate_id, _account = world.add_parent_with_child()
        with read_session(engine) as s:
            number = s.get(Certificate, certificate_id).number
            birth_dates[child_id] = s.get(Child, child_id).birth_date
        families.append((parent.user_id, child_id, number))
    with read_session(engine) as s:
        last = max(d for g in groups for d in lesson_dates(s.get(Group, g)))
    plan = Plan(
        url=engine.url.render_as_string(hide_password=False),
        provider_user=world.provider_user.user_id,
        period_id=world.period_id,
        groups=groups,
        families=tuple(families),
        birth_dates=birth_dates,
        last_lesson=last,
    )
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(_worker, [(plan, n) for n in range(PROCESSES)])
    outcomes = sum(results, Counter())
    raw = {k: v for k, v in outcomes.items() if k.startswith("RAW")}
    print(dict(outcomes))
    assert raw == {}
    assert outcomes["done"] > 0
    assert_ledger_invariants(engine)
    with read_session(engine) as s:
        for group_id in groups:
            group = s.get(Group, group_id)
            seated = s.exec(
                select(Enrollment).where(
                    Enrollment.group_id == group_id,
                    col(Enrollment.status).in_(list(SEATED_ENROLLMENT)),
                )
            ).all()
            assert group.seats_taken == len(seated) <= group.seats
