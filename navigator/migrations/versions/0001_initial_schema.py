"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 20:53:00.472824
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "municipality",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(currency) = 3", name="ck_municipality_currency"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('base', 'disability', 'large_family')", name="ck_child_category"
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_guardian_id"), ["guardian_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_child_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "funding_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("budget_minor", sa.BigInteger(), nullable=False),
        sa.Column("max_funded_certificates", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("credited_minor", sa.BigInteger(), nullable=False),
        sa.Column("funded_certificates", sa.Integer(), nullable=False),
        sa.Column("closed_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="ck_period_status"),
        sa.CheckConstraint("budget_minor > 0", name="ck_period_budget"),
        sa.CheckConstraint(
            "credited_minor >= 0 AND credited_minor <= budget_minor", name="ck_period_credited"
        ),
        sa.CheckConstraint("ends_on > starts_on", name="ck_period_dates"),
        sa.CheckConstraint(
            "funded_certificates >= 0 AND funded_certificates <= max_funded_certificates",
            name="ck_period_funded",
        ),
        sa.CheckConstraint("max_funded_certificates > 0", name="ck_period_cap"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("funding_period", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funding_period_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "municipality_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("max_funded_enrollments", sa.Integer(), nullable=False),
        sa.Column("absence_charge", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("prorate_late_start", sa.Boolean(), nullable=False),
        sa.Column("attendance_correction_days", sa.Integer(), nullable=False),
        sa.CheckConstraint("absence_charge IN ('none', 'full')", name="ck_policy_absence"),
        sa.CheckConstraint("attendance_correction_days >= 0", name="ck_policy_correction"),
        sa.CheckConstraint("max_funded_enrollments >= 1", name="ck_policy_max_funded"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"], unique=False)

    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("licence_number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("admitted", sa.Boolean(), nullable=False),
        sa.Column("admitted_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('municipal', 'private', 'individual')", name="ck_provider_kind"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("issued_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('accounting', 'funded')", name="ck_certificate_status"),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("child_id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('parent', 'provider_owner', 'provider_staff', 'municipality_admin', 'school_coordinator', 'operator')",
            name="ck_membership_role",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "user_id", "role", "municipality_id", "provider_id", name="uq_membership"
        ),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_membership_user_id"), ["user_id"], unique=False)

    op.create_table(
        "nominal_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "category IN ('base', 'disability', 'large_family')", name="ck_nominal_category"
        ),
        sa.CheckConstraint("age_min >= 0 AND age_min <= age_max", name="ck_nominal_ages"),
        sa.CheckConstraint("amount_minor > 0", name="ck_nominal_amount"),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["funding_period.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("nominal_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nominal_rule_period_id"), ["period_id"], unique=False)

    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "certification_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        ),
        sa.Column("is_free", sa.Boolean(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "certification_status IN ('draft', 'submitted', 'certified', 'rejected', 'suspended')",
            name="ck_program_cert",
        ),
        sa.CheckConstraint(
            "direction IN ('technical', 'natural_science', 'physical_sports', 'artistic', 'tourism_local_history', 'social_humanitarian')",
            name="ck_program_direction",
        ),
        sa.CheckConstraint("format IN ('in_person', 'online', 'mixed')", name="ck_program_format"),
        sa.CheckConstraint("language IN ('ru', 'lt', 'en')", name="ck_program_language"),
        sa.CheckConstraint(
            "age_min >= 0 AND age_min <= age_max AND age_max <= 18", name="ck_program_ages"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "external_id", name="uq_program_external"),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "certificate_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("nominal_rule_id", sa.Integer(), nullable=True),
        sa.Column("credited_minor", sa.BigInteger(), nullable=False),
        sa.Column("held_minor", sa.BigInteger(), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("expired_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "credited_minor + refunded_minor - captured_minor - held_minor - expired_minor >= 0",
            name="ck_account_balance",
        ),
        sa.CheckConstraint(
            "credited_minor >= 0 AND held_minor >= 0 AND captured_minor >= 0 AND refunded_minor >= 0 AND expired_minor >= 0",
            name="ck_account_nonnegative",
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["nominal_rule_id"],
            ["nominal_rule.id"],
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["funding_period.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("certificate_id", "period_id", name="uq_account_period"),
    )
    with op.batch_alter_table("certificate_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_account_certificate_id"), ["certificate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certificate_account_period_id"), ["period_id"], unique=False
        )

    op.create_table(
        "program_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("teacher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("timetable", sa.JSON(), nullable=False),
        sa.Column("excluded_dates", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("price_per_lesson_minor", sa.BigInteger(), nullable=False),
        sa.Column("enrollment_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_group_dates"),
        sa.CheckConstraint("price_per_lesson_minor >= 0", name="ck_group_price"),
        sa.CheckConstraint("seats > 0", name="ck_group_seats"),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= seats", name="ck_group_seats_taken"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("program_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_group_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("funded", sa.Boolean(), nullable=False),
        sa.Column("contract_starts_on", sa.Date(), nullable=False),
        sa.Column("contract_lessons", sa.Integer(), nullable=False),
        sa.Column("funded_until", sa.Date(), nullable=True),
        sa.Column("funded_lessons", sa.Integer(), nullable=False),
        sa.Column("price_per_lesson_minor", sa.BigInteger(), nullable=False),
        sa.Column("contract_minor", sa.BigInteger(), nullable=False),
        sa.Column("certificate_share_minor", sa.BigInteger(), nullable=False),
        sa.Column("copayment_minor", sa.BigInteger(), nullable=False),
        sa.Column("held_minor", sa.BigInteger(), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("released_minor", sa.BigInteger(), nullable=False),
        sa.Column("lessons_charged", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("applied_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('applied', 'waitlisted', 'accepted', 'active', 'completed', 'cancelled', 'rejected')",
            name="ck_enrollment_status",
        ),
        sa.CheckConstraint(
            "certificate_share_minor >= 0 AND copayment_minor >= 0 AND certificate_share_minor + copayment_minor = contract_minor",
            name="ck_enrollment_breakdown",
        ),
        sa.CheckConstraint(
            "held_minor >= 0 AND captured_minor >= 0 AND released_minor >= 0 AND captured_minor + released_minor <= held_minor",
            name="ck_enrollment_hold",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["certificate_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["program_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollment_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollment_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            "uq_enrollment_live",
            ["child_id", "group_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('applied', 'waitlisted', 'accepted', 'active')"),
            postgresql_where=sa.text("status IN ('applied', 'waitlisted', 'accepted', 'active')"),
        )

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("lesson_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("charged_minor", sa.BigInteger(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('present', 'absent', 'excused')", name="ck_attendance_status"
        ),
        sa.CheckConstraint("charged_minor >= 0", name="ck_attendance_charged"),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enrollment_id", "lesson_date", name="uq_attendance_lesson"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_enrollment_id"), ["enrollment_id"], unique=False
        )

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", navigator.domain.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('credit', 'hold', 'capture', 'release', 'refund', 'expire')",
            name="ck_ledger_kind",
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_ledger_amount"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["certificate_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["attendance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_entry_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_entry_enrollment_id"), ["enrollment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_enrollment_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_account_id"))

    op.drop_table("ledger_entry")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_enrollment_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_enrollment_live",
            sqlite_where=sa.text("status IN ('applied', 'waitlisted', 'accepted', 'active')"),
            postgresql_where=sa.text("status IN ('applied', 'waitlisted', 'accepted', 'active')"),
        )
        batch_op.drop_index(batch_op.f("ix_enrollment_group_id"))
        batch_op.drop_index(batch_op.f("ix_enrollment_child_id"))
        batch_op.drop_index(batch_op.f("ix_enrollment_account_id"))

    op.drop_table("enrollment")
    with op.batch_alter_table("program_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_group_program_id"))

    op.drop_table("program_group")
    with op.batch_alter_table("certificate_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_account_period_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_account_certificate_id"))

    op.drop_table("certificate_account")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_provider_id"))
        batch_op.drop_index(batch_op.f("ix_program_municipality_id"))

    op.drop_table("program")
    with op.batch_alter_table("nominal_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominal_rule_period_id"))

    op.drop_table("nominal_rule")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_membership_provider_id"))

    op.drop_table("membership")
    op.drop_table("certificate")
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_municipality_id"))

    op.drop_table("provider")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))

    op.drop_table("notification")
    op.drop_table("municipality_policy")
    with op.batch_alter_table("funding_period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_period_municipality_id"))

    op.drop_table("funding_period")
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_child_guardian_id"))

    op.drop_table("child")
    op.drop_table("municipality")
    op.drop_table("app_user")
