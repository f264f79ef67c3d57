"""Fair waiting lists: who comes off a group's list first, and where a child stands.

The municipality of the program orders its waiting lists by criteria levels (the shape of
the Lithuanian allocation rules: a primary criterion decides the group, the next ones order
within it, then the time of application decides). Only facts the municipality verified
count: a child's category is set only by its verification, and "home municipality" only for
a verified child. The order is computed when a seat frees, so a change of the criteria
re-orders every list from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_guardian
from navigator.domain.accounts.models import Child, ChildCategory
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.enrollment.terms import notify
from navigator.domain.municipalities.models import WaitlistCriterion
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.notifications.fanout import notify_provider
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.locks import locked_rows


def criteria_met(child: Child, program: Program) -> set[str]:
    """The criteria this child meets for this program, from verified facts only."""
    if not child.verified:
        return set()
    met = (
        {WaitlistCriterion.HOME_MUNICIPALITY.value}
        if (child.municipality_id == program.municipality_id)
        else set()
    )
    if child.category == ChildCategory.DISABILITY:
        met.add(WaitlistCriterion.DISABILITY.value)
    elif child.category == ChildCategory.LARGE_FAMILY:
        met.add(WaitlistCriterion.LARGE_FAMILY.value)
    return met


def priority_key(
    levels: list[list[str]], met: set[str], applied_at: datetime, enrollment_id: int
) -> tuple:
    """Lower comes first: each level met (0) before not met (1), the first level deciding,
    then the earlier application, then the lower id."""
    return (*(0 if met & set(level) else 1 for level in levels), applied_at, enrollment_id)


@dataclass(frozen=True)
class Waiting:
    enrollment: Enrollment
    child: Child
    met: list[str]  # the criteria of the municipality's levels this child meets, in order


def ordered_waitlist(
    session: Session, group: Group, waiting: list[Enrollment] | None = None
) -> list[Waiting]:
    """The group's waiting enrollments, first to be promoted first. `waiting` is the list
    the caller has already locked; otherwise it is read."""
    program = get_row(session, Program, group.program_id)
    assert program is not None
    if waiting is None:
        waiting = list(
            session.exec(
                select(Enrollment).where(
                    Enrollment.group_id == group.id,
                    Enrollment.status == EnrollmentStatus.WAITLISTED,
                )
            ).all()
        )
    policy = policy_of(session, program.municipality_id)
    levels = [list(level) for level in policy.waitlist_priority or []]
    named = [name for level in levels for name in level]
    children = {
        c.id: c
        for c in session.exec(
            select(Child).where(col(Child.id).in_([e.child_id for e in waiting]))
        ).all()
    }
    rows = []
    for enrollment in waiting:
        child = children[enrollment.child_id]
        met = criteria_met(child, program)
        rows.append(
            (
                priority_key(levels, met, enrollment.applied_at, enrollment.id or 0),
                Waiting(enrollment, child, [name for name in named if name in met]),
            )
        )
    return [waiting_row for _key, waiting_row in sorted(rows, key=lambda row: row[0])]


@dataclass(frozen=True)
class QueuePlace:
    """Where a waiting child stands, and why there."""

    place: int  # 1 = next to be offered a seat
    of: int
    met: list[str]  # the priority criteria the child meets, in the municipality's order
    applied_at: datetime


def queue_places(session: Session, actor: Actor) -> dict[int, QueuePlace]:
    """Every waiting enrollment of the actor's children: its place in its group's list."""
    mine = session.exec(
        select(Enrollment)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(Child.guardian_id == actor.user_id, Enrollment.status == EnrollmentStatus.WAITLISTED)
    ).all()
    places: dict[int, QueuePlace] = {}
    for group_id in {e.group_id for e in mine}:
        group = get_row(session, Group, group_id)
        assert group is not None
        order = ordered_waitlist(session, group)
        for index, row in enumerate(order):
            if row.child.guardian_id == actor.user_id and row.enrollment.id is not None:
                places[row.enrollment.id] = QueuePlace(
                    index + 1, len(order), row.met, row.enrollment.applied_at
                )
    return places


def queue_place(session: Session, actor: Actor, enrollment_id: int) -> QueuePlace:
    """One waiting enrollment's place, for its guardian only."""
    enrollment = get_row(session, Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound()
    check_guardian(session, actor, get_row(session, Child, enrollment.child_id))
    place = queue_places(session, actor).get(enrollment_id)
    if place is None:
        raise NotFound()
    return place


def pending_applications(session: Session, group: Group) -> int:
    """Applications awaiting the provider's decision on the group: each may take a seat."""
    return session.exec(
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.APPLIED)
    ).one()


def promote_waitlist(session: Session, group: Group) -> None:
    """In the municipality's priority order (enrollment.waitlist), while free seats outnumber
    the applications awaiting a decision. A promoted child applies again: the provider
    accepts it as any application, and only then is the certificate's money held. The caller
    holds the group's lock: a seat freed, a pending application decided, more seats."""
    free = group.seats - group.seats_taken - pending_applications(session, group)
    if free <= 0:
        return
    # the whole list is locked (in id order) and ranked: the first by priority may be anywhere
    waiting = locked_rows(
        session,
        Enrollment,
        select(Enrollment)
        .where(Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(col(Enrollment.id)),
    )
    promoted = ordered_waitlist(session, group, waiting)[:free]
    program = get_row(session, Program, group.program_id) if promoted else None
    for row in promoted:
        enrollment = row.enrollment
        enrollment.status = EnrollmentStatus.APPLIED
        session.add(enrollment)
        notify(session, row.child.guardian_id, "enrollment.promoted", enrollment)
        if program is not None:  # an application to decide, as a new one is
            notify_provider(
                session,
                program.provider_id,
                "application.promoted",
                {"enrollment_id": enrollment.id},
            )
