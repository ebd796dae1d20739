"""tenders: expert pool, expert relationships, tender bids

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("employer_company_id", sa.String(length=64), nullable=True),
        sa.Column("specialty", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["employer_company_id"], ["companies.id"], name=op.f("fk_experts_employer_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experts")),
    )
    op.create_table(
        "expert_relationships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("relation", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_expert_relationships_company_id_companies")),
        sa.ForeignKeyConstraint(["expert_id"], ["experts.id"], name=op.f("fk_expert_relationships_expert_id_experts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_relationships")),
        sa.UniqueConstraint("expert_id", "company_id", name="uq_expert_relationships_expert_company"),
    )
    op.create_index(op.f("ix_expert_relationships_company_id"), "expert_relationships", ["company_id"], unique=False)
    op.create_index(op.f("ix_expert_relationships_expert_id"), "expert_relationships", ["expert_id"], unique=False)
    op.create_table(
        "tender_bids",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("price_fen_per_m2", sa.Integer(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("average_score", sa.String(length=16), nullable=True),
        sa.Column("awarded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_tender_bids_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_bids")),
        sa.UniqueConstraint("case_id", "round", "company_id", name="uq_tender_bids_case_round_company"),
    )
    op.create_index(op.f("ix_tender_bids_case_id"), "tender_bids", ["case_id"], unique=False)
    op.create_index(op.f("ix_tender_bids_company_id"), "tender_bids", ["company_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tender_bids_company_id"), table_name="tender_bids")
    op.drop_index(op.f("ix_tender_bids_case_id"), table_name="tender_bids")
    op.drop_table("tender_bids")
    op.drop_index(op.f("ix_expert_relationships_expert_id"), table_name="expert_relationships")
    op.drop_index(op.f("ix_expert_relationships_company_id"), table_name="expert_relationships")
    op.drop_table("expert_relationships")
    op.drop_table("experts")
