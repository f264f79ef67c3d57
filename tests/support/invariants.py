"""What must hold after any sequence of operations, checked against the database itself."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from navigator.domain.certificates.ledger import ledger_sums, period_money
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.enrollment.models import SEATED_ENROLLMENT, Attendance, Enrollment
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.programs.catalog_rows import CatalogGroup, CatalogRow, refresh_catalog_rows
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import read_session


def assert_ledger_invariants(engine: Engine) -> None:
    with read_session(engine) as s:
        for account in s.exec(select(CertificateAccount)).all():
            sums = ledger_sums(s, account.id)
            assert account.available_minor >= 0, account
            assert sums.balance == account.available_minor, (sums, account)
            assert sums.active_holds == account.held_minor, (sums, account)
            assert sums.credited == account.credited_minor
            assert sums.captured == account.captured_minor
            assert sums.expired == account.expired_minor
            assert sums.refunded == account.refunded_minor
        for enrollment in s.exec(select(Enrollment)).all():
            assert (
                0 <= enrollment.captured_minor + enrollment.released_minor <= enrollment.held_minor
            )
            by_kind = dict(
                s.exec(
                    select(LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
                    .where(LedgerEntry.enrollment_id == enrollment.id)
                    .group_by(LedgerEntry.kind)
                ).all()
            )
            assert by_kind.get(EntryKind.HOLD, 0) == enrollment.held_minor
            assert by_kind.get(EntryKind.CAPTURE, 0) == enrollment.captured_minor
            assert by_kind.get(EntryKind.RELEASE, 0) == enrollment.released_minor
            assert by_kind.get(EntryKind.REFUND, 0) == enrollment.refunded_minor
            # a refunded capture may be held again, never more than the contract's share
            assert (
                enrollment.held_minor - enrollment.refunded_minor
                <= enrollment.certificate_share_minor
            )
            charged = s.exec(
                select(func.coalesce(func.sum(Attendance.charged_minor), 0)).where(
                    Attendance.enrollment_id == enrollment.id
                )
            ).one()
            assert charged == enrollment.captured_minor - enrollment.refunded_minor
        for period in s.exec(select(FundingPeriod)).all():
            credited = s.exec(
                select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
                .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
                .where(
                    CertificateAccount.period_id == period.id, LedgerEntry.kind == EntryKind.CREDIT
                )
            ).one()
            accounts = s.exec(
                select(func.count())
                .select_from(CertificateAccount)
                .where(CertificateAccount.period_id == period.id)
            ).one()
            assert credited == period.credited_minor, period
            # the budget bounds what holds commit and captures spend, not what is credited
            committed, spent = period_money(s, period.id)
            assert committed + spent <= period.budget_minor, (committed, spent, period)
            assert accounts == period.funded_certificates <= period.max_funded_certificates, period
        for group in s.exec(select(Group)).all():
            seated = s.exec(
                select(func.count())
                .select_from(Enrollment)
                .where(
                    Enrollment.group_id == group.id,
                    col(Enrollment.status).in_([x.value for x in SEATED_ENROLLMENT]),
                )
            ).one()
            assert seated == group.seats_taken <= group.seats, group


def assert_culture_invariants(engine: Engine) -> None:
    """The culture pass's money: every wallet's counters equal its entries and none is below
    zero; every pupil's year equals its booked shares and stays under the cap; no session
    holds more pupils than its capacity."""
    from navigator.domain.culture.models import (
        BookingPupil,
        BookingStatus,
        CultureBooking,
        CultureSession,
        PupilYear,
        SchoolWallet,
        SeatStatus,
    )
    from navigator.domain.culture.wallet import wallet_sums

    with read_session(engine) as s:
        for wallet in s.exec(select(SchoolWallet)).all():
            sums = wallet_sums(s, wallet.id)
            assert wallet.available_minor >= 0, wallet
            assert (
                sums.allocated,
                sums.held,
                sums.charged,
                sums.refunded,
                sums.expired,
            ) == (
                wallet.allocated_minor,
                wallet.held_minor,
                wallet.charged_minor,
                wallet.refunded_minor,
                wallet.expired_minor,
            ), (sums, wallet)
        for row in s.exec(select(PupilYear)).all():
            shares = dict(
                s.exec(
                    select(BookingPupil.status, func.sum(BookingPupil.amount_minor))
                    .where(BookingPupil.pupil_year_id == row.id)
                    .group_by(BookingPupil.status)
                ).all()
            )
            assert shares.get(SeatStatus.HELD, 0) == row.held_minor, row
            assert shares.get(SeatStatus.CHARGED, 0) == row.charged_minor, row
            assert row.held_minor + row.charged_minor <= row.cap_minor, row
        seated = [BookingStatus.RESERVED, BookingStatus.CONFIRMED, BookingStatus.DELIVERED]
        for culture_session in s.exec(select(CultureSession)).all():
            booked = s.exec(
                select(func.coalesce(func.sum(CultureBooking.pupils), 0)).where(
                    CultureBooking.session_id == culture_session.id,
                    col(CultureBooking.status).in_(seated),
                )
            ).one()
            assert culture_session.booked == booked <= culture_session.capacity, culture_session


def _catalog_rows(engine: Engine) -> tuple[list, list]:
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(sa_select(CatalogRow).order_by("program_id"))]
        groups = [tuple(r) for r in c.execute(sa_select(CatalogGroup).order_by("group_id"))]
    return rows, groups


def assert_catalog_rows_as_a_full_refresh(engine: Engine) -> None:
    """The catalog's rows the write hooks left are what a full refresh writes now."""
    before = _catalog_rows(engine)
    with engine.begin() as c:
        refresh_catalog_rows(c)
    assert _catalog_rows(engine) == before
