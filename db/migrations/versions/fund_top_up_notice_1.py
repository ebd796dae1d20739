"""fund top-up notice: the period a payment leaves an account owing, and the day its notice was received

Revision ID: fund_top_up_notice_1
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fund_top_up_notice_1"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fund_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("top_up_period_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("top_up_noticed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fund_accounts", schema=None) as batch_op:
        batch_op.drop_column("top_up_noticed_on")
        batch_op.drop_column("top_up_period_days")
