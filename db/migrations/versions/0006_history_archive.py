"""history archive: every closed workflow run's history, and the default store's objects

Revision ID: history_archive_1
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "history_archive_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archived_histories",
        sa.Column("workflow_id", sa.String(length=256), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("workflow_type", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("store", sa.String(length=16), nullable=False),
        sa.Column("object_key", sa.String(length=600), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "run_id", name=op.f("pk_archived_histories")),
    )
    with op.batch_alter_table("archived_histories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archived_histories_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_archived_histories_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_archived_histories_workflow_type"), ["workflow_type"], unique=False)
    op.create_table(
        "archive_objects",
        sa.Column("key", sa.String(length=600), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_archive_objects")),
    )


def downgrade() -> None:
    op.drop_table("archive_objects")
    with op.batch_alter_table("archived_histories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archived_histories_workflow_type"))
        batch_op.drop_index(batch_op.f("ix_archived_histories_kind"))
        batch_op.drop_index(batch_op.f("ix_archived_histories_closed_at"))
    op.drop_table("archived_histories")
