"""Importing a provider's programs from CSV (UTF-8, header row).

Each good row lands; each bad row is reported with its line number and reason and
changes nothing (a savepoint per row); importing again updates by `external_id` instead
of duplicating. A price of 0 marks a budget-funded free program.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_provider_staff, is_operator
from navigator.domain.enrollment.waitlist import promote_waitlist
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import (
    ProgramFields,
    check_group_end,
    check_not_archived,
    clean_program,
    group_terms,
)
from navigator.domain.programs.certification import certify_imported
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import chunks, get_row
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.money import parse_amount
from navigator.domain.shared.validation import check_text, parse_coordinate

COLUMNS = (
    "external_id",
    "title",
    "description",
    "direction",
    "age_min",
    "age_max",
    "language",
    "format",
    "address",
    "lat",
    "lng",
    "price_per_lesson",
    "lessons_per_week",
    "start_date",
    "end_date",
    "seats",
    "weekdays",
)


OPTIONAL_COLUMNS = ("start_time", "end_time")  # without them the hours are "to be agreed"


IMPORTED_GROUP = "1"


MAX_ROWS = 100_000


@dataclass
class RowError:
    line: int
    error: DomainError


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _integer(value: str, name: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput("must_be_whole_number", field=name) from None


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("date_invalid", field=name) from None


def _weekdays(value: str) -> list[int]:
    """'1 3 5', '1,3,5' or '1;3;5' (ISO: 1 is Monday)."""
    days = []
    for part in value.replace(";", " ").replace(",", " ").split():
        if not part.isdecimal() or not 1 <= int(part) <= 7:
            raise InvalidInput("timetable_weekday")
        days.append(int(part))
    if not days:
        raise InvalidInput("timetable_empty")
    return days


def _import_row(
    session: Session,
    provider: Provider,
    currency: str,
    row: dict[str, str],
    certified: bool,
    today: date,
) -> bool:
    """True when the row created a program, False when it updated one."""
    external_id = check_text(row["external_id"], "external_id", max_length=100)
    price = parse_amount(row["price_per_lesson"], currency)
    values = clean_program(
        ProgramFields(
            title=row["title"],
            description=row["description"],
            direction=row["direction"].strip(),
            age_min=_integer(row["age_min"], "age_min"),
            age_max=_integer(row["age_max"], "age_max"),
            language=row["language"].strip(),
            format=row["format"].strip() or "in_person",
            address=row["address"],
            latitude=parse_coordinate(row["lat"]),
            longitude=parse_coordinate(row["lng"]),
            is_free=price == 0,
            external_id=external_id,
        )
    )
    weekdays = _weekdays(row["weekdays"])
    if _integer(row["lessons_per_week"], "lessons_per_week") != len(weekdays):
        raise InvalidInput("import_lessons_per_week", weekdays=len(weekdays))
    hours = [(row.get(column) or "").strip() for column in OPTIONAL_COLUMNS]
    program_id = session.exec(
        select(Program.id).where(
            Program.provider_id == provider.id, Program.external_id == external_id
        )
    ).first()
    created = program_id is None
    group: Group | None = None
    if program_id is None:
        program = Program(
            provider_id=provider.id or 0, municipality_id=provider.municipality_id, **values
        )
    else:
        # the group before its program (LOCK_ORDER), both before anything is read for a change
        group_id = session.exec(
            select(Group.id).where(Group.program_id == program_id, Group.name == IMPORTED_GROUP)
        ).first()
        group = locked(session, Group, group_id) if group_id is not None else None
        found = locked(session, Program, program_id)
        assert found is not None
        program = found
        check_not_archived(program)
    before = (program.terms(), group.terms() if group is not None else None)
    for name, value in values.items():
        setattr(program, name, value)
    terms = group_terms(
        program,
        name=IMPORTED_GROUP,
        timetable=[{"weekday": d, "start": hours[0], "end": hours[1]} for d in weekdays],
        starts_on=_date(row["start_date"], "start_date"),
        ends_on=_date(row["end_date"], "end_date"),
        seats=_integer(row["seats"], "seats"),
        price_per_lesson_minor=price,
    )
    # a group that has run and ended may come again as it is; no group gets a past end
    check_group_end(
        terms["ends_on"],
        today,
        current=group.ends_on if group is not None else None,
        field="end_date",
    )
    if group is not None and terms["seats"] < group.seats_taken:
        raise InvalidInput("import_seats_below_taken", taken=group.seats_taken)
    session.add(program)
    session.flush()
    seats_before = group.seats if group is not None else None
    group = group or Group(program_id=program.id or 0, **terms)
    for name, value in terms.items():
        setattr(group, name, value)
    session.add(group)
    session.flush()
    if seats_before is not None and group.seats > seats_before:
        promote_waitlist(session, group)  # new seats go to the waiting list first
    if not created and (program.terms(), group.terms()) != before:
        # a CSV update is an edit like any other: a certified program goes back to review
        program.updated_at = utcnow()
        if program.certification_status == CertificationStatus.CERTIFIED:
            program.certification_status = CertificationStatus.SUBMITTED
        session.add(program)
    if certified:
        certify_imported(session, program, group)
    session.flush()
    return created


def _lock_updated_rows(session: Session, provider_id: int, rows: list[dict[str, Any]]) -> None:
    """Every group and program the file updates, locked up front in LOCK_ORDER (groups, then
    programs, each by id): rows in file order would lock them interleaved."""
    external_ids = sorted(
        {r["external_id"].strip() for r in rows if isinstance(r.get("external_id"), str)}
    )
    program_ids: list[int | None] = []
    for chunk in chunks(external_ids):
        program_ids += session.exec(
            select(Program.id).where(
                Program.provider_id == provider_id, col(Program.external_id).in_(chunk)
            )
        ).all()
    group_ids: list[int | None] = []
    for chunk in chunks(sorted(i for i in program_ids if i is not None)):
        group_ids += session.exec(
            select(Group.id).where(col(Group.program_id).in_(chunk), Group.name == IMPORTED_GROUP)
        ).all()
    for chunk in chunks(sorted(i for i in group_ids if i is not None)):
        locked_rows(
            session, Group, select(Group).where(col(Group.id).in_(chunk)).order_by(col(Group.id))
        )
    for chunk in chunks(sorted(i for i in program_ids if i is not None)):
        locked_rows(
            session,
            Program,
            select(Program).where(col(Program.id).in_(chunk)).order_by(col(Program.id)),
        )


def import_programs(
    session: Session,
    actor: Actor,
    provider_id: int,
    content: str,
    *,
    certified: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import CSV text for one provider; `certified` is for the operator alone. `today` is
    the municipality's local date unless the caller has its own clock (tests)."""
    provider = get_row(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    check_provider_staff(session, actor, provider_id)
    if certified and not is_operator(session, actor):
        raise NotFound()
    municipality = get_row(session, Municipality, provider.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    reader = csv.DictReader(io.StringIO(content.removeprefix("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("import_columns_missing", columns=", ".join(missing))
    rows = list(itertools.islice(reader, MAX_ROWS + 1))
    _lock_updated_rows(session, provider_id, rows)
    report = ImportReport()
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        if line - 1 > MAX_ROWS:
            report.errors.append(RowError(line, InvalidInput("import_too_many_rows", max=MAX_ROWS)))
            break
        if None in row or any(value is None for value in row.values()):
            report.errors.append(RowError(line, InvalidInput("import_row_shape")))
            continue
        # one row per program: a second would overwrite the first's group, and its locks
        # were not taken in order up front
        external_id = (row.get("external_id") or "").strip()
        if external_id and external_id in seen:
            duplicate = InvalidInput("import_duplicate_row", external_id=external_id[:100])
            report.errors.append(RowError(line, duplicate))
            continue
        seen.add(external_id)
        try:
            with session.begin_nested():
                created = _import_row(
                    session, provider, municipality.currency, row, certified, today
                )
        except DomainError as error:
            report.errors.append(RowError(line, error))
            continue
        report.created += created
        report.updated += not created
    return report
