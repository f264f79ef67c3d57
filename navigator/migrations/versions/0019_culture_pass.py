"""culture pass: years, schools and their wallets, coordinators and the operator, rosters,
services, sessions and class bookings (money held from the first click)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 10:33:54.897085
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "culture_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("per_pupil_minor", sa.BigInteger(), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("cancel_days", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_culture_year_status"),
        sa.CheckConstraint("cancel_days >= 0", name="ck_culture_year_cancel_days"),
        sa.CheckConstraint(
            "per_pupil_minor > 0 AND cap_minor >= per_pupil_minor", name="ck_culture_year_money"
        ),
        sa.CheckConstraint("window_end >= window_start", name="ck_culture_year_window"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year"),
    )
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("municipality", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "coordinator_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("replaces_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replaces_user_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("coordinator_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coordinator_invitation_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "culture_operator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "pupil",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("register_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "register_id", name="uq_pupil_register"),
    )
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pupil_school_id"), ["school_id"], unique=False)

    op.create_table(
        "school_coordinator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "user_id", name="uq_school_coordinator"),
    )
    with op.batch_alter_table("school_coordinator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_school_coordinator_school_id"), ["school_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_school_coordinator_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "school_wallet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("allocated_minor", sa.BigInteger(), nullable=False),
        sa.Column("held_minor", sa.BigInteger(), nullable=False),
        sa.Column("charged_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("expired_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "allocated_minor + refunded_minor - charged_minor - held_minor - expired_minor >= 0",
            name="ck_school_wallet_balance",
        ),
        sa.CheckConstraint(
            "allocated_minor >= 0 AND held_minor >= 0 AND charged_minor >= 0 AND refunded_minor >= 0 AND expired_minor >= 0 AND pupils >= 0",
            name="ck_school_wallet_nonnegative",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.ForeignKeyConstraint(
            ["year_id"],
            ["culture_year.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "year_id", name="uq_school_wallet_year"),
    )
    with op.batch_alter_table("school_wallet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_wallet_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_school_wallet_year_id"), ["year_id"], unique=False)

    op.create_table(
        "culture_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("art_form", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("grade_min", sa.Integer(), nullable=False),
        sa.Column("grade_max", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("price_per_pupil_minor", sa.BigInteger(), nullable=False),
        sa.Column("free_adults", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("approved_version", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "place IN ('on_site', 'at_school', 'online')", name="ck_culture_service_place"
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'rejected', 'suspended')",
            name="ck_culture_service_status",
        ),
        sa.CheckConstraint(
            "grade_min >= 1 AND grade_max <= 12 AND grade_min <= grade_max",
            name="ck_culture_service_grades",
        ),
        sa.CheckConstraint(
            "price_per_pupil_minor >= 0 AND price_per_pupil_minor % 10 = 0",
            name="ck_culture_service_price",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("culture_service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_culture_service_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "pupil_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=False),
        sa.Column("held_minor", sa.BigInteger(), nullable=False),
        sa.Column("charged_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "held_minor >= 0 AND charged_minor >= 0 AND held_minor + charged_minor <= cap_minor",
            name="ck_pupil_year_cap",
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupil.id"],
        ),
        sa.ForeignKeyConstraint(
            ["year_id"],
            ["culture_year.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pupil_id", "year_id", name="uq_pupil_year"),
    )
    with op.batch_alter_table("pupil_year", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pupil_year_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pupil_year_year_id"), ["year_id"], unique=False)

    op.create_table(
        "culture_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity > 0 AND booked >= 0 AND booked <= capacity",
            name="ck_culture_session_capacity",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["culture_service.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("culture_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_culture_session_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "culture_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("class_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("price_per_pupil_minor", sa.BigInteger(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("request_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("booked_by", sa.Integer(), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('reserved', 'confirmed', 'delivered', 'declined', 'cancelled', 'expired')",
            name="ck_culture_booking_status",
        ),
        sa.CheckConstraint("adults >= 0 AND pupils > 0", name="ck_culture_booking_people"),
        sa.ForeignKeyConstraint(
            ["booked_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["culture_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["school_wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_key"),
    )
    with op.batch_alter_table("culture_booking", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_culture_booking_school_id"), ["school_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_culture_booking_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_culture_booking_wallet_id"), ["wallet_id"], unique=False
        )

    op.create_table(
        "booking_pupil",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("pupil_year_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.CheckConstraint(
            "status IN ('held', 'charged', 'released')", name="ck_booking_pupil_status"
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["culture_booking.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupil.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pupil_year_id"],
            ["pupil_year.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("booking_id", "pupil_id", name="uq_booking_pupil"),
    )
    with op.batch_alter_table("booking_pupil", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_pupil_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_pupil_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_booking_pupil_pupil_year_id"), ["pupil_year_id"], unique=False
        )

    op.create_table(
        "wallet_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('allocation', 'adjust_up', 'adjust_down', 'hold', 'release', 'charge', 'refund', 'expiry')",
            name="ck_wallet_entry_kind",
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_wallet_entry_amount"),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["culture_booking.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["school_wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("wallet_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_entry_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wallet_entry_wallet_id"), ["wallet_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wallet_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_entry_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_entry_booking_id"))

    op.drop_table("wallet_entry")
    with op.batch_alter_table("booking_pupil", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_pupil_pupil_year_id"))
        batch_op.drop_index(batch_op.f("ix_booking_pupil_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_booking_pupil_booking_id"))

    op.drop_table("booking_pupil")
    with op.batch_alter_table("culture_booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_culture_booking_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_culture_booking_session_id"))
        batch_op.drop_index(batch_op.f("ix_culture_booking_school_id"))

    op.drop_table("culture_booking")
    with op.batch_alter_table("culture_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_culture_session_service_id"))

    op.drop_table("culture_session")
    with op.batch_alter_table("pupil_year", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pupil_year_year_id"))
        batch_op.drop_index(batch_op.f("ix_pupil_year_pupil_id"))

    op.drop_table("pupil_year")
    with op.batch_alter_table("culture_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_culture_service_provider_id"))

    op.drop_table("culture_service")
    with op.batch_alter_table("school_wallet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_wallet_year_id"))
        batch_op.drop_index(batch_op.f("ix_school_wallet_school_id"))

    op.drop_table("school_wallet")
    with op.batch_alter_table("school_coordinator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_coordinator_user_id"))
        batch_op.drop_index(batch_op.f("ix_school_coordinator_school_id"))

    op.drop_table("school_coordinator")
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pupil_school_id"))

    op.drop_table("pupil")
    op.drop_table("culture_operator")
    with op.batch_alter_table("coordinator_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinator_invitation_school_id"))

    op.drop_table("coordinator_invitation")
    op.drop_table("school")
    op.drop_table("culture_year")
