"""credit process: record types, evidence, recording unit, revocation; the quarterly assessment lines

Revision ID: credit_process_1
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit_process_1"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("recording_role", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("serious", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("joint", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.Text(), nullable=True))
    # The records written so far name their cause in ``source``, which is the record type's code.
    op.execute("UPDATE credit_records SET type = source WHERE type IS NULL")
    op.create_table(
        "credit_assessment_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("quarter", sa.String(length=8), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("grade", sa.String(length=4), nullable=False),
        sa.Column("line", sa.JSON(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("republished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_credit_assessment_lines_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_assessment_lines")),
        sa.UniqueConstraint("quarter", "company_id", name="uq_credit_assessment_lines_quarter_company"),
    )
    with op.batch_alter_table("credit_assessment_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_assessment_lines_quarter"), ["quarter"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_assessment_lines_company_id"), ["company_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credit_assessment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_assessment_lines_company_id"))
        batch_op.drop_index(batch_op.f("ix_credit_assessment_lines_quarter"))
    op.drop_table("credit_assessment_lines")
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        for column in ("revoked_reason", "revoked_at", "joint", "serious", "recorded_by", "recording_role", "evidence", "type"):
            batch_op.drop_column(column)
