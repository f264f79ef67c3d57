"""The municipality's cabinet: only its own administrators reach it, and every decision holds.

Periods and budgets, nominal tables, policy, the admission and certification queues and the
audit log, through the domain services on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user, verify_password
from navigator.domain.accounts.children import set_child_category
from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.certificates.api import fund_certificate
from navigator.domain.certificates.ledger import period_money
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.funding import reports
from navigator.domain.funding.models import FundingPeriod, NominalRule, PeriodStatus
from navigator.domain.funding.nominal import NominalRow
from navigator.domain.funding.periods import ClosingSummary
from navigator.domain.municipalities.models import Municipality, MunicipalityPolicy
from navigator.domain.programs.api import (
    ProgramFields,
    create_program,
    update_group,
    update_program,
)
from navigator.domain.programs.certification import Change, set_certification
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.providers.api import admit_provider, create_provider, refuse_admission
from navigator.domain.providers.models import Provider
from navigator.domain.shared import audit
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput
from navigator.domain.shared.models import AuditEvent
from tests.factories import PASSWORD, SYSTEM, World, build_world
from tests.integration.test_ledger_concurrency import run_in_parallel
from tests.support.invariants import assert_ledger_invariants

# The factory's group: Mondays and Wednesdays from 7 September 2026, 8 lessons × 500.00.
LESSONS = [date(2026, 9, d) for d in (7, 9, 14, 16, 21, 23, 28, 30)]
CONTRACT = 400_000
NEXT_YEAR = (date(2027, 9, 1), date(2028, 8, 31))


# ---------------------------------------------------------------- helpers


def _admin(world: World) -> Actor:
    with world.tx() as s:
        user = create_user(
            s,
            f"admin{world.municipality_id}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
    return Actor.user(user.id)


def _operator(world: World) -> Actor:
    with world.tx() as s:
        user = create_user(
            s, "operator@example.org", PASSWORD, roles=((Role.OPERATOR, None, None),)
        )
    return Actor.user(user.id)


def _outcome(world: World, call: Callable[[Session], object]) -> str:
    """Run one call in its own transaction: "ok", or the code of the domain error it raised."""
    try:
        with world.tx() as s:
            call(s)
    except DomainError as error:
        return error.code
    return "ok"


def _refusal(world: World, call: Callable[[Session], object]) -> DomainError:
    with pytest.raises(DomainError) as raised, world.tx() as s:
        call(s)
    return raised.value


def _count(world: World, model: type, *where: object) -> int:
    with read_session(world.engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _audit(world: World, action: str) -> list[AuditEvent]:
    with read_session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(
                    AuditEvent.municipality_id == world.municipality_id,
                    AuditEvent.action == action,
                )
                .order_by(col(AuditEvent.id))
            ).all()
        )


def _period(world: World, period_id: int | None = None) -> FundingPeriod:
    with read_session(world.engine) as s:
        return s.get(FundingPeriod, period_id or world.period_id)


def _accepted(world: World, **apply) -> int:
    enrollment_id = world.apply(**apply)
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    return enrollment_id


def _mark(world: World, enrollment_id: int, day: date, status: str = "present") -> None:
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, day, status, today=day)


def _ledger_totals(world: World, period_id: int | None = None) -> Counter:
    with read_session(world.engine) as s:
        rows = s.exec(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
            .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
            .where(CertificateAccount.period_id == (period_id or world.period_id))
            .group_by(col(LedgerEntry.kind))
        ).all()
    return Counter({kind: int(total) for kind, total in rows})


def _unfunded_child(
    world: World, *, born: date | None = None, category: str = "base"
) -> tuple[Actor, int, int]:
    """A parent and their child with a certificate not funded yet, in `category`."""
    parent, child_id, certificate_id, _ = world.add_parent_with_child(birth_date=born, fund=False)
    if category != "base":
        with world.tx() as s:
            set_child_category(s, SYSTEM, child_id, category)
    return parent, child_id, certificate_id


def _fund(world: World, certificate_id: int, on: date) -> CertificateAccount:
    with world.tx() as s:
        return fund_certificate(s, SYSTEM, certificate_id, world.period_id, today=on)


def _second_provider(world: World, name: str = "Студия рисунка") -> tuple[Actor, int, int]:
    """Another admitted provider of the town with a certified program and a group."""
    with world.tx() as s:
        provider = create_provider(
            s, municipality_id=world.municipality_id, name=name, kind="private"
        )
        admit_provider(s, SYSTEM, provider.id)
        staff = create_user(
            s,
            f"staff.{provider.id}@example.org",
            PASSWORD,
            roles=((Role.PROVIDER_STAFF, None, provider.id),),
        )
        actor = Actor.user(staff.id)
        program = create_program(
            s,
            actor,
            provider.id,
            ProgramFields(
                title="Рисование", direction="artistic", age_min=5, age_max=12, language="ru"
            ),
        )
        set_certification(s, actor, program.id, CertificationStatus.SUBMITTED)
        set_certification(s, SYSTEM, program.id, CertificationStatus.CERTIFIED)
    group_id = world.add_group(program_id=program.id, actor=actor)
    return actor, program.id, group_id


# ---------------------------------------------------------------- who reaches what


@dataclass(frozen=True)
class Target:
    """One municipality's ids, as someone would aim a call at them."""

    municipality_id: int
    code: str
    period_id: int
    program_id: int
    waiting_provider_id: int
    today: date


def _target(world: World) -> Target:
    with world.tx() as s:
        waiting = create_provider(
            s, municipality_id=world.municipality_id, name="Кружок без допуска", kind="private"
        )
        code = s.get(Municipality, world.municipality_id).code
    return Target(
        world.municipality_id, code, world.period_id, world.program_id, waiting.id, world.today
    )


Call = Callable[[Session, Actor, Target], object]

GUARDED: dict[str, Call] = {
    "municipality.periods_of": lambda s, a, t: municipality.periods_of(s, a, t.municipality_id),
    "municipality.period_figures": lambda s, a, t: municipality.period_figures(s, a, t.period_id),
    "municipality.update_period": lambda s, a, t: municipality.update_period(
        s, a, t.period_id, name="Renamed", budget_minor=200_000_000, max_funded_certificates=2000
    ),
    "municipality.open_period": lambda s, a, t: municipality.open_period(s, a, t.period_id),
    "municipality.closing_preview": lambda s, a, t: municipality.closing_preview(s, a, t.period_id),
    "municipality.nominal_table": lambda s, a, t: municipality.nominal_table(s, a, t.period_id),
    "municipality.set_nominal_table": lambda s, a, t: municipality.set_nominal_table(
        s,
        a,
        t.period_id,
        category="base",
        effective_from=t.today,
        rows=[NominalRow(5, 17, 900_000)],
        today=t.today,
    ),
    "municipality.set_policy": lambda s, a, t: municipality.set_policy(
        s,
        a,
        t.municipality_id,
        max_funded_enrollments=4,
        absence_charge="full",
        prorate_late_start=True,
        attendance_correction_days=10,
    ),
    "municipality.policy_for_admin": lambda s, a, t: municipality.policy_for_admin(
        s, a, t.municipality_id
    ),
    "municipality.admission_queue": lambda s, a, t: municipality.admission_queue(
        s, a, t.municipality_id
    ),
    "municipality.certification_queue": lambda s, a, t: municipality.certification_queue(
        s, a, t.municipality_id
    ),
    "municipality.certified_programs": lambda s, a, t: municipality.certified_programs(
        s, a, t.municipality_id
    ),
    "municipality.decide_certification": lambda s, a, t: municipality.decide_certification(
        s, a, t.program_id, "suspend", reason="Licence lapsed"
    ),
    "municipality.audit_log": lambda s, a, t: municipality.audit_log(s, a, t.municipality_id),
    "municipality.create_admin": lambda s, a, t: municipality.create_admin(
        s, a, email="new.admin@example.org", municipality_code=t.code
    ),
    **{
        f"reports.build:{name}": (lambda s, a, t, name=name: reports.build(s, a, name, t.period_id))
        for name in reports.REPORTS
    },
    "catalog.admit_provider": lambda s, a, t: catalog.admit_provider(s, a, t.waiting_provider_id),
    "catalog.refuse_admission": lambda s, a, t: catalog.refuse_admission(
        s, a, t.waiting_provider_id, reason="No licence attached"
    ),
    "periods.create_period": lambda s, a, t: periods.create_period(
        s,
        a,
        t.municipality_id,
        name="2027/28",
        starts_on=NEXT_YEAR[0],
        ends_on=NEXT_YEAR[1],
        budget_minor=50_000_000,
        max_funded_certificates=500,
    ),
    "periods.close_period": lambda s, a, t: periods.close_period(s, a, t.period_id),
}

# Public functions of navigator/domain/municipality.py that refuse nobody, and why.
NOT_GUARDED = {
    "municipalities_of": "lists the actor's own municipalities instead of refusing",
    "program_changes": "takes no actor: certification_queue calls it after its own check",
}


def test_every_public_function_of_the_cabinet_is_in_the_access_table():
    public = {
        name
        for name, function in inspect.getmembers(municipality, inspect.isfunction)
        if function.__module__ == municipality.__name__ and not name.startswith("_")
    }
    in_table = {key.removeprefix("municipality.") for key in GUARDED if key[:13] == "municipality."}
    assert public == in_table | NOT_GUARDED.keys()
    assert not in_table & NOT_GUARDED.keys()
    built = {key.removeprefix("reports.build:") for key in GUARDED if key.startswith("reports.")}
    assert built == set(reports.REPORTS) and len(built) == 5


@pytest.mark.parametrize("name", list(GUARDED))
def test_nobody_but_the_municipalitys_own_admin_reaches_it(engine, name):
    call = GUARDED[name]
    home, away = build_world(engine), build_world(engine)
    target = _target(away)
    outsiders = {
        "admin of another municipality": _admin(home),
        "parent of the town": away.parent,
        "provider staff of the town": away.provider_user,
    }
    events_before = _count(away, AuditEvent)

    outcomes = {
        who: _outcome(away, lambda s, actor=actor: call(s, actor, target))
        for who, actor in outsiders.items()
    }

    assert outcomes == dict.fromkeys(outsiders, "not_found")
    assert _count(away, AuditEvent) == events_before
    # the very same call goes through for the town's own admin (the operator names admins)
    allowed = _operator(away) if name == "municipality.create_admin" else _admin(away)
    assert _outcome(away, lambda s: call(s, allowed, target)) == "ok"


def test_an_unknown_report_is_not_found_even_for_the_admin(engine):
    world = build_world(engine)
    admin = _admin(world)
    assert _outcome(world, lambda s: reports.build(s, admin, "salaries", world.period_id)) == (
        "not_found"
    )


def test_municipalities_of_lists_the_admins_own_town_and_every_town_for_the_operator(engine):
    home, away = build_world(engine), build_world(engine)
    admin, operator = _admin(home), _operator(home)
    with read_session(engine) as s:
        listed = {
            who: [m.id for m in municipality.municipalities_of(s, actor)]
            for who, actor in {
                "admin": admin,
                "operator": operator,
                "system": SYSTEM,
                "parent": home.parent,
                "staff": home.provider_user,
            }.items()
        }
    both = sorted([home.municipality_id, away.municipality_id])
    assert listed == {
        "admin": [home.municipality_id],
        "operator": both,
        "system": both,
        "parent": [],
        "staff": [],
    }


# ---------------------------------------------------------------- periods and budget


def test_an_overlapping_period_is_refused_and_an_adjacent_one_is_not(engine):
    world = build_world(engine)
    admin = _admin(world)

    def create(starts_on: date, ends_on: date) -> Callable[[Session], object]:
        return lambda s: periods.create_period(
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
            lambda s, starts_on=starts_on: periods.create_period(
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


def test_the_budget_never_drops_below_what_is_committed_and_spent(engine):
    world = build_world(engine, budget=10_000_000)
    admin = _admin(world)
    enrollment_id = _accepted(world)
    _mark(world, enrollment_id, LESSONS[0])  # 50.000 spent, 350.000 still held

    def update(budget: object, cap: object = 1000) -> Callable[[Session], object]:
        return lambda s: municipality.update_period(
            s,
            admin,
            world.period_id,
            name="2026/27",
            budget_minor=budget,
            max_funded_certificates=cap,
        )

    error = _refusal(world, update(CONTRACT - 1))
    assert (type(error), error.code, error.params["committed_minor"]) == (
        Conflict,
        "budget_below_committed",
        CONTRACT,
    )
    assert _period(world).budget_minor == 10_000_000
    assert _audit(world, "period.updated") == []

    assert _outcome(world, update(CONTRACT)) == "ok"  # exactly what is used is enough
    assert _period(world).budget_minor == CONTRACT
    [event] = _audit(world, "period.updated")
    assert (event.payload["before"]["budget_minor"], event.payload["after"]["budget_minor"]) == (
        10_000_000,
        CONTRACT,
    )


@pytest.mark.parametrize(
    ("budget", "code"),
    [
        (-5, "must_be_positive"),
        (0, "must_be_positive"),
        (True, "must_be_whole_number"),
        ("1000000", "must_be_whole_number"),
        (1.5, "must_be_whole_number"),
    ],
)
def test_a_budget_that_is_not_a_positive_whole_number_is_invalid(engine, budget, code):
    world = build_world(engine, budget=10_000_000)
    admin = _admin(world)
    error = _refusal(
        world,
        lambda s: municipality.update_period(
            s,
            admin,
            world.period_id,
            name="2026/27",
            budget_minor=budget,
            max_funded_certificates=5,
        ),
    )
    assert (type(error), error.code) == (InvalidInput, code)
    assert (_period(world).budget_minor, _period(world).max_funded_certificates) == (
        10_000_000,
        1000,
    )


def test_the_certificate_cap_never_drops_below_the_certificates_funded(engine):
    world = build_world(engine)
    admin = _admin(world)
    world.add_parent_with_child()  # two funded now

    def cap(value: int) -> Callable[[Session], object]:
        return lambda s: municipality.update_period(
            s,
            admin,
            world.period_id,
            name="2026/27",
            budget_minor=100_000_000,
            max_funded_certificates=value,
        )

    error = _refusal(world, cap(1))
    assert (type(error), error.code, error.params) == (Conflict, "cap_below_funded", {"funded": 2})
    assert _period(world).max_funded_certificates == 1000
    assert _outcome(world, cap(2)) == "ok"
    assert _period(world).max_funded_certificates == 2


def test_a_draft_period_opens_only_once_it_has_a_nominal_table(engine):
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        draft = periods.create_period(
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
    error = _refusal(world, lambda s: municipality.open_period(s, admin, draft.id))
    assert (type(error), error.code) == (Conflict, "period_without_nominal")
    assert _period(world, draft.id).status == PeriodStatus.DRAFT

    with world.tx() as s:
        municipality.set_nominal_table(
            s,
            admin,
            draft.id,
            category="base",
            effective_from=NEXT_YEAR[0],
            rows=[NominalRow(5, 17, 1_000_000)],
            today=world.today,
        )
        municipality.open_period(s, admin, draft.id)
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
        preview = municipality.closing_preview(s, admin, world.period_id)

    open_holds = ledger[EntryKind.HOLD] - ledger[EntryKind.CAPTURE] - ledger[EntryKind.RELEASE]
    unspent = ledger[EntryKind.CREDIT] + ledger[EntryKind.REFUND] - ledger[EntryKind.CAPTURE]
    assert preview == ClosingSummary(accounts=3, released_minor=open_holds, expired_minor=unspent)
    assert preview == ClosingSummary(3, 300_000, 3_000_000 - 150_000)

    with world.tx() as s:
        closed = periods.close_period(s, admin, world.period_id)

    assert closed == preview
    after = _ledger_totals(world)
    assert after[EntryKind.RELEASE] - ledger[EntryKind.RELEASE] == preview.released_minor
    assert after[EntryKind.EXPIRE] == preview.expired_minor
    with read_session(engine) as s:
        assert municipality.closing_preview(s, admin, world.period_id) == ClosingSummary(0, 0, 0)
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
        periods.close_period(s, admin, world.period_id)
    rules_before = _count(world, NominalRule, NominalRule.period_id == world.period_id)

    codes = [
        _outcome(
            world,
            lambda s: municipality.update_period(
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
            lambda s: municipality.set_nominal_table(
                s,
                admin,
                world.period_id,
                category="base",
                effective_from=world.today,
                rows=[NominalRow(5, 17, 2_000_000)],
                today=world.today,
            ),
        ),
        _outcome(world, lambda s: municipality.open_period(s, admin, world.period_id)),
    ]

    assert codes == ["period_closed"] * 3
    period = _period(world)
    assert (period.name, period.budget_minor, period.status) == ("2026/27", 100_000_000, "closed")
    assert _count(world, NominalRule, NominalRule.period_id == world.period_id) == rules_before


# ---------------------------------------------------------------- nominal tables


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
        lambda s: municipality.set_nominal_table(
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
        lambda s: municipality.set_nominal_table(
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
        [rule] = municipality.set_nominal_table(
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
        return lambda s: municipality.set_nominal_table(
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
            municipality.set_nominal_table(
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
        municipality.set_nominal_table(
            s,
            admin,
            world.period_id,
            category="large_family",
            effective_from=world.today,
            rows=[NominalRow(11, 17, 3), NominalRow(5, 10, 2)],
            today=world.today,
        )
    with read_session(engine) as s:
        rules = municipality.nominal_table(s, admin, world.period_id)
    assert [(r.category, r.effective_from, r.age_min, r.amount_minor) for r in rules] == [
        ("base", date(2026, 9, 1), 5, 1_000_000),
        ("large_family", world.today, 5, 2),
        ("large_family", world.today, 11, 3),
    ]


# ---------------------------------------------------------------- the budget bounds holds


def _funded_applicant(world: World, group_id: int | None = None) -> int:
    parent, child_id, _, _ = world.add_parent_with_child()
    return world.apply(child_id=child_id, parent=parent, group_id=group_id)


def test_an_acceptance_whose_hold_would_pass_the_budget_is_refused_and_takes_nothing(engine):
    world = build_world(engine, budget=700_000)
    first = _accepted(world)
    second = _funded_applicant(world)
    entries = _count(world, LedgerEntry)

    def accept(s: Session) -> object:
        return accept_application(s, world.provider_user, second, today=world.today)

    error = _refusal(world, accept)

    assert (type(error), error.code, error.params["remaining_minor"]) == (
        Conflict,
        "period_budget_exhausted",
        300_000,
    )
    with read_session(engine) as s:
        refused = s.get(Enrollment, second)
        assert (refused.status, refused.held_minor) == (EnrollmentStatus.APPLIED, 0)
        assert s.get(Group, world.group_id).seats_taken == 1
        assert period_money(s, world.period_id) == (CONTRACT, 0)
    assert _count(world, LedgerEntry) == entries

    # a capture moves money from committed to spent: still no room
    _mark(world, first, LESSONS[0])
    assert _refusal(world, accept).code == "period_budget_exhausted"
    # a release gives the rest of the hold back to the budget
    with world.tx() as s:
        cancel_enrollment(s, world.parent, first)
    assert _outcome(world, accept) == "ok"
    with read_session(engine) as s:
        assert period_money(s, world.period_id) == (CONTRACT, 50_000)
    assert_ledger_invariants(engine)


def test_holds_that_fill_the_budget_exactly_are_accepted_and_the_next_is_not(engine):
    world = build_world(engine, budget=2 * CONTRACT)
    applications = [_funded_applicant(world) for _ in range(3)]
    outcomes = [
        _outcome(
            world, lambda s, e=e: accept_application(s, world.provider_user, e, today=world.today)
        )
        for e in applications
    ]
    assert outcomes == ["ok", "ok", "period_budget_exhausted"]
    with read_session(engine) as s:
        assert period_money(s, world.period_id) == (2 * CONTRACT, 0)


def test_an_acceptance_the_certificate_does_not_pay_for_ignores_the_budget(engine):
    world = build_world(engine, budget=CONTRACT)
    _accepted(world)
    parent, child_id, _ = _unfunded_child(world)
    enrollment_id = world.apply(child_id=child_id, parent=parent)
    with world.tx() as s:
        accepted = accept_application(s, world.provider_user, enrollment_id, today=world.today)
        assert (accepted.status, accepted.held_minor, accepted.copayment_minor) == (
            EnrollmentStatus.ACCEPTED,
            0,
            CONTRACT,
        )


def test_crediting_is_bounded_by_the_certificate_cap_not_by_the_budget(engine):
    world = build_world(engine, nominal=1_000_000, budget=500_000, cap=3)
    world.add_parent_with_child()
    world.add_parent_with_child()
    _, _, fourth = _unfunded_child(world)

    error = _refusal(
        world, lambda s: fund_certificate(s, SYSTEM, fourth, world.period_id, today=world.today)
    )

    assert (type(error), error.code) == (Conflict, "period_certificate_cap_reached")
    period = _period(world)
    assert (period.credited_minor, period.funded_certificates) == (3_000_000, 3)
    assert _ledger_totals(world)[EntryKind.CREDIT] == 3_000_000
    assert_ledger_invariants(engine)


def test_two_providers_accepting_at_once_cannot_both_take_the_last_of_the_budget(engine):
    """The budget fits one hold of the two: the period lock, not luck, decides which."""
    world = build_world(engine, budget=CONTRACT + CONTRACT // 2)
    other_staff, _, other_group = _second_provider(world)  # 8 lessons × 500.00 too
    here = _funded_applicant(world)
    there = _funded_applicant(world, group_id=other_group)

    outcomes = run_in_parallel(
        engine,
        [
            lambda s: accept_application(s, world.provider_user, here, today=world.today),
            lambda s: accept_application(s, other_staff, there, today=world.today),
        ],
    )

    assert outcomes == Counter({"ok": 1, "period_budget_exhausted": 1})
    with read_session(engine) as s:
        committed, spent = period_money(s, world.period_id)
        statuses = sorted(s.get(Enrollment, e).status for e in (here, there))
    assert (committed, spent) == (CONTRACT, 0)
    assert committed + spent <= _period(world).budget_minor
    assert statuses == [EnrollmentStatus.ACCEPTED, EnrollmentStatus.APPLIED]
    assert_ledger_invariants(engine)


# ---------------------------------------------------------------- certification


def _decide(world: World, actor: Actor, program_id: int, decision: object, reason: str = "") -> str:
    return _outcome(
        world,
        lambda s: municipality.decide_certification(s, actor, program_id, decision, reason=reason),
    )


def _status(world: World, program_id: int) -> str:
    with read_session(world.engine) as s:
        return s.get(Program, program_id).certification_status


def _submitted_program(world: World, title: str = "Шахматы") -> tuple[int, ProgramFields, int]:
    fields = ProgramFields(
        title=title, direction="social_humanitarian", age_min=6, age_max=16, language="ru"
    )
    with world.tx() as s:
        program = create_program(s, world.provider_user, world.provider_id, fields)
    group_id = world.add_group(program_id=program.id)
    with world.tx() as s:
        set_certification(s, world.provider_user, program.id, CertificationStatus.SUBMITTED)
    return program.id, fields, group_id


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
            lambda s, d=decision: municipality.decide_certification(s, admin, submitted, d),
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
    """A "certify" clicked while another admin certifies and suspends never reinstates."""
    world = build_world(engine)
    admin = _admin(world)
    program_id, _, _ = _submitted_program(world)
    checked, elsewhere_done = threading.Event(), threading.Event()
    elsewhere: list[str] = []
    access_check = municipality.check_municipality_admin

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

    monkeypatch.setattr(municipality, "check_municipality_admin", check_then_let_another_admin_act)
    thread = threading.Thread(target=another_admin)
    thread.start()
    mine = _decide(world, admin, program_id, "certify")
    thread.join(timeout=60)

    assert (mine, elsewhere) == ("ok", ["certification_transition", "ok"])
    assert _status(world, program_id) == CertificationStatus.SUSPENDED
    certified = [e for e in _audit(world, "program.certified") if e.subject_id == program_id]
    assert [(e.actor_id, e.payload["from"]) for e in certified] == [(admin.user_id, "submitted")]


def test_the_audit_log_lists_every_decision_newest_first_with_who_and_why(engine):
    world = build_world(engine)
    admin = _admin(world)
    admin_email = f"admin{world.municipality_id}@example.org"
    submitted, _, _ = _submitted_program(world, title="Шахматы")
    assert _decide(world, admin, world.program_id, "suspend", "Licence lapsed") == "ok"
    assert _decide(world, admin, world.program_id, "reinstate") == "ok"
    assert _decide(world, admin, submitted, "reject", "No safety plan") == "ok"
    other = build_world(engine)  # another town's decisions stay in its own log
    assert _decide(world, SYSTEM, other.program_id, "suspend", "Elsewhere") == "ok"

    with read_session(engine) as s:
        log = municipality.audit_log(s, admin, world.municipality_id)

    with read_session(engine) as s:
        staff_email = s.get(User, world.provider_user.user_id).email
    assert [(line.action, line.actor_email, line.subject_name, line.reason) for line in log] == [
        ("program.rejected", admin_email, "Шахматы", "No safety plan"),
        ("program.certified", admin_email, "Робототехника", ""),
        ("program.suspended", admin_email, "Робототехника", "Licence lapsed"),
        ("program.submitted", staff_email, "Шахматы", ""),
        ("program.certified", "system", "Робототехника", ""),  # the factory's world
        ("program.submitted", staff_email, "Робототехника", ""),
        ("provider.admitted", "system", "Дом творчества", ""),
        ("period.created", "system", "2026/27", ""),
    ]
    assert [line.at for line in log] == sorted((line.at for line in log), reverse=True)
    assert log[1].payload["from"] == CertificationStatus.SUSPENDED
    with read_session(engine) as s:
        assert len(municipality.audit_log(s, admin, world.municipality_id, limit=2)) == 2


def test_an_edited_program_returns_to_the_queue_showing_only_what_changed(engine):
    world = build_world(engine)
    admin = _admin(world)
    program_id, fields, group_id = _submitted_program(world, title="Шахматы")

    with read_session(engine) as s:
        [fresh] = municipality.certification_queue(s, admin, world.municipality_id)
    assert (fresh.program.id, fresh.provider_name, fresh.last_certified_at) == (
        program_id,
        "Дом творчества",
        None,
    )
    assert [c.field for c in fresh.changes] == [*audit.SNAPSHOT_FIELDS, "groups"]
    assert all(c.before is None for c in fresh.changes)  # never certified: everything is new

    assert _decide(world, admin, program_id, "certify") == "ok"
    with world.tx() as s:
        update_program(s, world.provider_user, program_id, replace(fields, title="Шахматы 2.0"))
    assert _status(world, program_id) == CertificationStatus.SUBMITTED
    with read_session(engine) as s:
        [edited] = municipality.certification_queue(s, admin, world.municipality_id)
    assert edited.last_certified_at is not None
    assert edited.changes == [Change("title", "Шахматы", "Шахматы 2.0")]

    assert _decide(world, admin, program_id, "certify") == "ok"
    with read_session(engine) as s:
        assert municipality.certification_queue(s, admin, world.municipality_id) == []
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
        [repriced] = municipality.certification_queue(s, admin, world.municipality_id)
    [change] = repriced.changes
    terms = {
        "name": group.name,
        "starts_on": "2026-09-07",
        "ends_on": "2026-10-04",
        "seats": 10,
    }
    assert change == Change(
        "groups", [{**terms, "price_minor": 50_000}], [{**terms, "price_minor": 60_000}]
    )


def test_certified_programs_lists_certified_and_suspended_ones_for_the_admin(engine):
    world = build_world(engine)
    admin = _admin(world)
    _, _, _ = _second_provider(world)
    _submitted_program(world)
    assert _decide(world, admin, world.program_id, "suspend", "Licence lapsed") == "ok"
    with read_session(engine) as s:
        listed = [
            (p.title, name, p.certification_status)
            for p, name in municipality.certified_programs(s, admin, world.municipality_id)
        ]
    assert listed == [
        ("Рисование", "Студия рисунка", "certified"),
        ("Робототехника", "Дом творчества", "suspended"),
    ]


# ---------------------------------------------------------------- admission


def test_admission_queue_refusal_with_a_reason_and_admission(engine):
    world = build_world(engine)
    admin = _admin(world)
    waiting = []
    for name in ("Первый кружок", "Второй кружок"):
        with world.tx() as s:
            waiting.append(
                create_provider(
                    s, municipality_id=world.municipality_id, name=name, kind="private"
                ).id
            )
    first, second = waiting

    def queue() -> list[tuple[int, str]]:
        with read_session(engine) as s:
            return [
                (p.id, p.admission_note)
                for p in municipality.admission_queue(s, admin, world.municipality_id)
            ]

    assert queue() == [(first, ""), (second, "")]
    assert _outcome(world, lambda s: refuse_admission(s, admin, first, reason="  ")) == (
        "field_required"
    )
    assert queue() == [(first, ""), (second, "")]
    assert _outcome(world, lambda s: refuse_admission(s, admin, first, reason="No licence")) == (
        "ok"
    )
    assert queue() == [(second, ""), (first, "No licence")]  # the ones waiting come first

    assert _outcome(world, lambda s: admit_provider(s, admin, first)) == "ok"
    with read_session(engine) as s:
        admitted = s.get(Provider, first)
    assert (admitted.admitted, admitted.admission_note) == (True, "")
    assert admitted.admitted_at is not None
    assert queue() == [(second, "")]
    error = _refusal(world, lambda s: refuse_admission(s, admin, first, reason="Changed mind"))
    assert (type(error), error.code) == (Conflict, "provider_already_admitted")
    assert _outcome(world, lambda s: admit_provider(s, admin, first)) == "ok"  # idempotent

    events = [
        (e.action, e.subject_id, e.reason, e.actor_id)
        for e in _audit(world, "provider.refused") + _audit(world, "provider.admitted")
        if e.subject_id in waiting
    ]
    assert events == [
        ("provider.refused", first, "No licence", admin.user_id),
        ("provider.admitted", first, "", admin.user_id),
    ]


# ---------------------------------------------------------------- policy


GOOD_POLICY = {
    "max_funded_enrollments": 5,
    "absence_charge": "full",
    "prorate_late_start": True,
    "attendance_correction_days": 14,
}

BAD_POLICIES = {
    "no funded enrollments": ({"max_funded_enrollments": 0}, "must_be_positive"),
    "21 funded enrollments": ({"max_funded_enrollments": 21}, "value_too_large"),
    "a bool for enrollments": ({"max_funded_enrollments": True}, "must_be_whole_number"),
    "unknown absence charge": ({"absence_charge": "half"}, "field_not_allowed"),
    "prorate as text": ({"prorate_late_start": "yes"}, "field_required"),
    "prorate as 1": ({"prorate_late_start": 1}, "field_required"),
    "negative correction days": ({"attendance_correction_days": -1}, "must_not_be_negative"),
    "61 correction days": ({"attendance_correction_days": 61}, "value_too_large"),
}


def _policy(world: World) -> dict[str, object]:
    with read_session(world.engine) as s:
        policy = s.exec(
            select(MunicipalityPolicy).where(
                MunicipalityPolicy.municipality_id == world.municipality_id
            )
        ).one()
    return {name: getattr(policy, name) for name in GOOD_POLICY}


@pytest.mark.parametrize("case", list(BAD_POLICIES))
def test_a_bad_policy_value_is_invalid_and_changes_nothing(engine, case):
    world = build_world(engine)
    admin = _admin(world)
    before = _policy(world)
    change, code = BAD_POLICIES[case]

    error = _refusal(
        world,
        lambda s: municipality.set_policy(
            s, admin, world.municipality_id, **{**GOOD_POLICY, **change}
        ),
    )

    assert (type(error), error.code) == (InvalidInput, code)
    assert _policy(world) == before
    assert _audit(world, "policy.updated") == []


def test_a_policy_change_is_kept_and_audited_with_before_and_after(engine):
    world = build_world(engine)
    admin = _admin(world)
    before = _policy(world)
    assert before == {
        "max_funded_enrollments": 3,
        "absence_charge": "none",
        "prorate_late_start": False,
        "attendance_correction_days": 7,
    }

    for _ in range(2):  # the same values again change nothing and log nothing
        with world.tx() as s:
            municipality.set_policy(s, admin, world.municipality_id, **GOOD_POLICY)

    assert _policy(world) == GOOD_POLICY
    [event] = _audit(world, "policy.updated")
    assert (event.actor_id, event.payload) == (
        admin.user_id,
        {"before": before, "after": GOOD_POLICY},
    )
    with read_session(engine) as s:
        shown = municipality.policy_for_admin(s, admin, world.municipality_id)
    assert (shown.max_funded_enrollments, shown.attendance_correction_days) == (5, 14)


# ---------------------------------------------------------------- administrators


def _memberships(world: World, email: str) -> list[tuple[str, int | None]]:
    with read_session(world.engine) as s:
        return [
            (m.role, m.municipality_id)
            for m in s.exec(
                select(Membership)
                .join(User, col(User.id) == Membership.user_id)
                .where(User.email == email)
                .order_by(col(Membership.id))
            ).all()
        ]


def test_only_the_operator_names_administrators_of_a_known_municipality(engine):
    world = build_world(engine)
    target = _target(world)
    admin = _admin(world)

    def create(actor: Actor, code: str) -> Callable[[Session], object]:
        return lambda s: municipality.create_admin(
            s, actor, email="new.admin@example.org", municipality_code=code
        )

    assert _outcome(world, create(admin, target.code)) == "not_found"  # an admin names nobody
    assert _outcome(world, create(world.parent, target.code)) == "not_found"
    assert _outcome(world, create(SYSTEM, "atlantis")) == "not_found"
    assert _memberships(world, "new.admin@example.org") == []
    assert _audit(world, "admin.added") == []


def test_create_admin_makes_an_account_or_adds_the_role_to_one_once(engine):
    world = build_world(engine)
    target = _target(world)
    operator = _operator(world)

    with world.tx() as s:
        user, created = municipality.create_admin(
            s,
            operator,
            email=" New.Admin@Example.org ",
            municipality_code=target.code,
            full_name="Анна Петрова",
            password="admin-pass-2026",
        )
        assert (user.email, user.full_name, user.locale, created) == (
            "new.admin@example.org",
            "Анна Петрова",
            "ru",
            True,
        )
        assert verify_password("admin-pass-2026", user.password_hash)
    with read_session(engine) as s:
        parent_email = s.get(User, world.parent.user_id).email
    for _ in range(2):
        with world.tx() as s:
            existing, created = municipality.create_admin(
                s, SYSTEM, email=parent_email, municipality_code=target.code
            )
        assert (existing.id, created) == (world.parent.user_id, False)

    admin_role = (Role.MUNICIPALITY_ADMIN, world.municipality_id)
    assert _memberships(world, "new.admin@example.org") == [admin_role]
    assert _memberships(world, parent_email) == [(Role.PARENT, None), admin_role]
    events = _audit(world, "admin.added")
    assert [(e.subject_id, e.actor_id, e.payload) for e in events] == [
        (user.id, operator.user_id, {"email": "new.admin@example.org"}),
        (world.parent.user_id, None, {"email": parent_email}),
    ]
    with read_session(engine) as s:  # and the new admin now reaches the cabinet
        assert [m.id for m in municipality.municipalities_of(s, Actor.user(user.id))] == [
            world.municipality_id
        ]
