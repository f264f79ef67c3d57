"""Builds a small world through the domain services, the way the product itself does."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.children import add_child
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.certificates.verification import Identity, decide_request, request_identity
from navigator.domain.enrollment.api import apply_to_group
from navigator.domain.funding.models import PeriodStatus
from navigator.domain.funding.nominal import add_nominal_rule
from navigator.domain.funding.periods import create_period
from navigator.domain.municipalities.api import create_municipality
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.programs.api import ProgramFields, create_group, create_program
from navigator.domain.programs.certification import set_certification
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.providers.api import admit_provider, create_provider
from navigator.domain.shared.db import transaction
from seed.demo import school_year
from seed.identifiers import snils

SYSTEM = Actor.system()
PASSWORD = "correct horse 42"
# A Monday, so weekdays in timetables are easy to reason about.
TODAY = date(2026, 9, 7)
_seq = itertools.count(1)


@dataclass
class World:
    engine: Engine
    today: date
    municipality_id: int = 0
    period_id: int = 0
    provider_id: int = 0
    provider_user: Actor = field(default_factory=Actor.system)
    program_id: int = 0
    group_id: int = 0
    parent: Actor = field(default_factory=Actor.system)
    child_id: int = 0
    certificate_id: int = 0
    account_id: int = 0

    def tx(self):
        return transaction(self.engine)

    def add_group(
        self,
        *,
        seats: int = 10,
        price: int = 50_000,
        weekdays: tuple[int, ...] = (1, 3),
        starts_on: date | None = None,
        ends_on: date | None = None,
        program_id: int | None = None,
        actor: Actor | None = None,
        certify: bool = True,
    ) -> int:
        """A new group; a certified program goes back to review with it and, unless told
        otherwise, the municipality certifies it again, having now seen the group's price."""
        with self.tx() as s:
            group = create_group(
                s,
                actor or self.provider_user,
                program_id or self.program_id,
                name=f"Group {next(_seq)}",
                timetable=[{"weekday": d, "start": "16:00", "end": "17:30"} for d in weekdays],
                starts_on=starts_on or self.today,
                ends_on=ends_on or self.today + timedelta(days=27),
                seats=seats,
                price_per_lesson_minor=price,
                today=self.today,  # the world's clock: a group may have ended by the real one
            )
            group_id = group.id
            program = s.get(Program, group.program_id)
            # back in review because of the new group (a suspended one stays suspended)
            recertify = certify and program.certification_status == CertificationStatus.SUBMITTED
            recertify = recertify and program.certified_at is not None
        if recertify:
            self.certify(program_id or self.program_id, actor)
        return group_id

    def certify(self, program_id: int | None = None, submitter: Actor | None = None) -> None:
        """Submitted by the provider (when it is not already waiting), then certified by the
        municipality: each its own request, as on screen."""
        program_id = program_id or self.program_id
        with self.tx() as s:
            status = s.get(Program, program_id).certification_status
            if status in (CertificationStatus.DRAFT, CertificationStatus.REJECTED):
                set_certification(
                    s, submitter or self.provider_user, program_id, CertificationStatus.SUBMITTED
                )
        with self.tx() as s:
            set_certification(s, SYSTEM, program_id, CertificationStatus.CERTIFIED)

    def add_parent_with_child(
        self, *, birth_date: date | None = None, fund: bool = True
    ) -> tuple[Actor, int, int, int]:
        """A parent, their child with a certificate, funded for the period when asked."""
        n = next(_seq)
        with self.tx() as s:
            user = create_user(  # the address confirmed by its link, as a parent's must be
                s,
                f"parent{n}@example.org",
                PASSWORD,
                roles=((Role.PARENT, None, None),),
                email_confirmed=True,
            )
            parent = Actor.user(user.id)
            child = add_child(
                s,
                parent,
                guardian_id=user.id,
                municipality_id=self.municipality_id,
                first_name="Аня",
                last_name=f"Иванова {n}",
                birth_date=birth_date or date(self.today.year - 9, 3, 15),
            )
            # verified by the municipality before any certificate, as every child is
            request = request_identity(
                s,
                parent,
                child.id,
                Identity(child.first_name, child.last_name, child.birth_date, snils(next(_seq))),
            )
            decide_request(s, SYSTEM, request.id, "approve")
            certificate = issue_certificate(s, parent, child.id, today=self.today)
            account_id = 0
            if fund:
                account = fund_certificate(
                    s, parent, certificate.id, self.period_id, today=self.today
                )
                account_id = account.id
            return parent, child.id, certificate.id, account_id

    def apply(
        self, child_id: int | None = None, group_id: int | None = None, parent: Actor | None = None
    ) -> int:
        with self.tx() as s:
            enrollment = apply_to_group(
                s,
                parent or self.parent,
                child_id or self.child_id,
                group_id or self.group_id,
                today=self.today,
            )
            return enrollment.id


def build_world(
    engine: Engine,
    *,
    nominal: int = 1_000_000,
    budget: int = 100_000_000,
    cap: int = 1000,
    seats: int = 10,
    price: int = 50_000,
    max_funded_enrollments: int = 3,
    absence_charge: str = "none",
    today: date = TODAY,
) -> World:
    """A municipality with an open period, an admitted provider, a certified program with a
    group (Mondays and Wednesdays for four weeks: 8 lessons), and a parent whose child's
    certificate is funded with `nominal`."""
    world = World(engine=engine, today=today)
    n = next(_seq)
    with transaction(engine) as s:
        municipality = create_municipality(
            s,
            code=f"town-{n}",
            name="Town",
            country="RU",
            currency="RUB",
            locale="ru",
            timezone="Europe/Moscow",
            policy=MunicipalityPolicy(
                max_funded_enrollments=max_funded_enrollments, absence_charge=absence_charge
            ),
        )
        world.municipality_id = municipality.id
        period = create_period(
            s,
            SYSTEM,
            municipality.id,
            name="2026/27",
            starts_on=school_year(today)[0],
            ends_on=school_year(today)[1],
            budget_minor=budget,
            max_funded_certificates=cap,
            status=PeriodStatus.OPEN,
        )
        world.period_id = period.id
        add_nominal_rule(s, SYSTEM, period.id, age_min=5, age_max=17, amount_minor=nominal)
        provider = create_provider(
            s, municipality_id=municipality.id, name="Дом творчества", kind="municipal"
        )
        admit_provider(s, SYSTEM, provider.id)
        world.provider_id = provider.id
        staff = create_user(
            s, f"staff{n}@example.org", PASSWORD, roles=((Role.PROVIDER_STAFF, None, provider.id),)
        )
        world.provider_user = Actor.user(staff.id)
        program = create_program(
            s,
            world.provider_user,
            provider.id,
            ProgramFields(
                title="Робототехника", direction="technical", age_min=7, age_max=14, language="ru"
            ),
        )
        world.program_id = program.id
    world.group_id = world.add_group(seats=seats, price=price)
    world.certify()  # after its group exists: the municipality has seen the price
    world.parent, world.child_id, world.certificate_id, world.account_id = (
        world.add_parent_with_child()
    )
    return world
