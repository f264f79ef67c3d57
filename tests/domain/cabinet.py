"""What the tests of the municipality's cabinet share: its administrators, a call's outcome,
the rows a call left behind, and a town with money moving through it.

The tests themselves live with the concept each is about: funding (periods, nominal tables,
budget), municipalities (access, policy, administrators, audit log), programs (certification)
and providers (admission).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child, set_child_category
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.models import CertificateAccount, LedgerEntry
from navigator.domain.certificates.verification import Identity, request_identity
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import ProgramFields, create_program
from navigator.domain.programs.certification import (
    decide_certification,
    program_changes,
    set_certification,
)
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.models import AuditEvent
from seed.identifiers import snils
from tests.factories import PASSWORD, SYSTEM, World

# The factory's group: Mondays and Wednesdays from 7 September 2026, 8 lessons × 500.00.
LESSONS = [date(2026, 9, d) for d in (7, 9, 14, 16, 21, 23, 28, 30)]
CONTRACT = 400_000
NEXT_YEAR = (date(2027, 9, 1), date(2028, 8, 31))


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
    group_id = world.add_group(program_id=program.id, actor=actor)
    world.certify(program.id, actor)  # after its group exists: the price has been seen
    return actor, program.id, group_id


@dataclass(frozen=True)
class Target:
    """One municipality's ids, as someone would aim a call at them."""

    municipality_id: int
    code: str
    period_id: int
    program_id: int
    waiting_provider_id: int
    today: date
    request_id: int = 0  # a child's certificate request waiting for verification


def _target(world: World) -> Target:
    with world.tx() as s:
        waiting = create_provider(
            s, municipality_id=world.municipality_id, name="Кружок без допуска", kind="private"
        )
        code = s.get(Municipality, world.municipality_id).code
    parent, _child, _cert, _acc = world.add_parent_with_child(fund=False)
    with world.tx() as s:
        child = add_child(
            s,
            parent,
            guardian_id=parent.user_id,
            municipality_id=world.municipality_id,
            first_name="Ждущий",
            last_name="Проверки",
            birth_date=date(2016, 4, 1),
        )
        request = request_identity(
            s,
            parent,
            child.id,
            Identity("Ждущий", "Проверки", date(2016, 4, 1), snils(child.id + 7000)),
        )
    return Target(
        world.municipality_id,
        code,
        world.period_id,
        world.program_id,
        waiting.id,
        world.today,
        request.id,
    )


def _shown(world: World, program_id: int) -> str:
    """The fingerprint of the version the certification queue shows now."""
    with read_session(world.engine) as s:
        return program_changes(s, s.get(Program, program_id))[2]


def _decide(
    world: World,
    actor: Actor,
    program_id: int,
    decision: object,
    reason: str = "",
    *,
    seen: str | None = None,
) -> str:
    """A decision as the screen makes it: certifying names the version it showed."""
    if seen is None:
        seen = _shown(world, program_id) if decision == "certify" else ""
    return _outcome(
        world,
        lambda s: decide_certification(s, actor, program_id, decision, reason=reason, seen=seen),
    )


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
