"""fund notice shares: each household's share as the public notice published it, frozen at its start

Revision ID: fund_notice_shares_1
Revises: fund_top_up_notice_1
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fund_notice_shares_1"
down_revision = "fund_top_up_notice_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund_notice_shares",
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("notice_no", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(length=64), sa.ForeignKey("households.id"), nullable=False),
        sa.Column("share_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "notice_no", "household_id"),
    )


def downgrade() -> None:
    op.drop_table("fund_notice_shares")
