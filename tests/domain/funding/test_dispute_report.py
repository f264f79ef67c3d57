"""Disputes per provider is one of the municipality's reports for a period: the raw counts,
the rate per 100 lessons the provider charged in the period, and how they ended; it equals
the disputes in the database and exports like the others."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import col, select

from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.disputes.api import accept_dispute, open_dispute
from navigator.domain.disputes.models import Dispute
from navigator.domain.funding import reports
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.exports import to_csv, to_xlsx
from tests.domain.disputes.world import build_charged, charge_lesson, noon


def _dispute(c, entry_id, lesson):
    with c.world.tx() as s:
        return open_dispute(s, c.world.parent, entry_id, now=noon(lesson + timedelta(days=1))).id


def _from_the_database(engine, period_id):
    """Disputes of the period's charges and the period's captures, per provider, counted
    row by row."""
    with read_session(engine) as s:
        accounts = set(
            s.exec(
                select(CertificateAccount.id).where(CertificateAccount.period_id == period_id)
            ).all()
        )
        disputes = Counter()
        for dispute in s.exec(select(Dispute).where(col(Dispute.ledger_entry_id).is_not(None))):
            if s.get(LedgerEntry, dispute.ledger_entry_id).account_id in accounts:
                disputes[dispute.provider_id] += 1
        captures = len(
            [
                e
                for e in s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.CAPTURE))
                if e.account_id in accounts
            ]
        )
    return disputes, captures


def test_the_dispute_report_equals_the_disputes_in_the_database_with_a_rate(engine):
    c = build_charged(engine)
    second = charge_lesson(c.world, c.enrollment_id, c.lessons[1])
    charge_lesson(c.world, c.enrollment_id, c.lessons[2])
    refunded = _dispute(c, c.entry_id, c.lessons[0])
    _dispute(c, second, c.lessons[1])  # left open
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, refunded)
    elsewhere = build_charged(engine)  # another municipality's dispute is not in this report
    _dispute(elsewhere, elsewhere.entry_id, elsewhere.lessons[0])

    with read_session(engine) as s:
        report = reports.build(s, c.admin, "disputes", c.world.period_id)
    assert "disputes" in reports.REPORTS and report.name == "disputes"
    assert report.columns == (
        "provider",
        "lessons_charged",
        "disputes",
        "disputes_per_100_lessons",
        "disputes_undecided",
        "disputes_refunded",
        "disputes_kept",
        "refunded",
    )
    counted, captures = _from_the_database(engine, c.world.period_id)
    assert counted == {c.world.provider_id: 2} and captures == 3
    ((name, lessons, disputes, rate, undecided, refunded_count, kept, refunded_minor),) = (
        report.rows
    )
    assert (lessons, disputes, undecided, refunded_count, kept) == (3, 2, 1, 1, 0)
    assert rate == round(100 * 2 / 3, 2) and refunded_minor == c.charge
    assert sum(int(row[2]) for row in report.rows) == sum(counted.values())
    # it exports as the other reports do (the page renders and downloads them generically)
    money_at = {i for i, column in enumerate(report.columns) if column in report.money}
    assert money_at == {7}
    rows = [list(row) for row in report.rows]
    exported = to_csv(list(report.columns), rows, money_at, report.currency)
    assert "66.67" in exported and name in exported
    assert to_xlsx("disputes", list(report.columns), rows, money_at, report.currency)


def test_the_dispute_report_is_only_the_municipalitys_own(engine):
    c = build_charged(engine)
    other = build_charged(engine)
    with pytest.raises(NotFound), read_session(engine) as s:
        reports.build(s, other.admin, "disputes", c.world.period_id)
