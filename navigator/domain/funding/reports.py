"""The municipality's reports for one funding period, each a table that exports as is.

Money columns hold integer minor units read from the ledger's entries (spending, providers)
or the accounts the ledger keeps (take-up), so each figure adds up to the ledger's sums.
An enrollment belongs to the period when its contract starts within the period's dates;
a child "enrolled" when accepted, attending or completed (not merely applied or cancelled).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    EntryKind,
    LedgerEntry,
)
from navigator.domain.disputes.models import REFUNDED, UNDECIDED, Dispute, DisputeStatus
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import age_on
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound

ENROLLED = (EnrollmentStatus.ACCEPTED, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


REPORTS = ("spending", "enrollments", "take_up", "not_enrolled", "providers", "disputes")


@dataclass(frozen=True)
class Report:
    """A table: column keys (translated by the page), rows, and which columns are money."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    currency: str
    money: frozenset[str] = field(default_factory=frozenset)
    translated: frozenset[str] = field(default_factory=frozenset)  # enum values to label
    # what tells rows apart where their labels may repeat (a provider's id), one a row:
    # the chart keeps such rows apart instead of adding up rows of the same label
    row_keys: list[object] = field(default_factory=list)


def _period(session: Session, actor: Actor, period_id: int) -> tuple[FundingPeriod, Municipality]:
    period = get_row(session, FundingPeriod, period_id)
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    municipality = get_row(session, Municipality, period.municipality_id)
    assert municipality is not None
    return period, municipality


def build(session: Session, actor: Actor, name: str, period_id: int) -> Report:
    if name not in REPORTS:
        raise NotFound()
    builder = {
        "spending": spending,
        "enrollments": enrollments,
        "take_up": take_up,
        "not_enrolled": not_enrolled,
        "providers": top_providers,
        "disputes": disputes_by_provider,
    }[name]
    return builder(session, actor, period_id)


def spending(session: Session, actor: Actor, period_id: int) -> Report:
    """Holds, captures, releases and refunds by month (local time) and direction."""
    period, municipality = _period(session, actor, period_id)
    zone = ZoneInfo(municipality.timezone)
    entries = session.exec(
        select(
            LedgerEntry.created_at, LedgerEntry.kind, LedgerEntry.amount_minor, Program.direction
        )
        .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
        .join(Enrollment, col(Enrollment.id) == LedgerEntry.enrollment_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .where(
            CertificateAccount.period_id == period.id,
            col(LedgerEntry.kind).in_(
                [EntryKind.HOLD, EntryKind.CAPTURE, EntryKind.RELEASE, EntryKind.REFUND]
            ),
        )
    ).all()
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for at, kind, amount, direction in entries:
        month = at.astimezone(zone).strftime("%Y-%m")
        sums[(month, direction)][kind] += amount
    rows: list[tuple[object, ...]] = []
    for (month, direction), by_kind in sorted(sums.items()):
        captured, refunded = by_kind[EntryKind.CAPTURE], by_kind[EntryKind.REFUND]
        rows.append(
            (
                month,
                direction,
                by_kind[EntryKind.HOLD],
                captured,
                by_kind[EntryKind.RELEASE],
                refunded,
                captured - refunded,
            )
        )
    return Report(
        "spending",
        ("month", "direction", "held", "captured", "released", "refunded", "spent"),
        rows,
        municipality.currency,
        money=frozenset({"held", "captured", "released", "refunded", "spent"}),
        translated=frozenset({"direction"}),
    )


def _period_enrollments(period: FundingPeriod, *columns: Any) -> Any:
    """The period's enrollments (only the columns asked for: whole rows cost 10× more)."""
    return (
        select(*columns)
        .select_from(Enrollment)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .where(
            Program.municipality_id == period.municipality_id,
            col(Enrollment.status).in_(ENROLLED),
            Enrollment.contract_starts_on >= period.starts_on,
            Enrollment.contract_starts_on <= period.ends_on,
        )
    )


def enrollments(session: Session, actor: Actor, period_id: int) -> Report:
    """Enrollments by direction and the child's age when the contract started."""
    period, municipality = _period(session, actor, period_id)
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    found = session.exec(
        _period_enrollments(
            period,
            Program.direction,
            Child.birth_date,
            Enrollment.contract_starts_on,
            Enrollment.account_id,
        )
    ).all()
    for direction, birth_date, starts_on, account_id in found:
        key = (direction, age_on(birth_date, starts_on))
        counts[key][0] += 1
        counts[key][1] += 1 if account_id is not None else 0
    rows: list[tuple[object, ...]] = [
        (direction, age, total, funded)
        for (direction, age), (total, funded) in sorted(counts.items())
    ]
    return Report(
        "enrollments",
        ("direction", "age", "enrollments", "funded"),
        rows,
        municipality.currency,
        translated=frozenset({"direction"}),
    )


def _enrolled_children(session: Session, period: FundingPeriod) -> set[int]:
    return set(session.exec(_period_enrollments(period, Child.id).distinct()).all())


def take_up(session: Session, actor: Actor, period_id: int) -> Report:
    """Children registered, with a certificate, with a funded account, with an enrollment."""
    period, municipality = _period(session, actor, period_id)
    children = session.exec(
        select(Child.id, Child.category).where(Child.municipality_id == period.municipality_id)
    ).all()
    certified = set(
        session.exec(
            select(Certificate.child_id)
            .join(Child, col(Child.id) == Certificate.child_id)
            .where(Child.municipality_id == period.municipality_id)
        ).all()
    )
    funded = set(
        session.exec(
            select(Certificate.child_id)
            .join(CertificateAccount, col(CertificateAccount.certificate_id) == Certificate.id)
            .where(CertificateAccount.period_id == period.id)
        ).all()
    )
    enrolled = _enrolled_children(session, period)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for child_id, category in children:
        line = by_category[category]
        line[0] += 1
        line[1] += child_id in certified
        line[2] += child_id in funded
        line[3] += child_id in enrolled
    rows: list[tuple[object, ...]] = [
        (category, *line) for category, line in sorted(by_category.items())
    ]
    return Report(
        "take_up",
        ("category", "children", "with_certificate", "with_funded_account", "with_enrollment"),
        rows,
        municipality.currency,
        translated=frozenset({"category"}),
    )


def not_enrolled(session: Session, actor: Actor, period_id: int) -> Report:
    """Children with a certificate but no enrollment this period, by district, for outreach."""
    period, municipality = _period(session, actor, period_id)
    enrolled = _enrolled_children(session, period)
    funded = set(
        session.exec(
            select(Certificate.child_id)
            .join(CertificateAccount, col(CertificateAccount.certificate_id) == Certificate.id)
            .where(CertificateAccount.period_id == period.id)
        ).all()
    )
    children = session.exec(
        select(Child.id, Child.district)
        .join(Certificate, col(Certificate.child_id) == Child.id)
        .where(Child.municipality_id == period.municipality_id)
    ).all()
    by_district: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for child_id, district in children:
        line = by_district[(district or "").strip()]
        line[0] += 1
        if child_id not in enrolled:
            line[1] += 1
            line[2] += child_id in funded
    rows: list[tuple[object, ...]] = [
        (district, *line)
        for district, line in sorted(by_district.items(), key=lambda item: (-item[1][1], item[0]))
    ]
    return Report(
        "not_enrolled",
        ("district", "with_certificate", "not_enrolled", "not_enrolled_funded"),
        rows,
        municipality.currency,
    )


def top_providers(session: Session, actor: Actor, period_id: int) -> Report:
    """Providers by money spent (captures less refunds), with their open holds."""
    period, municipality = _period(session, actor, period_id)
    sums = session.exec(
        select(  # type: ignore[call-overload]
            Provider.id,
            Provider.name,
            LedgerEntry.kind,
            func.sum(LedgerEntry.amount_minor),
            func.count(func.distinct(LedgerEntry.enrollment_id)),
        )
        .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
        .join(Enrollment, col(Enrollment.id) == LedgerEntry.enrollment_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .where(CertificateAccount.period_id == period.id)
        .group_by(col(Provider.id), col(Provider.name), col(LedgerEntry.kind))
    ).all()
    totals: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for provider_id, name, kind, amount, enrollment_count in sums:
        line = totals[(provider_id, name)]
        line[kind] += int(amount)
        if kind == EntryKind.HOLD:
            line["enrollments"] = int(enrollment_count)
    keyed: list[tuple[int, tuple[object, ...]]] = []
    for (provider_id, name), line in totals.items():
        spent = line[EntryKind.CAPTURE] - line[EntryKind.REFUND]
        open_holds = line[EntryKind.HOLD] - line[EntryKind.CAPTURE] - line[EntryKind.RELEASE]
        keyed.append((provider_id, (name, line["enrollments"], open_holds, spent)))
    keyed.sort(key=lambda item: (-int(item[1][3]), -int(item[1][2]), str(item[1][0])))  # type: ignore[call-overload]
    return Report(
        "providers",
        ("provider", "funded_enrollments", "committed", "spent"),
        [row for _id, row in keyed],
        municipality.currency,
        money=frozenset({"committed", "spent"}),
        row_keys=[provider_id for provider_id, _row in keyed],  # namesakes stay apart
    )


def disputes_by_provider(session: Session, actor: Actor, period_id: int) -> Report:
    """Disputes of the period's lesson charges per provider (a quality signal): how many,
    how many per 100 lessons the provider charged in the period, and how they ended.

    Every provider that charged a lesson in the period has a row, with no dispute too: a
    clean record is the signal as much as a bad one. A lesson charged is a lesson (one
    attendance mark) the period's certificate money was captured for at least once,
    counted once: a correction that takes its charge back and charges it again is the
    same lesson, and a charge given back (by a correction or by the dispute itself) still
    counts, since every dispute is of such a charge and giving money back must not raise
    the provider's rate. A dispute belongs to the period of the certificate account its
    charge was taken from. Rows are the providers' (by id: two of the same name stay two).
    """
    period, municipality = _period(session, actor, period_id)
    charged = session.exec(
        select(  # type: ignore[call-overload]
            Program.provider_id,
            Provider.name,
            func.count(func.distinct(LedgerEntry.attendance_id)),
        )
        .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
        .join(Enrollment, col(Enrollment.id) == LedgerEntry.enrollment_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .where(CertificateAccount.period_id == period.id, LedgerEntry.kind == EntryKind.CAPTURE)
        .group_by(col(Program.provider_id), col(Provider.name))
    ).all()
    names: dict[int, str] = {}
    lessons: dict[int, int] = {}
    for provider_id, name, count in charged:
        names[provider_id], lessons[provider_id] = name, int(count)
    disputes = session.exec(
        select(Dispute.provider_id, Provider.name, Dispute.status, Dispute.refunded_minor)
        .join(Provider, col(Provider.id) == Dispute.provider_id)
        .join(LedgerEntry, col(LedgerEntry.id) == Dispute.ledger_entry_id)
        .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
        .where(CertificateAccount.period_id == period.id)
    ).all()
    counts: dict[int, list[int]] = {provider_id: [0, 0, 0, 0, 0] for provider_id in names}
    for provider_id, name, status, refunded_minor in disputes:
        names[provider_id] = name
        line = counts.setdefault(provider_id, [0, 0, 0, 0, 0])
        line[0] += 1
        line[1] += status in UNDECIDED
        line[2] += status in REFUNDED
        line[3] += status == DisputeStatus.REJECTED
        line[4] += int(refunded_minor)
    lines = []
    for provider_id, (opened, undecided, refunded, kept, refunded_minor) in counts.items():
        lessons_charged = lessons.get(provider_id, 0)
        rate = round(100 * opened / lessons_charged, 2) if lessons_charged else 0.0
        lines.append(
            (
                provider_id,
                names[provider_id],
                lessons_charged,
                opened,
                rate,
                undecided,
                refunded,
                kept,
                refunded_minor,
            )
        )
    # the highest rate first; among equals, more disputes, then more lessons charged
    lines.sort(key=lambda line: (-line[4], -line[3], -line[2], line[1], line[0]))
    return Report(
        "disputes",
        (
            "provider",
            "lessons_charged",
            "disputes",
            "disputes_per_100_lessons",
            "disputes_undecided",
            "disputes_refunded",
            "disputes_kept",
            "refunded",
        ),
        [line[1:] for line in lines],
        municipality.currency,
        money=frozenset({"refunded"}),
        row_keys=[line[0] for line in lines],
    )
