"""Column types every table uses, and the tables every concept writes to: the
audit log, notifications, outgoing mail and the catalog outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, hands back aware datetimes on SQLite as well as PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: Iterable[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def timestamp_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


class Language(StrEnum):
    RU = "ru"
    LT = "lt"
    EN = "en"


class Notification(SQLModel, table=True):
    """What a user is told: every move of their child's certificate money, among others."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = timestamp_field()
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # set once the notification went into a letter (at once or in a digest), or was settled
    # as never mailed: the mark that makes one mail per event and person (notifications)
    mailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class OutgoingMail(SQLModel, table=True):
    """Mail written in the transaction that causes it, delivered after the commit."""

    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254, index=True)  # "do letters to me arrive?"
    subject: str = Field(max_length=200)
    body: str
    created_at: datetime = timestamp_field()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # delivery bookkeeping (shared.mail): the letter's one Message-ID, made when it is queued,
    # so a letter sent again after a crash is recognisably the same letter; the HTML part and
    # extra headers (List-Unsubscribe); what the letter is about, unique, so one event never
    # queues two letters; a sender's claim (until when, and whose); attempts and backoff;
    # when the sender gave up (the server refused the address for good, or days of retries)
    message_id: str = Field(default="", max_length=200)
    html: str = ""
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    dedup_key: str | None = Field(default=None, max_length=120, unique=True)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str = Field(default="", max_length=40)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    given_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """A municipality's decision: who, when, what, why, and the state it acted on.

    Admissions, certification decisions (with the program as certified, for the next diff),
    funding periods, budgets, nominal values and policy changes. Rows are never changed.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=40)
    subject: str = Field(max_length=20)  # provider, program, period, policy
    subject_id: int | None = None
    reason: str = Field(default="", max_length=500)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = timestamp_field(index=True)


class CatalogChange(SQLModel, table=True):
    """One program (or every program and culture service of one provider), or one culture
    service, whose search document is stale."""

    __tablename__ = "catalog_outbox"

    id: int | None = Field(
        default=None,
        # BIGINT on PostgreSQL; SQLite autoincrements only an INTEGER primary key
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    program_id: int | None = Field(default=None, index=True)
    provider_id: int | None = Field(default=None, index=True)
    culture_service_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
