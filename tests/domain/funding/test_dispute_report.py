"""Disputes per provider is one of the municipality's reports for a period: the raw counts,
the rate per 100 lessons the provider charged in the period, and how they ended, for every
provider that charged a lesson (by id, whatever the name); it equals the disputes and
lessons in the database and exports like the others."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlmodel import col, select

from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.disputes.api import accept_dispute, open_dispute
from navigator.domain.disputes.models import Dispute
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import correct_attendance, mark_attendance
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.funding import reports
from navigator.domain.programs.models import Group, Program
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.exports import to_csv, to_xlsx
from tests.domain.cabinet import _second_provider
from tests.domain.disputes.world import build_charged, charge_lesson, noon


def _dispute(c, entry_id, lesson):
    with c.world.tx() as s:
        return open_dispute(s, c.world.parent, entry_id, now=noon(lesson + timedelta(days=1))).id


def _from_the_database(engine, period_id):
    """Disputes of the period's charges and the lessons charged from the period's accounts
    (distinct marks with a capture), per provider, counted row by row; the providers' names."""
    with read_session(engine) as s:
        accounts = set(
            s.exec(
                select(CertificateAccount.id).where(CertificateAccount.period_id == period_id)
            ).all()
        )

        def provider_of(enrollment_id):
            group = s.get(Group, s.get(Enrollment, enrollment_id).group_id)
            return s.get(Program, group.program_id).provider_id

        disputes = Counter()
        for dispute in s.exec(select(Dispute).where(col(Dispute.ledger_entry_id).is_not(None))):
            if s.get(LedgerEntry, dispute.ledger_entry_id).account_id in accounts:
                disputes[dispute.provider_id] += 1
        marks = defaultdict(set)
        for entry in s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.CAPTURE)):
            if entry.account_id in accounts:
                marks[provider_of(entry.enrollment_id)].add(entry.attendance_id)
        lessons = {provider_id: len(ids) for provider_id, ids in marks.items()}
        names = {p.id: p.name for p in s.exec(select(Provider))}
    return disputes, lessons, names


def _rows_by_provider(report):
    """The report's rows by the provider each is keyed by."""
    assert len(report.row_keys) == len(report.rows) == len(set(report.row_keys))
    return dict(zip(report.row_keys, report.rows, strict=True))


def _equals_the_database(engine, report, period_id):
    """Each provider's row holds its lessons charged, disputes and rate as counted row by
    row, and every provider that charged a lesson or was disputed has one."""
    disputes, lessons, names = _from_the_database(engine, period_id)
    rows = _rows_by_provider(report)
    assert set(rows) == set(lessons) | set(disputes)
    for provider_id, row in rows.items():
        charged, opened = lessons.get(provider_id, 0), disputes[provider_id]
        rate = round(100 * opened / charged, 2) if charged else 0.0
        assert row[:4] == (names[provider_id], charged, opened, rate)


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
    counted, lessons_charged, _names = _from_the_database(engine, c.world.period_id)
    assert counted == {c.world.provider_id: 2} and lessons_charged == {c.world.provider_id: 3}
    _equals_the_database(engine, report, c.world.period_id)
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


def _charged_elsewhere(c, name):
    """A second provider of the town, named `name`, that charged one lesson of a child of
    its own: (its id, the parent, the capture's id, the lesson)."""
    staff, program_id, group_id = _second_provider(c.world, name)
    parent, child_id, _certificate, _account = c.world.add_parent_with_child()
    enrollment_id = c.world.apply(child_id=child_id, group_id=group_id, parent=parent)
    with c.world.tx() as s:
        accept_application(s, staff, enrollment_id, today=c.world.today)
    with read_session(c.world.engine) as s:
        lesson = lesson_dates(s.get(Group, group_id))[0]
        provider_id = s.get(Program, program_id).provider_id
    with c.world.tx() as s:
        mark_attendance(s, staff, enrollment_id, lesson, "present", today=lesson)
    with read_session(c.world.engine) as s:
        entry_id = s.exec(
            select(LedgerEntry.id).where(
                LedgerEntry.enrollment_id == enrollment_id, LedgerEntry.kind == EntryKind.CAPTURE
            )
        ).one()
    return provider_id, parent, entry_id, lesson


def test_a_provider_that_charged_lessons_without_a_dispute_has_a_row_with_none(engine):
    c = build_charged(engine)  # one lesson charged, never disputed
    charge_lesson(c.world, c.enrollment_id, c.lessons[1])
    disputed, parent, entry_id, lesson = _charged_elsewhere(c, "Студия рисунка")
    with c.world.tx() as s:
        open_dispute(s, parent, entry_id, now=noon(lesson + timedelta(days=1)))

    with read_session(engine) as s:
        report = reports.build(s, c.admin, "disputes", c.world.period_id)
    rows = _rows_by_provider(report)
    assert rows[c.world.provider_id] == ("Дом творчества", 2, 0, 0.0, 0, 0, 0, 0)
    assert rows[disputed][:4] == ("Студия рисунка", 1, 1, 100.0)
    assert report.row_keys == [disputed, c.world.provider_id]  # the highest rate first
    _equals_the_database(engine, report, c.world.period_id)


def test_a_lesson_corrected_away_and_charged_again_is_one_lesson_charged(engine):
    """A lesson charged is a mark the period's money was captured for at least once:
    counted once however often a correction took its charge back and charged it again,
    and still counted when a correction or the dispute itself gave the charge back."""
    c = build_charged(engine)
    first = c.lessons[0]

    def correct(lesson, status):
        with c.world.tx() as s:
            correct_attendance(
                s,
                c.world.provider_user,
                c.enrollment_id,
                lesson,
                status,
                "marked by mistake",
                today=lesson + timedelta(days=1),
            )

    correct(first, "absent")  # the charge comes back to the certificate...
    correct(first, "present")  # ...and is taken again: two captures of one lesson
    disputed = charge_lesson(c.world, c.enrollment_id, c.lessons[1])
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, _dispute(c, disputed, c.lessons[1]))
    charge_lesson(c.world, c.enrollment_id, c.lessons[2])
    correct(c.lessons[2], "excused")  # charged, then given back by a correction
    with read_session(engine) as s:
        captures = s.exec(
            select(LedgerEntry.id).where(
                LedgerEntry.enrollment_id == c.enrollment_id,
                LedgerEntry.kind == EntryKind.CAPTURE,
            )
        ).all()
        report = reports.build(s, c.admin, "disputes", c.world.period_id)
        disputed_charge = s.get(LedgerEntry, disputed).amount_minor
    assert len(captures) == 4
    ((_name, lessons, disputes, rate, undecided, refunded, kept, refunded_minor),) = report.rows
    assert (lessons, disputes, rate) == (3, 1, 33.33)
    assert (undecided, refunded, kept, refunded_minor) == (0, 1, 0, disputed_charge)
    _equals_the_database(engine, report, c.world.period_id)


def test_two_providers_of_the_same_name_stay_two_rows(engine):
    c = build_charged(engine)
    _dispute(c, c.entry_id, c.lessons[0])
    namesake, _parent, _entry, _lesson = _charged_elsewhere(c, "Дом творчества")
    with read_session(engine) as s:
        report = reports.build(s, c.admin, "disputes", c.world.period_id)
    rows = _rows_by_provider(report)
    assert set(rows) == {c.world.provider_id, namesake}
    assert rows[c.world.provider_id][:4] == ("Дом творчества", 1, 1, 100.0)
    assert rows[namesake][:4] == ("Дом творчества", 1, 0, 0.0)
    _equals_the_database(engine, report, c.world.period_id)
