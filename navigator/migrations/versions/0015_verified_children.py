"""verified children: verification requests, registry rows, the child's identifier digest

Children who already hold a certificate were issued it under the earlier rules; they are
taken as verified on the day it was issued, without an identifier until their next change.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import navigator.domain.models

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Moment = navigator.domain.models.UTCDateTime


def upgrade() -> None:
    # plain ADD COLUMN and an index: a batch copy of `child` fails once rows point at it
    op.add_column("child", sa.Column("national_id_digest", String(length=64), nullable=True))
    op.add_column(
        "child", sa.Column("national_id_hint", String(length=8), nullable=False, server_default="")
    )
    op.add_column("child", sa.Column("verified_at", Moment(timezone=True), nullable=True))
    op.create_index("uq_child_national_id_digest", "child", ["national_id_digest"], unique=True)
    op.execute(
        "UPDATE child SET verified_at = (SELECT issued_at FROM certificate"
        " WHERE certificate.child_id = child.id)"
        " WHERE EXISTS (SELECT 1 FROM certificate WHERE certificate.child_id = child.id)"
    )
    op.create_table(
        "verification_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("kind", String(length=10), nullable=False),
        sa.Column("status", String(length=10), nullable=False),
        sa.Column("first_name", String(length=100), nullable=False),
        sa.Column("last_name", String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("national_id_digest", String(length=64), nullable=False),
        sa.Column("national_id_hint", String(length=8), nullable=False),
        sa.Column("category", String(length=20), nullable=False),
        sa.Column("registry_note", String(length=40), nullable=False),
        sa.Column("reason", String(length=500), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", Moment(timezone=True), nullable=True),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('identity', 'category')", name="ck_request_kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'withdrawn')", name="ck_request_status"
        ),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["guardian_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("verification_request", schema=None) as batch_op:
        batch_op.create_index("ix_request_queue", ["municipality_id", "status", "created_at"])
        batch_op.create_index(batch_op.f("ix_verification_request_child_id"), ["child_id"])
        batch_op.create_index(
            batch_op.f("ix_verification_request_national_id_digest"), ["national_id_digest"]
        )
    op.create_table(
        "registry_child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("national_id_digest", String(length=64), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("category", String(length=20), nullable=False),
        sa.Column("guardian_email", String(length=254), nullable=False),
        sa.Column("imported_at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id", "national_id_digest", name="uq_registry_child"),
    )
    with op.batch_alter_table("registry_child", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_child_municipality_id"), ["municipality_id"])


def downgrade() -> None:
    with op.batch_alter_table("registry_child", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_child_municipality_id"))
    op.drop_table("registry_child")
    with op.batch_alter_table("verification_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_request_national_id_digest"))
        batch_op.drop_index(batch_op.f("ix_verification_request_child_id"))
        batch_op.drop_index("ix_request_queue")
    op.drop_table("verification_request")
    op.drop_index("uq_child_national_id_digest", table_name="child")
    if op.get_bind().dialect.name == "sqlite":
        for column in ("verified_at", "national_id_hint", "national_id_digest"):
            op.execute(f"ALTER TABLE child DROP COLUMN {column}")
        return
    op.drop_column("child", "verified_at")
    op.drop_column("child", "national_id_hint")
    op.drop_column("child", "national_id_digest")
