"""fund report: the baselines the reports measure targets against

Revision ID: fund_report_1
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fund_report_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_baselines",
        sa.Column("report", sa.String(length=48), nullable=False),
        sa.Column("working_days", sa.String(length=16), nullable=False),
        sa.Column("calendar_hours", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("report", name=op.f("pk_report_baselines")),
    )


def downgrade() -> None:
    op.drop_table("report_baselines")
