"""A person's choice of how notifications reach them by mail, and the warnings already given
that a certificate's unspent money is about to expire."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field


class MailMode(StrEnum):
    INSTANT = "instant"  # a letter for each event, at once
    DIGEST = "digest"  # everything once a day
    REQUIRED = "required"  # only what the law requires: money movements, in the daily digest


class NotificationPreference(SQLModel, table=True):
    """Absent means the default: a letter for each event."""

    __tablename__ = "notification_preference"
    __table_args__ = (CheckConstraint(one_of("mode", MailMode), name="ck_preference_mode"),)

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    mode: str = Field(default=MailMode.INSTANT, max_length=10)
    # set by the one-click unsubscribe in a digest (or the form): no more digests
    digests_stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the key the unsubscribe links of this person's letters are signed with
    signing_key: str = Field(max_length=64)
    updated_at: datetime = timestamp_field()


class ExpiryWarning(SQLModel, table=True):
    """One warning per certificate account and period end: the key makes it once."""

    __tablename__ = "expiry_warning"

    account_id: int = Field(foreign_key="certificate_account.id", primary_key=True)
    warned_at: datetime = timestamp_field()
