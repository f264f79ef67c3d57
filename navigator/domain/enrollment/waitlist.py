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
from sqlalchemy import select as wide_select
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
    return _criteria_met(
        child.verified, child.municipality_id, child.category, program.municipality_id
    )


def _criteria_met(verified: bool, home: int, category: str, municipality: int) -> set[str]:
    """`criteria_met` from the facts alone: a child's verification, home municipality and
    category, and the program's municipality."""
    if not verified:
        return set()
    met = {WaitlistCriterion.HOME_MUNICIPALITY.value} if home == municipality else set()
    if category == ChildCategory.DISABILITY:
        met.add(WaitlistCriterion.DISABILITY.value)
    elif category == ChildCategory.LARGE_FAMILY:
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
    """Every waiting enrollment of the actor's children: its place in its group's list.

    Each list is the whole group's (hundreds of children in an enrollment rush, and every
    parent's cabinet asks), so it is read in one statement as plain facts, not as entities,
    and ranked as `ordered_waitlist` ranks it."""
    my_groups = (
        select(Enrollment.group_id)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(Child.guardian_id == actor.user_id, Enrollment.status == EnrollmentStatus.WAITLISTED)
    )
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(
            col(Enrollment.group_id),
            col(Enrollment.id),
            col(Enrollment.applied_at),
            col(Child.guardian_id),
            col(Child.verified_at),
            col(Child.municipality_id),
            col(Child.category),
            col(Program.municipality_id),
        )
        .join(Child, col(Child.id) == Enrollment.child_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .where(
            col(Enrollment.status) == EnrollmentStatus.WAITLISTED,
            col(Enrollment.group_id).in_(my_groups),
        )
    ).all()
    lists: dict[int, list] = {}
    for row in rows:
        lists.setdefault(row[0], []).append(row)
    levels_of: dict[int, list[list[str]]] = {}
    places: dict[int, QueuePlace] = {}
    for waiting in lists.values():
        municipality = waiting[0][7]
        if municipality not in levels_of:
            policy = policy_of(session, municipality)
            levels_of[municipality] = [list(level) for level in policy.waitlist_priority or []]
        levels = levels_of[municipality]
        named = [name for level in levels for name in level]
        ranked = []
        for _group, enrollment, applied_at, guardian, verified_at, home, category, _m in waiting:
            met = _criteria_met(verified_at is not None, home, category, municipality)
            key = priority_key(levels, met, applied_at, enrollment)
            ranked.append((key, enrollment, guardian, met, applied_at))
        ranked.sort(key=lambda row: row[0])
        for index, (_key, enrollment, guardian, met, applied_at) in enumerate(ranked):
            if guardian == actor.user_id:
                met_named = [name for name in named if name in met]
                places[enrollment] = QueuePlace(index + 1, len(ranked), met_named, applied_at)
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
