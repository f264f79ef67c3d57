"""A school's roster: its classes and pupils, kept by its coordinators (imported from CSV or
edited one by one). Pupils are personal data: only this school's coordinators read them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import check_coordinator
from navigator.domain.culture.models import Pupil
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import DomainError, InvalidInput, NotFound
from navigator.domain.shared.validation import check_text

ROSTER_COLUMNS = ("class", "first_name", "last_name", "register_id")
# a grade of general education (1–12) and the class's letter: 5B, 12A, 1Ž
CLASS_NAME = re.compile(r"(?:[1-9]|1[0-2])[A-Za-zА-Яа-яЁёĄČĘĖĮŠŲŪŽąčęėįšųūž]{1,3}")
REGISTER_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
MAX_ROSTER_ROWS = 3_000


@dataclass(frozen=True)
class PupilFields:
    class_name: str
    first_name: str
    last_name: str
    register_id: str


def clean_pupil(fields: PupilFields) -> PupilFields:
    class_name = check_text(fields.class_name, "class", max_length=20).replace(" ", "")
    if not CLASS_NAME.fullmatch(class_name):
        raise InvalidInput("class_name_invalid", field="class")
    register_id = check_text(fields.register_id, "register_id", max_length=40)
    if not REGISTER_ID.fullmatch(register_id):
        raise InvalidInput("field_not_allowed", field="register_id", allowed="A-Z, 0-9, -")
    return PupilFields(
        class_name=class_name.upper(),
        first_name=check_text(fields.first_name, "first_name", max_length=100),
        last_name=check_text(fields.last_name, "last_name", max_length=100),
        register_id=register_id,
    )


def grade_of(class_name: str) -> int:
    """'5B' → 5: the grade a service's grades are compared with."""
    digits = re.match(r"[0-9]+", class_name)
    return int(digits.group(0)) if digits else 0


def save_pupil(session: Session, actor: Actor, school_id: int, fields: PupilFields) -> Pupil:
    """Add a pupil, or update the one with this register id."""
    check_coordinator(session, actor, school_id)
    return _upsert(session, school_id, clean_pupil(fields))[0]


def _upsert(session: Session, school_id: int, fields: PupilFields) -> tuple[Pupil, bool]:
    pupil = session.exec(
        select(Pupil).where(Pupil.school_id == school_id, Pupil.register_id == fields.register_id)
    ).first()
    added = pupil is None
    if pupil is None:
        pupil = Pupil(
            school_id=school_id,
            register_id=fields.register_id,
            class_name="",
            first_name="",
            last_name="",
        )
    pupil.class_name, pupil.first_name, pupil.last_name = (
        fields.class_name,
        fields.first_name,
        fields.last_name,
    )
    pupil.active = True
    session.add(pupil)
    session.flush()
    return pupil, added


def set_pupil_active(
    session: Session, actor: Actor, school_id: int, pupil_id: int, active: bool
) -> Pupil:
    """A pupil who left stays in the year's records and is booked no more."""
    check_coordinator(session, actor, school_id)
    pupil = get_row(session, Pupil, pupil_id)
    if pupil is None or pupil.school_id != school_id:
        raise NotFound()
    pupil.active = active is True
    session.add(pupil)
    return pupil


@dataclass
class RosterImport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


def import_roster(session: Session, actor: Actor, school_id: int, content: str) -> RosterImport:
    """The roster from CSV (class, first_name, last_name, register_id): each good row adds or
    updates a pupil by register id; a bad row (no class, a register id twice…) is reported by
    its line and saves nothing."""
    check_coordinator(session, actor, school_id)
    if not isinstance(content, str):
        raise InvalidInput("import_columns_missing", columns=", ".join(ROSTER_COLUMNS))
    reader = csv.DictReader(io.StringIO(content.removeprefix("\ufeff")))
    missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("import_columns_missing", columns=", ".join(missing))
    report = RosterImport()
    seen: set[str] = set()
    for number, row in enumerate(reader, start=1):
        line = reader.line_num  # the file's line: blank lines are skipped, not counted
        if number > MAX_ROSTER_ROWS:
            report.errors.append((line, InvalidInput("import_too_many_rows", max=MAX_ROSTER_ROWS)))
            break
        try:
            if None in row or any(value is None for value in row.values()):
                raise InvalidInput("import_row_shape")
            fields = clean_pupil(
                PupilFields(
                    class_name=row["class"] or "",
                    first_name=row["first_name"] or "",
                    last_name=row["last_name"] or "",
                    register_id=row["register_id"] or "",
                )
            )
            if fields.register_id in seen:
                raise InvalidInput("import_duplicate_row", external_id=fields.register_id)
            seen.add(fields.register_id)
            with session.begin_nested():
                _pupil, added = _upsert(session, school_id, fields)
        except DomainError as error:
            report.errors.append((line, error))
            continue
        report.added += added
        report.updated += not added
    return report


def roster_of(session: Session, actor: Actor, school_id: int) -> list[Pupil]:
    """The school's pupils by class and name (the coordinators' own screen)."""
    check_coordinator(session, actor, school_id)
    return list(
        session.exec(
            select(Pupil)
            .where(Pupil.school_id == school_id)
            .order_by(col(Pupil.class_name), col(Pupil.last_name), col(Pupil.first_name))
        ).all()
    )


def register_ids(session: Session, actor: Actor, school_id: int) -> dict[int, str]:
    """Each pupil's register id, for the coordinators' roster screen."""
    check_coordinator(session, actor, school_id)
    return {
        pupil_id: register_id
        for pupil_id, register_id in session.exec(
            select(Pupil.id, Pupil.register_id).where(Pupil.school_id == school_id)
        ).all()
        if pupil_id is not None
    }
