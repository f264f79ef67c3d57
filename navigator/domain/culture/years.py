"""A culture-pass year, the schools and their wallets: credited once a year with pupils ×
the per-pupil amount; a corrected count is an adjustment entry, never an edit; at the year's
end what is left expires."""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import User
from navigator.domain.culture.access import check_culture_operator
from navigator.domain.culture.disputes import undecided_culture_disputes
from navigator.domain.culture.models import (
    CULTURE_CURRENCY,
    LIVE_BOOKING,
    CultureBooking,
    CultureOperator,
    CulturePassYear,
    School,
    SchoolWallet,
    WalletEntry,
    WalletEntryKind,
    YearStatus,
)
from navigator.domain.culture.wallet import post
from navigator.domain.notifications.fanout import notify_school
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.validation import (
    check_date,
    check_date_range,
    check_email,
    check_positive,
    check_text,
)

SCHOOL_COLUMNS = ("code", "name", "municipality", "pupils")
SCHOOL_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
MAX_PUPILS = 10_000  # in one school
MAX_SCHOOL_ROWS = 5_000
MAX_CANCEL_DAYS = 60


def make_operator(
    session: Session, email: str, *, password: str | None = None
) -> tuple[CultureOperator, bool]:
    """The programme operator role (the command line's): for an existing account, or a new
    one with `password` (None: an unusable one, set through the password-reset link).
    Returns (operator, account_created)."""
    email = check_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    created = user is None
    if user is None:
        user = create_user(
            session,
            email,
            password if password is not None else secrets.token_urlsafe(32),
            email_confirmed=True,  # the operator's own command line vouches for it
        )
    assert user.id is not None
    found = session.exec(select(CultureOperator).where(CultureOperator.user_id == user.id)).first()
    if found is not None:
        return found, created
    operator = CultureOperator(user_id=user.id)
    session.add(operator)
    session.flush()
    return operator, created


def open_year(
    session: Session,
    actor: Actor,
    *,
    year: int,
    per_pupil_minor: int,
    cap_minor: int,
    window_start: date,
    window_end: date,
    reference_date: date,
    cancel_days: int = 7,
) -> CulturePassYear:
    """A new year of the programme; its amounts never change once schools are credited."""
    check_culture_operator(session, actor)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("field_not_allowed", field="year", allowed="2000–2100")
    check_positive(per_pupil_minor, "per_pupil")
    check_positive(cap_minor, "cap")
    if cap_minor < per_pupil_minor:
        raise InvalidInput("cap_below_per_pupil", field="cap")
    check_date_range(window_start, window_end)
    check_date(reference_date, "reference_date")
    if window_start.year != year or window_end.year != year:
        raise InvalidInput("window_outside_year", field="window_start", year=year)
    if isinstance(cancel_days, bool) or not isinstance(cancel_days, int):
        raise InvalidInput("must_be_whole_number", field="cancel_days")
    if not 0 <= cancel_days <= MAX_CANCEL_DAYS:
        raise InvalidInput("query_out_of_range", field="cancel_days", min=0, max=MAX_CANCEL_DAYS)
    if session.exec(select(CulturePassYear.id).where(CulturePassYear.year == year)).first():
        raise Conflict("culture_year_exists", year=year)
    opened = CulturePassYear(
        year=year,
        per_pupil_minor=per_pupil_minor,
        cap_minor=cap_minor,
        window_start=window_start,
        window_end=window_end,
        reference_date=reference_date,
        cancel_days=cancel_days,
    )
    session.add(opened)
    session.flush()
    return opened


def year_on(session: Session, day: date) -> CulturePassYear | None:
    """The year whose window holds `day`, open or not."""
    day = check_date(day, "day")
    return session.exec(
        select(CulturePassYear).where(
            CulturePassYear.window_start <= day, CulturePassYear.window_end >= day
        )
    ).first()


def latest_open_year(session: Session) -> CulturePassYear | None:
    return session.exec(
        select(CulturePassYear)
        .where(CulturePassYear.status == YearStatus.OPEN)
        .order_by(col(CulturePassYear.year).desc())
    ).first()


def _open_year_or_refuse(session: Session, year_id: int) -> CulturePassYear:
    found = get_row(session, CulturePassYear, year_id)
    if found is None:
        raise NotFound()
    if found.status != YearStatus.OPEN:
        raise Conflict("culture_year_closed", year=found.year)
    return found


@dataclass
class SchoolImport:
    created: int = 0  # new schools
    credited: int = 0  # wallets credited for the year
    adjusted: int = 0  # wallets whose pupil count was corrected
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


def import_schools(session: Session, actor: Actor, year_id: int, content: str) -> SchoolImport:
    """Schools with their pupil counts (CSV: code, name, municipality, pupils). A new school's
    wallet is credited once; a changed count of a credited one is an adjustment. A bad row is
    reported by its line and changes nothing; the good rows import."""
    check_culture_operator(session, actor)
    year = _open_year_or_refuse(session, year_id)
    if not isinstance(content, str):
        raise InvalidInput("import_columns_missing", columns=", ".join(SCHOOL_COLUMNS))
    reader = csv.DictReader(io.StringIO(content.removeprefix("\ufeff")))
    missing = [c for c in SCHOOL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("import_columns_missing", columns=", ".join(missing))
    report = SchoolImport()
    seen: set[str] = set()
    for number, row in enumerate(reader, start=1):
        line = reader.line_num  # the file's line: blank lines are skipped, not counted
        if number > MAX_SCHOOL_ROWS:
            report.errors.append((line, InvalidInput("import_too_many_rows", max=MAX_SCHOOL_ROWS)))
            break
        try:
            with session.begin_nested():
                _school_row(session, actor, year, row, seen, report)
        except DomainError as error:
            report.errors.append((line, error))
    return report


def _school_row(
    session: Session,
    actor: Actor,
    year: CulturePassYear,
    row: dict[str, str | None],
    seen: set[str],
    report: SchoolImport,
) -> None:
    if None in row or any(value is None for value in row.values()):
        raise InvalidInput("import_row_shape")
    code = (row["code"] or "").strip()
    if not SCHOOL_CODE.fullmatch(code):
        raise InvalidInput("field_not_allowed", field="code", allowed="A-Z, 0-9, -")
    if code in seen:
        raise InvalidInput("import_duplicate_row", external_id=code)
    seen.add(code)
    name = check_text(row["name"] or "", "name", max_length=300)
    municipality = check_text(row["municipality"] or "", "municipality", max_length=100)
    pupils = _pupil_count(row["pupils"] or "")
    school = session.exec(select(School).where(School.code == code)).first()
    if school is None:
        school = School(code=code, name=name, municipality=municipality)
        session.add(school)
        session.flush()
        report.created += 1
    else:
        school.name, school.municipality = name, municipality
        session.add(school)
    assert school.id is not None
    wallet = session.exec(
        select(SchoolWallet).where(
            SchoolWallet.school_id == school.id, SchoolWallet.year_id == year.id
        )
    ).first()
    if wallet is None:
        wallet = SchoolWallet(school_id=school.id, year_id=year.id, pupils=pupils)  # type: ignore[arg-type]
        session.add(wallet)
        session.flush()
        assert wallet.id is not None
        if pupils:
            post(
                session,
                wallet.id,
                WalletEntryKind.ALLOCATION,
                pupils * year.per_pupil_minor,
                f"allocation:{wallet.id}",
                actor_id=actor.user_id,
                note=f"{pupils} × {year.per_pupil_minor}",
            )
            tell_wallet(
                session, wallet, year, "culture_wallet.credited", pupils * year.per_pupil_minor
            )
        report.credited += 1
    elif wallet.pupils != pupils:
        correct_pupils(session, actor, wallet.id, pupils, reason="import")  # type: ignore[arg-type]
        report.adjusted += 1


def _pupil_count(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise InvalidInput("must_be_whole_number", field="pupils")
    count = int(text)
    if count > MAX_PUPILS:
        raise InvalidInput("query_out_of_range", field="pupils", min=0, max=MAX_PUPILS)
    return count


def correct_pupils(
    session: Session, actor: Actor, wallet_id: int, pupils: int, *, reason: str
) -> SchoolWallet:
    """A corrected pupil count: the difference × the per-pupil amount, as one audited entry
    (a lower count takes back only money the school has not committed)."""
    check_culture_operator(session, actor)
    if isinstance(pupils, bool) or not isinstance(pupils, int) or not 0 <= pupils <= MAX_PUPILS:
        raise InvalidInput("query_out_of_range", field="pupils", min=0, max=MAX_PUPILS)
    reason = check_text(reason, "reason", max_length=500)
    wallet = locked(session, SchoolWallet, wallet_id)
    if wallet is None:
        raise NotFound()
    year = _open_year_or_refuse(session, wallet.year_id)
    difference = pupils - wallet.pupils
    if difference == 0:
        return wallet
    if -difference * year.per_pupil_minor > wallet.available_minor:
        raise Conflict(
            "pupils_below_committed",
            pupils=pupils,
            total_minor=-difference * year.per_pupil_minor,
            available_minor=wallet.available_minor,
            currency=CULTURE_CURRENCY,
        )
    sequence = session.exec(
        select(func.count())
        .select_from(WalletEntry)
        .where(
            WalletEntry.wallet_id == wallet_id,
            col(WalletEntry.kind).in_(
                [WalletEntryKind.ADJUSTMENT_UP, WalletEntryKind.ADJUSTMENT_DOWN]
            ),
        )
    ).one()
    kind = WalletEntryKind.ADJUSTMENT_UP if difference > 0 else WalletEntryKind.ADJUSTMENT_DOWN
    post(
        session,
        wallet_id,
        kind,
        abs(difference) * year.per_pupil_minor,
        f"adjust:{wallet_id}:{sequence + 1}",
        actor_id=actor.user_id,
        note=f"{wallet.pupils} → {pupils}: {reason}",
    )
    tell_wallet(
        session,
        wallet,
        year,
        f"culture_wallet.{kind.value}",
        abs(difference) * year.per_pupil_minor,
    )
    wallet.pupils = pupils
    session.add(wallet)
    session.flush()
    return wallet


CLOSING_GRACE_DAYS = 15  # after the window: attendance recorded (14 days), then the year closes


def years_to_close(session: Session, today: date) -> list[int]:
    """Open years whose window ended more than CLOSING_GRACE_DAYS before `today`."""
    today = check_date(today, "today")
    return [
        year_id
        for year_id in session.exec(
            select(CulturePassYear.id).where(
                CulturePassYear.status == YearStatus.OPEN,
                CulturePassYear.window_end < today - timedelta(days=CLOSING_GRACE_DAYS),
            )
        ).all()
        if year_id is not None
    ]


def close_year(session: Session, actor: Actor, year_id: int, today: date) -> int:
    """After the window: every wallet's unspent money expires (one entry each) and the year
    closes; refused while a booking still waits to be delivered or a charge's dispute to be
    decided. The total expired."""
    check_culture_operator(session, actor)
    check_date(today, "closing_date")
    year = _open_year_or_refuse(session, year_id)
    if today <= year.window_end:
        raise Conflict("culture_year_not_over", date=year.window_end.isoformat())
    # every wallet of the year locked first: a booking cannot slip in after the count below
    wallets = locked_rows(
        session,
        SchoolWallet,
        select(SchoolWallet).where(SchoolWallet.year_id == year_id).order_by(col(SchoolWallet.id)),
    )
    live = session.exec(
        select(func.count())
        .select_from(CultureBooking)
        .join(SchoolWallet, col(SchoolWallet.id) == CultureBooking.wallet_id)
        .where(SchoolWallet.year_id == year_id, col(CultureBooking.status).in_(LIVE_BOOKING))
    ).one()
    if live:
        raise Conflict("culture_year_has_live_bookings", count=live)
    disputed = undecided_culture_disputes(session, year_id)
    if disputed:  # a refund after closing would have no year to go back to
        raise Conflict("culture_year_has_open_disputes", count=disputed)
    expired = 0
    for wallet in wallets:
        assert wallet.id is not None
        if wallet.available_minor > 0:
            unspent = wallet.available_minor
            expired += unspent
            post(
                session,
                wallet.id,
                WalletEntryKind.EXPIRY,
                unspent,
                f"expiry:{wallet.id}",
                actor_id=actor.user_id,
            )
            tell_wallet(session, wallet, year, "culture_wallet.expired", unspent)
    locked_year = get_row(session, CulturePassYear, year_id)
    assert locked_year is not None
    locked_year.status = YearStatus.CLOSED
    session.add(locked_year)
    return expired


def tell_wallet(
    session: Session, wallet: SchoolWallet, year: CulturePassYear, kind: str, amount_minor: int
) -> None:
    """A movement of the school's wallet (credited, adjusted, expired), told to its
    coordinators."""
    notify_school(
        session,
        wallet.school_id,
        kind,
        {
            "wallet_id": wallet.id,
            "year": str(year.year),
            "amount_minor": amount_minor,
            "currency": CULTURE_CURRENCY,
        },
    )
