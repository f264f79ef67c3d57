"""Rules found by review: whose money pays for what, and when it stops paying."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.children import add_child, set_child_category
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.certificates.models import CertificateAccount
from navigator.domain.certificates.verification import Identity, decide_request, request_identity
from navigator.domain.enrollment.api import (
    accept_application,
    cancel_enrollment,
    reject_application,
)
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.enrollment.terms import quote
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.funding.nominal import add_nominal_rule
from navigator.domain.funding.periods import close_period
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.programs.api import ProgramFields, create_program, set_enrollment_open
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, NotFound
from seed.identifiers import snils
from tests.factories import SYSTEM, World, build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import run_in_parallel


def status(world: World, enrollment_id: int) -> str:
    with read_session(world.engine) as s:
        return s.get(Enrollment, enrollment_id).status


def account(world: World) -> CertificateAccount:
    with read_session(world.engine) as s:
        return s.get(CertificateAccount, world.account_id)


def test_a_certificate_does_not_pay_for_a_program_of_another_municipality(engine):
    world = build_world(engine)
    with world.tx() as s:
        town = create_municipality(
            s,
            code="elsewhere",
            name="Elsewhere",
            country="LT",
            currency="EUR",
            locale="lt",
            timezone="Europe/Vilnius",
        )
        provider = create_provider(s, municipality_id=town.id, name="Studija", kind="private")
        admit_provider(s, SYSTEM, provider.id)
        program = create_program(
            s,
            SYSTEM,
            provider.id,
            ProgramFields(
                title="Robotika", direction="technical", age_min=7, age_max=14, language="lt"
            ),
        )
    foreign_group = world.add_group(program_id=program.id, price=1_000, actor=SYSTEM)
    world.certify(program.id, SYSTEM)  # once its group and price exist
    with read_session(engine) as s:
        terms = quote(s, world.parent, world.child_id, foreign_group, today=world.today)
    assert (terms.certificate_share_minor, terms.copayment_minor, terms.funded) == (0, 8_000, False)
    assert terms.currency == "EUR"  # the group's prices, not the child's roubles
    enrollment_id = world.apply(group_id=foreign_group)
    with world.tx() as s:
        accept_application(s, SYSTEM, enrollment_id, today=world.today)
    assert account(world).held_minor == 0
    assert_ledger_invariants(engine)


def test_accepting_after_the_period_closed_holds_nothing(engine):
    world = build_world(engine)
    enrollment_id = world.apply()
    with world.tx() as s:
        close_period(s, SYSTEM, world.period_id)
    with pytest.raises(Conflict) as error, world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    assert error.value.code == "certificate_not_funded"
    assert status(world, enrollment_id) == EnrollmentStatus.APPLIED
    assert_ledger_invariants(engine)


def test_a_period_closing_while_holds_are_placed_leaves_no_hold_behind(engine):
    world = build_world(engine, nominal=10_000_000, max_funded_enrollments=20)
    applications = [world.apply(group_id=world.add_group()) for _ in range(10)]
    accepts = [
        lambda s, e=e: accept_application(s, world.provider_user, e, today=world.today)
        for e in applications
    ]
    outcomes = run_in_parallel(
        engine, [*accepts, lambda s: close_period(s, SYSTEM, world.period_id)]
    )
    assert sum(outcomes.values()) == 11
    assert set(outcomes) <= {"ok", "certificate_not_funded"}
    with read_session(engine) as s:
        assert s.get(FundingPeriod, world.period_id).status == PeriodStatus.CLOSED
        acc = s.get(CertificateAccount, world.account_id)
    assert (acc.held_minor, acc.available_minor) == (0, 0)
    assert_ledger_invariants(engine)


def test_the_certificate_pays_only_for_lessons_inside_its_funding_period(engine):
    world = build_world(engine, nominal=10_000_000, today=date(2026, 9, 7))
    late = date(2027, 8, 2)  # a Monday, four weeks before the period ends
    group = world.add_group(starts_on=late, ends_on=date(2027, 9, 29))
    with read_session(engine) as s:
        terms = quote(s, world.parent, world.child_id, group, today=late)
    assert terms.lessons == 18 and terms.funded_lessons == 9
    assert (terms.certificate_share_minor, terms.copayment_minor) == (9 * 50_000, 9 * 50_000)
    assert terms.funded_until == date(2027, 8, 31)
    enrollment_id = world.apply(group_id=group)
    with world.tx() as s:
        # the factory's apply uses the world's today; accept on the group's first day
        accept_application(s, world.provider_user, enrollment_id, today=late)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, late, "present", today=late)
    with world.tx() as s:
        summary = close_period(s, SYSTEM, world.period_id)
    assert summary.released_minor == 8 * 50_000
    september = date(2027, 9, 6)
    with world.tx() as s:
        assert (
            mark_attendance(
                s, world.provider_user, enrollment_id, september, "present", today=september
            ).charged_minor
            == 0
        )
    with read_session(engine) as s:
        row = s.get(Enrollment, enrollment_id)
    assert row.status == EnrollmentStatus.ACTIVE and not row.funded
    assert row.captured_minor == 50_000
    assert_ledger_invariants(engine)


def test_no_hold_for_a_program_suspended_after_the_application(engine):
    world = build_world(engine)
    enrollment_id = world.apply()
    with world.tx() as s:
        set_certification(
            s, SYSTEM, world.program_id, CertificationStatus.SUSPENDED, reason="licence lapsed"
        )
    with pytest.raises(Conflict) as error, world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    assert error.value.code == "program_not_open"
    assert account(world).held_minor == 0
    with pytest.raises(NotFound):
        world.apply(group_id=world.add_group())  # a suspended program takes no applications


def test_only_the_municipality_sets_a_category_that_raises_the_nominal(engine):
    world = build_world(engine)
    with pytest.raises(NotFound), world.tx() as s:
        add_child(
            s,
            world.parent,
            guardian_id=world.parent.user_id,
            municipality_id=world.municipality_id,
            first_name="Оля",
            last_name="Смирнова",
            birth_date=date(2016, 5, 5),
            category="disability",
        )
    with world.tx() as s:
        child = add_child(
            s,
            world.parent,
            guardian_id=world.parent.user_id,
            municipality_id=world.municipality_id,
            first_name="Оля",
            last_name="Смирнова",
            birth_date=date(2016, 5, 5),
        )
        with pytest.raises(NotFound):
            set_child_category(s, world.parent, child.id, "disability")
        add_nominal_rule(
            s,
            SYSTEM,
            world.period_id,
            age_min=5,
            age_max=17,
            amount_minor=2_000_000,
            category="disability",
        )
        set_child_category(s, SYSTEM, child.id, "disability")
        request = request_identity(
            s, world.parent, child.id, Identity("Оля", "Смирнова", date(2016, 5, 5), snils(9001))
        )
        decide_request(s, SYSTEM, request.id, "approve")  # a verified child only
        certificate = issue_certificate(s, world.parent, child.id, today=world.today)
        funded = fund_certificate(
            s, world.parent, certificate.id, world.period_id, today=world.today
        )
    assert funded.credited_minor == 2_000_000


def test_the_waitlist_moves_on_after_a_rejection_and_nobody_jumps_it(engine):
    world = build_world(engine, seats=1)
    first = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, first, today=world.today)
    y_parent, y_child, _, _ = world.add_parent_with_child()
    z_parent, z_child, _, _ = world.add_parent_with_child()
    y = world.apply(child_id=y_child, parent=y_parent)
    z = world.apply(child_id=z_child, parent=z_parent)
    with world.tx() as s:
        cancel_enrollment(s, world.parent, first)
    assert (status(world, y), status(world, z)) == ("applied", "waitlisted")
    w_parent, w_child, _, _ = world.add_parent_with_child()
    w = world.apply(child_id=w_child, parent=w_parent)
    assert status(world, w) == "waitlisted"  # Z waits longer
    with world.tx() as s:
        reject_application(s, world.provider_user, y, reason="Группа для начинающих")
    assert (status(world, z), status(world, w)) == ("applied", "waitlisted")
    with world.tx() as s:
        accept_application(s, world.provider_user, z, today=world.today)
    assert_ledger_invariants(engine)


def test_an_admin_of_another_municipality_cannot_tell_a_real_period_from_a_missing_one(engine):
    world = build_world(engine)
    other = build_world(engine)
    codes = Counter()
    for period_id in (world.period_id, 987_654):
        with pytest.raises(NotFound) as error, world.tx() as s:
            close_period(s, world.parent, period_id)
        codes[error.value.code] += 1
        with pytest.raises(NotFound), world.tx() as s:
            close_period(s, other.provider_user, period_id)
    assert codes == Counter({"not_found": 2})
    with read_session(engine) as s:
        assert (
            s.exec(select(FundingPeriod.status).where(FundingPeriod.id == world.period_id)).one()
            == "open"
        )


@pytest.mark.parametrize("closed_by", ["its end", "its provider"])
def test_a_group_that_takes_no_child_is_never_quoted(engine, closed_by):
    """No price (nor offer with '0 lessons') for a place no child can take."""
    world = build_world(engine)
    today = world.today + timedelta(days=28)  # the day after the group's last day
    if closed_by == "its provider":
        today = world.today
        with world.tx() as s:
            set_enrollment_open(s, world.provider_user, world.group_id, False)
    with read_session(engine) as s, pytest.raises(Conflict) as refused:
        quote(s, world.parent, world.child_id, world.group_id, today=today)
    assert refused.value.code == "group_closed"
