"""People: users, the roles they hold, their children, and their sign-in records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field


class Role(StrEnum):
    PARENT = "parent"
    PROVIDER_OWNER = "provider_owner"
    PROVIDER_STAFF = "provider_staff"
    MUNICIPALITY_ADMIN = "municipality_admin"
    SCHOOL_COORDINATOR = "school_coordinator"
    OPERATOR = "operator"


class ChildCategory(StrEnum):
    BASE = "base"
    DISABILITY = "disability"
    LARGE_FAMILY = "large_family"


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=300)
    full_name: str = Field(default="", max_length=200)
    locale: str = Field(default="ru", max_length=5)
    is_active: bool = True
    # set when the person opened the confirmation link mailed to the address: needed before
    # a certificate request or a provider's admission (accounts.confirmation)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # two-factor sign-in (accounts.two_factor): the base32 secret once turned on, the one
    # waiting for its first code, and the last 30-second step a code was accepted for
    totp_secret: str = Field(default="", max_length=64)
    totp_pending_secret: str = Field(default="", max_length=64)
    totp_last_step: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = timestamp_field()


class Membership(SQLModel, table=True):
    """A role a user holds, scoped to a municipality or a provider where the role needs one."""

    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="ck_membership_role"),
        UniqueConstraint("user_id", "role", "municipality_id", "provider_id", name="uq_membership"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    role: str = Field(max_length=30)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)


class Child(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(one_of("category", ChildCategory), name="ck_child_category"),
        # one verified child per identifier, whoever typed it in (an index, not a constraint:
        # SQLite adds it without copying a table other tables point at)
        Index("uq_child_national_id_digest", "national_id_digest", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    guardian_id: int = Field(foreign_key="app_user.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date
    category: str = Field(default=ChildCategory.BASE, max_length=20)
    district: str = Field(default="", max_length=100)  # where the family lives, for outreach
    # Set by the municipality's verification (or a registry match): the keyed digest of the
    # national identifier, unique, so one child has one certificate whoever enters it;
    # names, birth date and identifier are then changed only through verification.
    national_id_digest: str | None = Field(default=None, max_length=64)
    national_id_hint: str = Field(default="", max_length=8)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = timestamp_field()

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class LoginSession(SQLModel, table=True):
    """A signed-in browser. Only the token's SHA-256 is stored; the cookie holds the token."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in, counted per e-mail and per client address to slow down guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)  # SHA-256 of "email:..." or "ip:..."
    at: datetime = timestamp_field(index=True)


class ActionAttempt(SQLModel, table=True):
    """A sign-up or an invitation, counted per address, e-mail or inviter (accounts.throttle)."""

    __tablename__ = "action_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)  # SHA-256 of "action:what:subject"
    at: datetime = timestamp_field(index=True)


class RecoveryCode(SQLModel, table=True):
    """A single-use code for signing in without the authenticator app: its SHA-256 only."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginChallenge(SQLModel, table=True):
    """The second step of a two-factor sign-in: the password was right, a code is due."""

    __tablename__ = "login_challenge"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    failures: int = 0
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailConfirmation(SQLModel, table=True):
    """A link that confirms a user's e-mail address: its token's SHA-256, single use."""

    __tablename__ = "email_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    email: str = Field(max_length=254)  # the address it confirms, should the account change it
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PasswordReset(SQLModel, table=True):
    """A password-reset link: its token's SHA-256, single use, short-lived."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
