"""Organisations that teach, and their people's keys and invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
)
from sqlmodel import Field, SQLModel

from navigator.domain.shared import outbox
from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field


class ProviderKind(StrEnum):
    MUNICIPAL = "municipal"
    PRIVATE = "private"
    INDIVIDUAL = "individual"


class Provider(SQLModel, table=True):
    __table_args__ = (CheckConstraint(one_of("kind", ProviderKind), name="ck_provider_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    licence_number: str = Field(default="", max_length=60)
    admitted: bool = False
    admitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    admission_note: str = Field(default="", max_length=500)  # why admission was refused
    created_at: datetime = timestamp_field()


class ApiKey(SQLModel, table=True):
    """A provider's key for its own e-journal system: shown once, stored as a SHA-256."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    created_by_id: int = Field(foreign_key="app_user.id")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffInvitation(SQLModel, table=True):
    """An owner's invitation to join the provider: the link's token is kept only as a hash."""

    __tablename__ = "staff_invitation"
    __table_args__ = (
        CheckConstraint("role IN ('provider_owner', 'provider_staff')", name="ck_invitation_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    email: str = Field(max_length=254)
    role: str = Field(max_length=30)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# a provider's name and admission show on every card of its programs
outbox.publishes(
    Provider,
    lambda p, new: None if new or p.id is None else {"program_id": None, "provider_id": p.id},
)
