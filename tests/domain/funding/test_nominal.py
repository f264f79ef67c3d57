"""Nominal tables: whole age ranges from a date on; credited money never changes.

A same-date table replaces its draft until a certificate is funded by it; a category falls
back to the base table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session, col, select

from navigator.domain.certificates.api import fund_certificate
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.funding.models import NominalRule
from navigator.domain.funding.nominal import NominalRow, nominal_table, set_nominal_table
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput
from tests.domain.cabinet import _admin, _audit, _count, _outcome, _refusal, _unfunded_child
from tests.factories import SYSTEM, World, build_world
from tests.support.invariants import assert_ledger_invariants


def _fund(world: World, certificate_id: int, on: date) -> CertificateAccount:
    with world.tx() as s:
        return fund_certificate(s, SYSTEM, certificate_id, world.period_id, today=on)


BAD_TABLES = {
    "age_ranges_overlap": {"rows": [NominalRow(5, 10, 900_000), NominalRow(10, 17, 900_000)]},
    "age_ranges_gap": {"rows": [NominalRow(5, 9, 900_000), NominalRow(11, 17, 900_000)]},
    "must_be_positive": {"rows": [NominalRow(5, 17, -900_000)]},
    "nominal_table_empty": {"rows": []},
    "effective_in_past": {"effective_from": date(2026, 9, 6)},  # inside the period, yesterday
    "effective_outside_period": {"effective_from": date(2027, 9, 1)},
}


@pytest.mark.parametrize("code", list(BAD_TABLES))
def test_a_wrong_nominal_table_is_refused_and_nothing_is_saved(engine, code):
    world = build_world(engine)
    admin = _admin(world)
    table = {"effective_from": world.today, "rows": [NominalRow(5, 17, 900_000)]}
    table.update(BAD_TABLES[code])

    error = _refusal(
        world,
        lambda s: set_nominal_table(
            s, admin, world.period_id, category="base", today=world.today, **table
        ),
    )

    assert (type(error), error.code) == (InvalidInput, code)
    assert _count(world, NominalRule) == 1  # the factory's rule
    assert _audit(world, "nominal.set") == []


def test_a_gap_names_the_ages_left_out(engine):
    world = build_world(engine)
    admin = _admin(world)
    error = _refusal(
        world,
        lambda s: set_nominal_table(
            s,
            admin,
            world.period_id,
            category="base",
            effective_from=world.today,
            rows=[NominalRow(12, 17, 1), NominalRow(5, 8, 1)],  # given in any order
            today=world.today,
        ),
    )
    assert (error.code, error.params) == ("age_ranges_gap", {"start": 9, "end": 11})


def test_a_later_table_sets_the_nominal_from_its_date_and_never_touches_money_credited(engine):
    world = build_world(engine, nominal=1_000_000)
    admin = _admin(world)
    with world.tx() as s:
        [rule] = set_nominal_table(
            s,
            admin,
            world.period_id,
            category="base",
            effective_from=date(2026, 10, 1),
            rows=[NominalRow(5, 17, 1_200_000)],
            today=world.today,
        )

    _, _, day_before = _unfunded_child(world)
    _, _, on_the_day = _unfunded_child(world)
    before = _fund(world, day_before, date(2026, 9, 30))
    after = _fund(world, on_the_day, date(2026, 10, 1))

    assert before.credited_minor == 1_000_000
    assert (after.credited_minor, after.nominal_rule_id) == (1_200_000, rule.id)
    with read_session(engine) as s:
        first = s.get(CertificateAccount, world.account_id)
        credits = s.exec(
            select(LedgerEntry.amount_minor).where(
                LedgerEntry.account_id == world.account_id, LedgerEntry.kind == EntryKind.CREDIT
            )
        ).all()
    assert (first.credited_minor, first.available_minor, credits) == (
        1_000_000,
        1_000_000,
        [1_000_000],
    )
    [event] = _audit(world, "nominal.set")
    assert event.payload["rows"] == [{"age_min": 5, "age_max": 17, "amount_minor": 1_200_000}]
    assert_ledger_invariants(engine)


def test_a_table_replaces_its_same_date_draft_but_not_once_a_certificate_was_funded_by_it(engine):
    world = build_world(engine)
    admin = _admin(world)

    def table(amount: int) -> Callable[[Session], object]:
        return lambda s: set_nominal_table(
            s,
            admin,
            world.period_id,
            category="base",
            effective_from=world.today,
            rows=[NominalRow(5, 11, amount), NominalRow(12, 17, amount + 1)],
            today=world.today,
        )

    assert _outcome(world, table(1_100_000)) == "ok"
    assert _outcome(world, table(1_300_000)) == "ok"  # nothing funded by it yet: replaced
    with read_session(engine) as s:
        todays = s.exec(
            select(NominalRule.amount_minor)
            .where(NominalRule.effective_from == world.today)
            .order_by(col(NominalRule.age_min))
        ).all()
    assert todays == [1_300_000, 1_300_001]
    assert _audit(world, "nominal.set")[-1].payload["replaced"] == [
        {"age_min": 5, "age_max": 11, "amount_minor": 1_100_000},
        {"age_min": 12, "age_max": 17, "amount_minor": 1_100_001},
    ]
    _, _, certificate_id = _unfunded_child(world)
    assert _fund(world, certificate_id, world.today).credited_minor == 1_300_000

    error = _refusal(world, table(1_500_000))

    assert (type(error), error.code) == (Conflict, "nominal_table_in_use")
    assert _count(world, NominalRule, NominalRule.effective_from == world.today) == 2
    assert len(_audit(world, "nominal.set")) == 2


def test_a_category_falls_back_to_base_and_a_newer_table_replaces_the_older_one_whole(engine):
    world = build_world(engine, nominal=1_000_000)
    admin = _admin(world)
    october = date(2026, 10, 5)

    def table(category: str, effective_from: date, *rows: NominalRow) -> None:
        with world.tx() as s:
            set_nominal_table(
                s,
                admin,
                world.period_id,
                category=category,
                effective_from=effective_from,
                rows=list(rows),
                today=world.today,
            )

    def credited(category: str, born: date, on: date) -> int | str:
        _, _, certificate_id = _unfunded_child(world, born=born, category=category)
        try:
            return _fund(world, certificate_id, on).credited_minor
        except DomainError as error:
            return error.code

    nine, eight, twelve = date(2017, 3, 15), date(2018, 3, 15), date(2014, 3, 15)
    assert credited("disability", nine, world.today) == 1_000_000  # no table: the base one
    table("disability", world.today, NominalRow(5, 17, 1_500_000))
    assert credited("disability", twelve, world.today) == 1_500_000
    # from October the disability table covers 5–10 only: at 12 the older 1 500.00 is gone
    table("disability", date(2026, 10, 1), NominalRow(5, 10, 1_600_000))
    assert credited("disability", eight, october) == 1_600_000
    assert credited("disability", twelve, october) == 1_000_000  # the base table's
    # and a base table that leaves 12 out leaves a twelve-year-old without a nominal
    table("base", date(2026, 10, 1), NominalRow(5, 10, 1_100_000))
    assert credited("base", eight, october) == 1_100_000
    assert credited("base", twelve, october) == "no_nominal_rule"
    assert credited("disability", twelve, october) == "no_nominal_rule"
    assert credited("base", twelve, date(2026, 9, 30)) == 1_000_000  # September's table


def test_the_nominal_table_lists_every_rule_by_category_date_and_age(engine):
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        set_nominal_table(
            s,
            admin,
            world.period_id,
            category="large_family",
            effective_from=world.today,
            rows=[NominalRow(11, 17, 3), NominalRow(5, 10, 2)],
            today=world.today,
        )
    with read_session(engine) as s:
        rules = nominal_table(s, admin, world.period_id)
    assert [(r.category, r.effective_from, r.age_min, r.amount_minor) for r in rules] == [
        ("base", date(2026, 9, 1), 5, 1_000_000),
        ("large_family", world.today, 5, 2),
        ("large_family", world.today, 11, 3),
    ]
