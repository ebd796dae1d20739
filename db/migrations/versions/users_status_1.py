"""users status: a subject can be deactivated (its valid tokens refused); a deactivated subject needs no profile

Revision ID: users_status_1
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "users_status_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite changes a column's nullability by copying the table.
    with op.batch_alter_table("users") as batch:
        batch.alter_column("name", existing_type=sa.String(length=100), nullable=True)
        batch.alter_column("roles", existing_type=sa.JSON(), nullable=True)
        batch.alter_column("level", existing_type=sa.String(length=16), nullable=True)
        batch.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("status_changed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("status_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM users WHERE name IS NULL OR roles IS NULL OR level IS NULL"))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("status_reason")
        batch.drop_column("status_changed_by")
        batch.drop_column("status_changed_at")
        batch.drop_column("active")
        batch.alter_column("level", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("roles", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("name", existing_type=sa.String(length=100), nullable=False)
