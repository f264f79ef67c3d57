"""The culture pass's reports, every figure summed from the wallet entries and the booked
shares (the ledger), never from a second count.

The operator's: use by school and by municipality, the share of pupils reached at least
once, schools with no coordinator, schools with money unspent on a chosen date, spending by
provider and by art form, cancellations and expiries. The coordinator's: each pupil's spend
and remaining cap, and the classes with pupils who have had no service yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import (
    check_coordinator,
    check_culture_operator,
    check_provider_member,
)
from navigator.domain.culture.models import (
    BookingPupil,
    BookingStatus,
    CultureBooking,
    CulturePassYear,
    CultureService,
    CultureSession,
    Pupil,
    PupilYear,
    School,
    SchoolCoordinator,
    SchoolWallet,
    SeatStatus,
    WalletEntry,
    WalletEntryKind,
)
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound

_SIGN = {
    WalletEntryKind.ALLOCATION: (1, 0, 0),  # (allocated, charged, expired)
    WalletEntryKind.ADJUSTMENT_UP: (1, 0, 0),
    WalletEntryKind.ADJUSTMENT_DOWN: (-1, 0, 0),
    WalletEntryKind.CHARGE: (0, 1, 0),
    WalletEntryKind.REFUND: (0, -1, 0),
    WalletEntryKind.EXPIRY: (0, 0, 1),
}


@dataclass
class SchoolUse:
    school_id: int
    code: str
    name: str
    municipality: str
    pupils_counted: int = 0
    roster: int = 0  # active pupils on the roster
    reached: int = 0  # of them, charged for at least one service this year
    allocated_minor: int = 0
    held_minor: int = 0
    spent_minor: int = 0  # charged less refunded
    expired_minor: int = 0
    coordinators: int = 0

    @property
    def available_minor(self) -> int:
        return self.allocated_minor - self.held_minor - self.spent_minor - self.expired_minor


@dataclass
class OperatorReport:
    year: int
    schools: list[SchoolUse]
    municipalities: list[SchoolUse]  # the same figures summed per municipality (code = name)
    unspent_on: date | None
    unspent: list[tuple[SchoolUse, int]]  # schools with money left on that date, and how much
    by_provider: list[tuple[str, int]]  # (provider, spent)
    by_art_form: list[tuple[str, int]]
    # status → (bookings, their money in the ledger: see `ledger_amount`)
    bookings_by_status: dict[str, tuple[int, int]]
    expired_minor: int = 0
    totals: SchoolUse = field(default_factory=lambda: SchoolUse(0, "", "", ""))

    @property
    def reached_share(self) -> float:
        return self.totals.reached / self.totals.roster if self.totals.roster else 0.0

    @property
    def without_coordinator(self) -> list[SchoolUse]:
        return [s for s in self.schools if s.coordinators == 0]


def _wallet_sums(
    session: Session, year_id: int, until: datetime | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """Per school: (allocated, held, spent, expired) summed from the entries (up to `until`)."""
    statement = (
        select(SchoolWallet.school_id, WalletEntry.kind, func.sum(WalletEntry.amount_minor))
        .join(SchoolWallet, col(SchoolWallet.id) == WalletEntry.wallet_id)
        .where(SchoolWallet.year_id == year_id)
        .group_by(col(SchoolWallet.school_id), col(WalletEntry.kind))
    )
    if until is not None:
        statement = statement.where(WalletEntry.created_at < until)
    sums: dict[int, list[int]] = {}
    for school_id, kind, total in session.exec(statement).all():
        row = sums.setdefault(school_id, [0, 0, 0, 0])
        total = int(total)
        if kind == WalletEntryKind.HOLD:
            row[1] += total
        elif kind in (WalletEntryKind.RELEASE, WalletEntryKind.CHARGE):
            row[1] -= total
        allocated, charged, expired = _SIGN.get(WalletEntryKind(kind), (0, 0, 0))
        row[0] += allocated * total
        row[2] += charged * total
        row[3] += expired * total
    return {school_id: (r[0], r[1], r[2], r[3]) for school_id, r in sums.items()}


def operator_report(
    session: Session, actor: Actor, year_id: int, *, unspent_on: date | None = None
) -> OperatorReport:
    check_culture_operator(session, actor)
    year = get_row(session, CulturePassYear, year_id)
    if year is None:
        raise NotFound()
    uses: dict[int, SchoolUse] = {}
    # columns, not objects: a thousand schools read without building a thousand ORM rows
    for school_id, code, name, municipality, pupils in session.exec(
        select(  # type: ignore[call-overload]
            School.id, School.code, School.name, School.municipality, SchoolWallet.pupils
        )
        .join(SchoolWallet, col(SchoolWallet.school_id) == School.id)
        .where(SchoolWallet.year_id == year_id)
        .order_by(col(School.name))
    ).all():
        uses[school_id] = SchoolUse(  # type: ignore[index]
            school_id,  # type: ignore[arg-type]
            code,
            name,
            municipality,
            pupils_counted=pupils,
        )
    for school_id, (allocated, held, spent, expired) in _wallet_sums(session, year_id).items():
        if school_id in uses:
            use = uses[school_id]
            use.allocated_minor, use.held_minor = allocated, held
            use.spent_minor, use.expired_minor = spent, expired
    for school_id, count in session.exec(
        select(Pupil.school_id, func.count())
        .where(col(Pupil.active).is_(True))
        .group_by(col(Pupil.school_id))
    ).all():
        if school_id in uses:
            uses[school_id].roster = int(count)
    for school_id, count in session.exec(
        select(Pupil.school_id, func.count(func.distinct(BookingPupil.pupil_id)))
        .join(Pupil, col(Pupil.id) == BookingPupil.pupil_id)
        .join(PupilYear, col(PupilYear.id) == BookingPupil.pupil_year_id)
        .where(PupilYear.year_id == year_id, BookingPupil.status == SeatStatus.CHARGED)
        .group_by(col(Pupil.school_id))
    ).all():
        if school_id in uses:
            uses[school_id].reached = int(count)
    for school_id, count in session.exec(
        select(SchoolCoordinator.school_id, func.count()).group_by(col(SchoolCoordinator.school_id))
    ).all():
        if school_id in uses:
            uses[school_id].coordinators = int(count)
    schools = list(uses.values())
    unspent: list[tuple[SchoolUse, int]] = []
    if unspent_on is not None:
        until = datetime.combine(unspent_on + timedelta(days=1), time(), tzinfo=UTC)
        for school_id, (allocated, held, spent, expired) in _wallet_sums(
            session, year_id, until
        ).items():
            left = allocated - held - spent - expired
            if left > 0 and school_id in uses:
                unspent.append((uses[school_id], left))
        unspent.sort(key=lambda pair: -pair[1])
    spent_by = _spending(session, year_id)
    counts = dict(
        session.exec(
            select(CultureBooking.status, func.count())
            .join(SchoolWallet, col(SchoolWallet.id) == CultureBooking.wallet_id)
            .where(SchoolWallet.year_id == year_id)
            .group_by(col(CultureBooking.status))
        ).all()
    )
    by_kind: dict[str, dict[str, int]] = {}
    for status, kind, total in session.exec(
        select(CultureBooking.status, WalletEntry.kind, func.sum(WalletEntry.amount_minor))
        .join(CultureBooking, col(CultureBooking.id) == WalletEntry.booking_id)
        .join(SchoolWallet, col(SchoolWallet.id) == WalletEntry.wallet_id)
        .where(SchoolWallet.year_id == year_id)
        .group_by(col(CultureBooking.status), col(WalletEntry.kind))
    ).all():
        by_kind.setdefault(status, {})[kind] = int(total)
    statuses = {
        status: (int(count), ledger_amount(status, by_kind.get(status, {})))
        for status, count in counts.items()
    }
    return OperatorReport(
        year=year.year,
        schools=schools,
        municipalities=_by_municipality(schools),
        unspent_on=unspent_on,
        unspent=unspent,
        by_provider=spent_by["provider"],
        by_art_form=spent_by["art_form"],
        bookings_by_status={s.value: statuses.get(s.value, (0, 0)) for s in BookingStatus},
        expired_minor=sum(s.expired_minor for s in schools),
        totals=_sum("", schools),
    )


def ledger_amount(status: str, sums: dict[str, int]) -> int:
    """A booking's money as the ledger has it, from its entries' sums by kind: what it holds
    while it is live, what was charged (less refunds) once delivered, what was given back
    when it was declined, cancelled or expired. The booked total is only the first hold."""
    hold, release, charge, refund = (
        sums.get(kind, 0)
        for kind in (
            WalletEntryKind.HOLD,
            WalletEntryKind.RELEASE,
            WalletEntryKind.CHARGE,
            WalletEntryKind.REFUND,
        )
    )
    if status in (BookingStatus.RESERVED, BookingStatus.CONFIRMED):
        return hold - release - charge
    if status == BookingStatus.DELIVERED:
        return charge - refund
    return release


def booking_amounts(
    session: Session, actor: Actor, school_id: int, booking_ids: list[int]
) -> dict[int, int]:
    """Each of the school's bookings' money in the ledger (`ledger_amount`), for the
    coordinator's list; a booking of another school is left out."""
    check_coordinator(session, actor, school_id)
    return _amounts(session, col(CultureBooking.school_id) == school_id, booking_ids)


def provider_booking_amounts(
    session: Session, actor: Actor, provider_id: int, booking_ids: list[int]
) -> dict[int, int]:
    """The same for the bookings on the provider's own services (what it was paid, is
    held for it, or was given back); a booking on another provider's service is left out."""
    check_provider_member(session, actor, provider_id)
    theirs = col(CultureBooking.session_id).in_(
        select(CultureSession.id)
        .join(CultureService, col(CultureService.id) == CultureSession.service_id)
        .where(CultureService.provider_id == provider_id)
    )
    return _amounts(session, theirs, booking_ids)


def _amounts(session: Session, whose: Any, booking_ids: list[int]) -> dict[int, int]:
    if not booking_ids:
        return {}
    sums: dict[int, dict[str, int]] = {}
    statuses: dict[int, str] = {}
    for booking_id, status, kind, total in session.exec(
        select(
            CultureBooking.id,
            CultureBooking.status,
            WalletEntry.kind,
            func.sum(WalletEntry.amount_minor),
        )
        .join(WalletEntry, col(WalletEntry.booking_id) == CultureBooking.id)
        .where(whose, col(CultureBooking.id).in_(booking_ids))
        .group_by(col(CultureBooking.id), col(CultureBooking.status), col(WalletEntry.kind))
    ).all():
        statuses[int(booking_id)] = status  # type: ignore[arg-type]
        sums.setdefault(int(booking_id), {})[kind] = int(total)  # type: ignore[arg-type]
    return {b: ledger_amount(statuses[b], sums[b]) for b in sums}


def _sum(name: str, schools: list[SchoolUse]) -> SchoolUse:
    total = SchoolUse(0, name, name, name)
    for s in schools:
        total.pupils_counted += s.pupils_counted
        total.roster += s.roster
        total.reached += s.reached
        total.allocated_minor += s.allocated_minor
        total.held_minor += s.held_minor
        total.spent_minor += s.spent_minor
        total.expired_minor += s.expired_minor
        total.coordinators += s.coordinators
    return total


def _by_municipality(schools: list[SchoolUse]) -> list[SchoolUse]:
    groups: dict[str, list[SchoolUse]] = {}
    for school in schools:
        groups.setdefault(school.municipality, []).append(school)
    return [_sum(name, members) for name, members in sorted(groups.items())]


def _spending(session: Session, year_id: int) -> dict[str, list[tuple[str, int]]]:
    """What was charged (less refunds) per provider and per art form, from the entries."""
    out: dict[str, dict[str, int]] = {"provider": {}, "art_form": {}}
    for provider, art_form, kind, total in session.exec(
        select(
            Provider.name,
            CultureService.art_form,
            WalletEntry.kind,
            func.sum(WalletEntry.amount_minor),
        )
        .join(CultureBooking, col(CultureBooking.id) == WalletEntry.booking_id)
        .join(CultureSession, col(CultureSession.id) == CultureBooking.session_id)
        .join(CultureService, col(CultureService.id) == CultureSession.service_id)
        .join(Provider, col(Provider.id) == CultureService.provider_id)
        .join(SchoolWallet, col(SchoolWallet.id) == WalletEntry.wallet_id)
        .where(
            SchoolWallet.year_id == year_id,
            col(WalletEntry.kind).in_([WalletEntryKind.CHARGE, WalletEntryKind.REFUND]),
        )
        .group_by(col(Provider.name), col(CultureService.art_form), col(WalletEntry.kind))
    ).all():
        amount = int(total) * (1 if kind == WalletEntryKind.CHARGE else -1)
        out["provider"][provider] = out["provider"].get(provider, 0) + amount
        out["art_form"][art_form] = out["art_form"].get(art_form, 0) + amount
    return {
        key: sorted(values.items(), key=lambda pair: (-pair[1], pair[0]))
        for key, values in out.items()
    }


@dataclass(frozen=True)
class PupilSpend:
    class_name: str
    last_name: str
    first_name: str
    services: int  # charged for this many sessions this year
    spent_minor: int  # charged
    held_minor: int  # booked, not yet delivered
    remaining_minor: int  # of the cap


def pupil_spend(session: Session, actor: Actor, school_id: int, year_id: int) -> list[PupilSpend]:
    """Each pupil's year, for the coordinator's report (and its CSV / XLSX)."""
    check_coordinator(session, actor, school_id)
    year = get_row(session, CulturePassYear, year_id)
    if year is None:
        raise NotFound()
    rows = {
        row.pupil_id: row
        for row in session.exec(
            select(PupilYear)
            .join(Pupil, col(Pupil.id) == PupilYear.pupil_id)
            .where(Pupil.school_id == school_id, PupilYear.year_id == year_id)
        ).all()
    }
    services = dict(
        session.exec(
            select(BookingPupil.pupil_id, func.count())
            .join(Pupil, col(Pupil.id) == BookingPupil.pupil_id)
            .join(PupilYear, col(PupilYear.id) == BookingPupil.pupil_year_id)
            .where(
                Pupil.school_id == school_id,
                PupilYear.year_id == year_id,
                BookingPupil.status == SeatStatus.CHARGED,
            )
            .group_by(col(BookingPupil.pupil_id))
        ).all()
    )
    out = []
    for pupil in session.exec(
        select(Pupil)
        .where(Pupil.school_id == school_id, col(Pupil.active).is_(True))
        .order_by(col(Pupil.class_name), col(Pupil.last_name), col(Pupil.first_name))
    ).all():
        row = rows.get(pupil.id or 0)
        charged, held = (row.charged_minor, row.held_minor) if row else (0, 0)
        out.append(
            PupilSpend(
                pupil.class_name,
                pupil.last_name,
                pupil.first_name,
                int(services.get(pupil.id or 0, 0)),
                charged,
                held,
                year.cap_minor - charged - held,
            )
        )
    return out
