"""owner identities: which registry owner (owner key) a signed-in subject is

Revision ID: owner_identities_1
Revises: users_status_1
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "owner_identities_1"
down_revision = "users_status_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owner_identities",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("owner_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_owner_identities")),
    )
    op.create_index(op.f("ix_owner_identities_owner_key"), "owner_identities", ["owner_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_owner_identities_owner_key"), table_name="owner_identities")
    op.drop_table("owner_identities")
