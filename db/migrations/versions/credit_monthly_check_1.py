"""credit monthly check: each street's monthly check of each company, its score for the quarter's average

Revision ID: credit_monthly_check_1
Revises: credit_process_1
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit_monthly_check_1"
down_revision = "credit_process_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_check_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("street_id", sa.String(length=64), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Numeric(5, 2), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_credit_check_results_street_id_streets")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_credit_check_results_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_check_results")),
        sa.UniqueConstraint("case_id", name="uq_credit_check_results_case_id"),
    )
    with op.batch_alter_table("credit_check_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_check_results_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_results_street_id"), ["street_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_results_company_id"), ["company_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credit_check_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_check_results_company_id"))
        batch_op.drop_index(batch_op.f("ix_credit_check_results_street_id"))
        batch_op.drop_index(batch_op.f("ix_credit_check_results_month"))
    op.drop_table("credit_check_results")
