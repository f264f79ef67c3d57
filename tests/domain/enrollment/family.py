"""A family the calendar tests share: two children in two groups of two programs, an
application still waiting, a marked lesson, and another family in the same group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.children import add_child
from navigator.domain.certificates.api import fund_certificate, issue_certificate
from navigator.domain.certificates.verification import Identity, decide_request, request_identity
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.programs.api import ProgramFields, create_program
from seed.identifiers import snils
from tests.factories import SYSTEM, TODAY, World, _seq, build_world

# a title and an address with every character iCalendar escapes, and long enough to fold
THEATRE = "Театр, музыка; танцы \\ и всё остальное"
THEATRE_ADDRESS = "ул. Ленина, д. 5; вход со двора\nэтаж 2, кабинет 14 — «Дом творчества»"


@dataclass
class Family:
    world: World
    anya_id: int  # the factory's child: Robotics on Mondays and Wednesdays
    boris_id: int  # the theatre on Tuesdays and Thursdays
    robotics: int  # enrollment ids
    theatre: int
    waiting: int  # Anya's application for a Friday group, not accepted yet
    other_parent: Actor
    other_enrollment: int  # another family's child in Anya's group


def add_child_of(world: World, parent: Actor, first_name: str, birth_date: date) -> int:
    """Another child of the parent, verified, with a funded certificate."""
    with world.tx() as s:
        child = add_child(
            s,
            parent,
            guardian_id=parent.user_id,
            municipality_id=world.municipality_id,
            first_name=first_name,
            last_name="Петров-Секретный",
            birth_date=birth_date,
        )
        request = request_identity(
            s,
            parent,
            child.id,
            Identity(child.first_name, child.last_name, child.birth_date, snils(next(_seq))),
        )
        decide_request(s, SYSTEM, request.id, "approve")
        certificate = issue_certificate(s, parent, child.id, today=world.today)
        fund_certificate(s, parent, certificate.id, world.period_id, today=world.today)
        return child.id


def build_family(engine, today: date = TODAY) -> Family:
    """`today` is a Monday: the tests count the week's days from it."""
    world = build_world(engine, today=today)
    boris_id = add_child_of(world, world.parent, "Борис", date(world.today.year - 10, 5, 2))
    with world.tx() as s:
        theatre_program = create_program(
            s,
            world.provider_user,
            world.provider_id,
            ProgramFields(
                title=THEATRE,
                direction="artistic",
                age_min=7,
                age_max=14,
                language="ru",
                address=THEATRE_ADDRESS,
            ),
        ).id
    theatre_group = world.add_group(program_id=theatre_program, weekdays=(2, 4))
    world.certify(theatre_program)
    friday_group = world.add_group(weekdays=(5,))
    robotics = world.apply()
    theatre = world.apply(child_id=boris_id, group_id=theatre_group)
    waiting = world.apply(group_id=friday_group)
    other_parent, other_child, _certificate, _account = world.add_parent_with_child()
    other = world.apply(child_id=other_child, parent=other_parent)
    for enrollment_id in (robotics, theatre, other):
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, robotics, world.today, "present", today=world.today)
    return Family(world, world.child_id, boris_id, robotics, theatre, waiting, other_parent, other)
