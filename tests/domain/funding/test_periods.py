"""A funding period's life: created without overlaps, opened with a nominal table, then closed.

Closing does exactly what its preview showed, and a closed period takes no more changes.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from sqlmodel import Session

from navigator.domain.certificates.ledger import period_money
from navigator.domain.certificates.models import EntryKind
from navigator.domain.enrollment.api import cancel_enrollment
from navigator.domain.funding import periods
from navigator.domain.funding.models import FundingPeriod, NominalRule, PeriodStatus
from navigator.domain.funding.nominal import NominalRow, set_nominal_table
from navigator.domain.funding.periods import (
    ClosingSummary,
    close_period,
    closing_preview,
    create_period,
    open_period,
    update_period,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict
from tests.domain.cabinet import (
    LESSONS,
    NEXT_YEAR,
    _accepted,
    _admin,
    _audit,
    _count,
    _ledger_totals,
    _mark,
    _outcome,
    _period,
    _refusal,
)
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import run_in_parallel


def test_an_overlapping_period_is_refused_and_an_adjacent_one_is_not(engine):
    world = build_world(engine)
    admin = _admin(world)

    def create(starts_on: date, ends_on: date) -> Callable[[Session], object]:
        return lambda s: create_period(
            s,
            admin,
            world.municipality_id,
            name="Overlap",
            starts_on=starts_on,
            ends_on=ends_on,
            budget_minor=1_000_000,
            max_funded_certificates=10,
        )

    error = _refusal(world, create(date(2027, 8, 31), date(2028, 8, 30)))  # one shared day
    assert (type(error), error.code) == (Conflict, "period_overlaps")
    assert _count(world, FundingPeriod, FundingPeriod.municipality_id == world.municipality_id) == 1
    assert len(_audit(world, "period.created")) == 1  # the factory's period only

    assert _outcome(world, create(*NEXT_YEAR)) == "ok"
    created = _audit(world, "period.created")[-1]
    assert (created.actor_id, created.payload["starts_on"]) == (admin.user_id, "2027-09-01")


def test_two_overlapping_periods_created_at_once_are_not_both_saved(engine, monkeypatch):
    world = build_world(engine)
    both_looked = threading.Barrier(2)
    name_check = periods.check_text

    def after_looking_for_overlaps(*args, **kwargs):  # create_period checks the name next
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait(timeout=2)
        return name_check(*args, **kwargs)

    monkeypatch.setattr(periods, "check_text", after_looking_for_overlaps)

    outcomes = run_in_parallel(
        engine,
        [
            lambda s, starts_on=starts_on: create_period(
                s,
                SYSTEM,
                world.municipality_id,
                name="2027/28",
                starts_on=starts_on,
                ends_on=NEXT_YEAR[1],
                budget_minor=1_000_000,
                max_funded_certificates=10,
            )
            for starts_on in (NEXT_YEAR[0], NEXT_YEAR[0] + timedelta(days=1))
        ],
    )

    assert outcomes == Counter({"ok": 1, "period_overlaps": 1})
    assert _count(world, FundingPeriod) == 2


def test_a_draft_period_opens_only_once_it_has_a_nominal_table(engine):
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        draft = create_period(
            s,
            admin,
            world.municipality_id,
            name="2027/28",
            starts_on=NEXT_YEAR[0],
            ends_on=NEXT_YEAR[1],
            budget_minor=50_000_000,
            max_funded_certificates=500,
            status=PeriodStatus.DRAFT,
        )
    error = _refusal(world, lambda s: open_period(s, admin, draft.id))
    assert (type(error), error.code) == (Conflict, "period_without_nominal")
    assert _period(world, draft.id).status == PeriodStatus.DRAFT

    with world.tx() as s:
        set_nominal_table(
            s,
            admin,
            draft.id,
            category="base",
            effective_from=NEXT_YEAR[0],
            rows=[NominalRow(5, 17, 1_000_000)],
            today=world.today,
        )
        open_period(s, admin, draft.id)
    assert _period(world, draft.id).status == PeriodStatus.OPEN
    assert [e.subject_id for e in _audit(world, "period.opened")] == [draft.id]


def test_the_closing_preview_is_what_closing_does_and_what_the_ledger_says(engine):
    world = build_world(engine)
    admin = _admin(world)
    seated = _accepted(world)
    _mark(world, seated, LESSONS[0])
    _mark(world, seated, LESSONS[1])  # 100.000 captured, 300.000 still held
    parent, child_id, _, _ = world.add_parent_with_child()
    cancelled = _accepted(world, child_id=child_id, parent=parent)
    _mark(world, cancelled, LESSONS[0])
    with world.tx() as s:
        cancel_enrollment(s, parent, cancelled)  # 50.000 captured, 350.000 released
    world.add_parent_with_child()  # funded, never enrolled
    ledger = _ledger_totals(world)

    with read_session(engine) as s:
        preview = closing_preview(s, admin, world.period_id)

    open_holds = ledger[EntryKind.HOLD] - ledger[EntryKind.CAPTURE] - ledger[EntryKind.RELEASE]
    unspent = ledger[EntryKind.CREDIT] + ledger[EntryKind.REFUND] - ledger[EntryKind.CAPTURE]
    assert preview == ClosingSummary(accounts=3, released_minor=open_holds, expired_minor=unspent)
    assert preview == ClosingSummary(3, 300_000, 3_000_000 - 150_000)

    with world.tx() as s:
        closed = close_period(s, admin, world.period_id)

    assert closed == preview
    after = _ledger_totals(world)
    assert after[EntryKind.RELEASE] - ledger[EntryKind.RELEASE] == preview.released_minor
    assert after[EntryKind.EXPIRE] == preview.expired_minor
    with read_session(engine) as s:
        assert closing_preview(s, admin, world.period_id) == ClosingSummary(0, 0, 0)
        assert period_money(s, world.period_id) == (0, 150_000)
    [event] = _audit(world, "period.closed")
    assert event.payload == {
        "accounts": 3,
        "released_minor": 300_000,
        "expired_minor": 2_850_000,
    }
    assert_ledger_invariants(engine)


def test_a_closed_period_takes_no_more_changes(engine):
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        close_period(s, admin, world.period_id)
    rules_before = _count(world, NominalRule, NominalRule.period_id == world.period_id)

    codes = [
        _outcome(
            world,
            lambda s: update_period(
                s,
                admin,
                world.period_id,
                name="Reopened",
                budget_minor=200_000_000,
                max_funded_certificates=1000,
            ),
        ),
        _outcome(
            world,
            lambda s: set_nominal_table(
                s,
                admin,
                world.period_id,
                category="base",
                effective_from=world.today,
                rows=[NominalRow(5, 17, 2_000_000)],
                today=world.today,
            ),
        ),
        _outcome(world, lambda s: open_period(s, admin, world.period_id)),
    ]

    assert codes == ["period_closed"] * 3
    period = _period(world)
    assert (period.name, period.budget_minor, period.status) == ("2026/27", 100_000_000, "closed")
    assert _count(world, NominalRule, NominalRule.period_id == world.period_id) == rules_before
