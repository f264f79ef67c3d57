"""Programs and their groups: what the catalog lists and a certificate may pay for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Connection,
    Engine,
    Index,
    Insert,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from navigator.domain.shared import outbox
from navigator.domain.shared.models import Language, UTCDateTime, one_of, timestamp_field
from search.words import document_words

# What certification is about: a program's content and, per group, what a certificate pays.
CERTIFIED_PROGRAM_FIELDS = (
    "title",
    "description",
    "direction",
    "age_min",
    "age_max",
    "format",
    "language",
    "address",
    "tags",
    "is_free",
)
# The photo is certified content too: else a provider could swap it for anything once
# certified. It stays out of CERTIFIED_PROGRAM_FIELDS, from which migration 0014 and the demo
# seed stamp versions; a version certified before photos were reviewed has no photo and
# shows the program's own until the photo changes (photos.py then keeps that one).
CERTIFIED_PHOTO = "photo"
CERTIFIED_GROUP_FIELDS = (
    "starts_on",
    "ends_on",
    "timetable",
    "excluded_dates",
    "price_per_lesson_minor",
)


class Direction(StrEnum):
    TECHNICAL = "technical"
    NATURAL_SCIENCE = "natural_science"
    PHYSICAL_SPORTS = "physical_sports"
    ARTISTIC = "artistic"
    TOURISM_LOCAL_HISTORY = "tourism_local_history"
    SOCIAL_HUMANITARIAN = "social_humanitarian"


class ProgramFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    MIXED = "mixed"


class CertificationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CERTIFIED = "certified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ProgramListing(StrEnum):
    """The provider's own switch, apart from certification: listed, paused, or put away."""

    LISTED = "listed"
    SUSPENDED = "suspended"  # hidden from the catalog; contracts already made run on
    ARCHIVED = "archived"  # hidden and read-only; only once no child is enrolled


class Program(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(one_of("direction", Direction), name="ck_program_direction"),
        CheckConstraint(one_of("format", ProgramFormat), name="ck_program_format"),
        CheckConstraint(one_of("language", Language), name="ck_program_language"),
        CheckConstraint(
            one_of("certification_status", CertificationStatus), name="ck_program_cert"
        ),
        CheckConstraint(one_of("listing", ProgramListing), name="ck_program_listing"),
        CheckConstraint(
            "age_min >= 0 AND age_min <= age_max AND age_max <= 18", name="ck_program_ages"
        ),
        UniqueConstraint("provider_id", "external_id", name="uq_program_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    external_id: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    direction: str = Field(max_length=30)
    age_min: int
    age_max: int
    format: str = Field(default=ProgramFormat.IN_PERSON, max_length=20)
    language: str = Field(max_length=5)
    address: str = Field(default="", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    tags: str = Field(default="", max_length=500)
    photo: str = Field(default="", max_length=60)  # a file under var/media/programs
    certification_status: str = Field(default=CertificationStatus.DRAFT, max_length=20)
    listing: str = Field(default=ProgramListing.LISTED, max_length=10)
    is_free: bool = False
    # The version the municipality last certified (CERTIFIED_PROGRAM_FIELDS); while a change
    # waits for review, the catalog shows this one and applications are made on it.
    certified_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    certified_version: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()

    def terms(self) -> dict[str, Any]:
        """The program's content as it is now, in the shape certification keeps it."""
        terms = {name: getattr(self, name) for name in CERTIFIED_PROGRAM_FIELDS}
        terms[CERTIFIED_PHOTO] = self.photo
        return terms

    @property
    def shown(self) -> dict[str, Any]:
        """What the catalog shows: the certified version, or the current content of a free
        program that was never certified (free programs need no certification to be listed).
        A version certified before photos were reviewed shows the program's photo as it is."""
        if not self.certified_version:
            return self.terms()
        return {CERTIFIED_PHOTO: self.photo, **self.certified_version}

    @property
    def payable_by_certificate(self) -> bool:
        return (
            self.certified_version is not None
            and not self.certified_version.get("is_free")
            and self.certification_status != CertificationStatus.SUSPENDED
        )

    def takes_applications(self, group: Group) -> bool:
        """Only on terms the municipality certified: a new or changed group of a certified
        program waits for review; a free program never certified has only free groups."""
        if self.certified_version is None:
            return self.is_free and group.price_per_lesson_minor == 0
        return group.certified


class Group(SQLModel, table=True):
    """A group of a program: timetable, dates, seats and the price of one lesson."""

    __tablename__ = "program_group"
    __table_args__ = (
        CheckConstraint("seats > 0", name="ck_group_seats"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="ck_group_seats_taken"),
        CheckConstraint("price_per_lesson_minor >= 0", name="ck_group_price"),
        CheckConstraint("ends_on >= starts_on", name="ck_group_dates"),
        Index("uq_group_external", "program_id", "external_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    external_id: str | None = Field(default=None, max_length=100)  # the provider's own id
    name: str = Field(max_length=100)
    teacher: str = Field(default="", max_length=200)
    # [{"weekday": 1..7 (ISO), "start": "HH:MM", "end": "HH:MM"}]
    timetable: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    excluded_dates: list[str] = Field(default_factory=list, sa_type=JSON)
    starts_on: date
    ends_on: date
    seats: int
    seats_taken: int = 0
    price_per_lesson_minor: int = Field(sa_type=BigInteger)
    enrollment_open: bool = True
    # CERTIFIED_GROUP_FIELDS as the municipality last certified them; None until then
    certified_terms: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    created_at: datetime = timestamp_field()

    def terms(self) -> dict[str, Any]:
        """What a certificate pays for in this group, in the shape certification keeps it."""
        return {
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "timetable": [
                {"weekday": int(s["weekday"]), "start": str(s["start"]), "end": str(s["end"])}
                for s in self.timetable
            ],
            "excluded_dates": sorted(str(d) for d in self.excluded_dates),
            "price_per_lesson_minor": int(self.price_per_lesson_minor),
        }

    @property
    def certified(self) -> bool:
        return self.certified_terms is not None and self.certified_terms == self.terms()

    def as_certified(self) -> Group:
        """The group on the terms the municipality certified (a copy, never saved): the dates
        a certificate pays lessons on. A group never certified (a free program's) as it is."""
        terms = self.certified_terms
        if not terms:
            return self
        return Group(
            id=self.id,
            program_id=self.program_id,
            name=self.name,
            starts_on=date.fromisoformat(terms["starts_on"]),
            ends_on=date.fromisoformat(terms["ends_on"]),
            timetable=list(terms["timetable"]),
            excluded_dates=list(terms["excluded_dates"]),
            seats=self.seats,
            seats_taken=self.seats_taken,
            price_per_lesson_minor=int(terms["price_per_lesson_minor"]),
            certified_terms=terms,
        )


# the catalog shows programs and their groups: every change reaches the search index
outbox.publishes(
    Program, lambda p, _new: {"program_id": p.id, "provider_id": None} if p.id else None
)
outbox.publishes(
    Group,
    lambda g, _new: {"program_id": g.program_id, "provider_id": None} if g.program_id else None,
)


class ProgramWords(SQLModel, table=True):
    """A catalog program's words as search keys (search/words.py), for the SQL fallback:
    what the catalog shows (the certified version), written with every change to it.
    Migration 0021 puts a full-text index over them (SQLite FTS5, PostgreSQL GIN)."""

    __tablename__ = "program_words"

    program_id: int = Field(foreign_key="program.id", primary_key=True)
    title: str = Field(default="", sa_type=Text)
    body: str = Field(default="", sa_type=Text)  # tags and description


# a change to any of these may change what the catalog shows, so the words are written again
_WORDS_SOURCES = ("title", "description", "tags", "certified_version", "is_free")


def program_words(program: Program) -> dict[str, Any]:
    shown = program.shown
    return {
        "program_id": program.id,
        "title": document_words(shown["title"]),
        "body": document_words(shown["tags"], shown["description"]),
    }


def _write_words(connection: Connection, programs: list[Program]) -> None:
    table = ProgramWords.__table__  # type: ignore[attr-defined]
    ids = [p.id for p in programs]
    connection.execute(delete(table).where(table.c.program_id.in_(ids)))
    if programs:
        connection.execute(insert(table), [program_words(p) for p in programs])


@event.listens_for(Program, "after_insert")
def _words_of_new_program(_mapper: Mapper[Any], connection: Connection, program: Program) -> None:
    _write_words(connection, [program])


@event.listens_for(Program, "after_update")
def _words_of_changed_program(
    _mapper: Mapper[Any], connection: Connection, program: Program
) -> None:
    state = sa_inspect(program)
    if any(state.attrs[name].history.has_changes() for name in _WORDS_SOURCES):
        _write_words(connection, [program])


@event.listens_for(Program, "before_delete")
def _words_of_deleted_program(
    _mapper: Mapper[Any], connection: Connection, program: Program
) -> None:
    table = ProgramWords.__table__  # type: ignore[attr-defined]
    connection.execute(delete(table).where(table.c.program_id == program.id))


def refresh_program_words(connection: Connection, program_ids: list[int] | None = None) -> int:
    """Write the words of these programs (every program: None), as the ORM hooks above do;
    for existing databases and tests. Plain columns: no ORM session inside someone's flush."""
    table = Program.__table__  # type: ignore[attr-defined]
    names = ("id", *CERTIFIED_PROGRAM_FIELDS, "photo", "certified_version")
    columns = [table.c[name] for name in names]
    written, last = 0, 0
    while True:
        statement = select(*columns).where(table.c.id > last)
        if program_ids is not None:
            statement = statement.where(table.c.id.in_(program_ids))
        rows = connection.execute(statement.order_by(table.c.id).limit(2_000)).all()
        if not rows:
            return written
        # transient programs, only read for what they show
        programs = [Program(**row._asdict()) for row in rows]
        _write_words(connection, programs)
        written += len(programs)
        last = rows[-1].id


@event.listens_for(Engine, "after_execute")
def _words_of_bulk_programs(
    connection: Connection,
    statement: Any,
    _multiparams: Any,
    _params: Any,
    _options: Any,
    _result: Any,
) -> None:
    """Programs inserted without the ORM (the bulk seed) get their words too: ids only grow,
    so they are the programs past the last one with words. (The ORM's own inserts find
    nothing here once their hook ran, or are written again by it: the same words.)"""
    if not (isinstance(statement, Insert) and statement.table.name == "program"):
        return
    words = ProgramWords.__table__  # type: ignore[attr-defined]
    table = Program.__table__  # type: ignore[attr-defined]
    newest = select(func.coalesce(func.max(words.c.program_id), 0)).scalar_subquery()
    ids = list(connection.execute(select(table.c.id).where(table.c.id > newest)).scalars())
    if ids:
        refresh_program_words(connection, ids)
        for written in NEW_PROGRAM_HOOKS:
            written(connection, ids)


# What else a bulk insert of programs must write (catalog_rows.py adds the catalog's rows; it
# imports this module, so it registers itself here rather than this module importing it).
NEW_PROGRAM_HOOKS: list[Callable[[Connection, list[int]], object]] = []
