"""Free seats: the seats of a group a new application could still get. The one count the
catalog's card, its "free seats only" filter, the SQL fallback's rows, the catalog API and
the program page show, so a parent who filters on free seats is not waitlisted on applying.

A seat is not free while it is taken or promised to an application awaiting the provider's
decision (each may take one), and none is while the group has a waiting list (a new
application joins it: `enrollment.api.apply_to_group`, which decides by this count too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect

from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.shared.db import chunks

# the statuses that claim a group's seats without taking one (a taken seat is in the group)
CLAIMING = (EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED)
_CHUNK = 5_000  # group ids per IN list: well under either database's parameter limit


@dataclass(frozen=True)
class SeatClaims:
    """What a group's applications claim of its seats beyond those taken."""

    awaiting: int = 0  # applications awaiting the provider's decision
    waiting: int = 0  # children on the waiting list


NO_CLAIMS = SeatClaims()


class _Seated(Protocol):
    id: Any
    seats: int
    seats_taken: int


def free_seats(seats: int, seats_taken: int, claims: SeatClaims) -> int:
    """Seats a new application could get: neither taken nor promised, and nobody waiting
    before it. Never below zero."""
    if claims.waiting > 0:
        return 0
    return max(seats - seats_taken - claims.awaiting, 0)


def group_free_seats(group: _Seated, claims: Mapping[int, SeatClaims]) -> int:
    """`free_seats` of a group (a model or a row with its columns), given every group's claims
    as `seat_claims` reads them."""
    return free_seats(group.seats, group.seats_taken, claims.get(group.id, NO_CLAIMS))


def seat_claims(connection: Any, group_ids: Iterable[int | None]) -> dict[int, SeatClaims]:
    """The claims on these groups, one grouped count per chunk of ids; a group without any is
    left out. `connection`: a Connection or a Session (anything with Core `execute`)."""
    table = Enrollment.__table__  # type: ignore[attr-defined]
    wanted = sorted({int(i) for i in group_ids if i is not None})
    counts: dict[int, dict[str, int]] = {}
    for chunk in chunks(wanted, _CHUNK):
        for group_id, status, count in connection.execute(
            select(table.c.group_id, table.c.status, func.count())
            .where(
                table.c.group_id.in_(chunk),
                table.c.status.in_([s.value for s in CLAIMING]),
            )
            .group_by(table.c.group_id, table.c.status)
        ):
            counts.setdefault(int(group_id), {})[str(status)] = int(count)
    return {
        group_id: SeatClaims(
            awaiting=by_status.get(EnrollmentStatus.APPLIED, 0),
            waiting=by_status.get(EnrollmentStatus.WAITLISTED, 0),
        )
        for group_id, by_status in counts.items()
    }


def moves_free_seats(enrollment: Enrollment, is_new: bool) -> bool:
    """Whether this flushed change of an enrollment may change its group's free seats: an
    application made (or removed), or a status moving into or out of a claim (applied,
    waitlisted). Taking or freeing a seat changes the group's own row as well; a lesson
    that makes an accepted place active changes nothing here."""
    state = sa_inspect(enrollment)
    if is_new or state.deleted or state.was_deleted:
        return enrollment.status in CLAIMING
    history = state.attrs.status.history
    if not history.has_changes():
        return False
    if not history.deleted:
        # set on an instance whose status was expired or never loaded: the status it leaves
        # is unknown, so it may have been a claim (a move out of it, missed, left a stale row)
        return True
    return any(status in CLAIMING for status in (*history.added, *history.deleted))
