"""registry import: dry runs of spreadsheet imports; masked personal data and arrears on owner records; expert and company profiles

Revision ID: registry_import_1
Revises: election_representatives_1, 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "registry_import_1"
down_revision = ("election_representatives_1", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_imports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("plan_digest", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_by", sa.String(length=64), nullable=True),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_imports")),
    )
    op.create_index(op.f("ix_registry_imports_kind"), "registry_imports", ["kind"], unique=False)
    with op.batch_alter_table("owner_records") as batch:
        batch.add_column(sa.Column("id_number_masked", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("phone_masked", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("fund_arrears_fen", sa.BigInteger(), server_default="0", nullable=False))
        batch.add_column(sa.Column("arrears_as_of", sa.Date(), nullable=True))
        batch.add_column(sa.Column("arrears_source", sa.String(length=200), nullable=True))
    with op.batch_alter_table("experts") as batch:
        batch.add_column(sa.Column("years_of_practice", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("title", sa.String(length=100), nullable=True))
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("contact_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("contact_phone_masked", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("contact_phone_masked")
        batch.drop_column("contact_name")
    with op.batch_alter_table("experts") as batch:
        batch.drop_column("title")
        batch.drop_column("years_of_practice")
    with op.batch_alter_table("owner_records") as batch:
        batch.drop_column("arrears_source")
        batch.drop_column("arrears_as_of")
        batch.drop_column("fund_arrears_fen")
        batch.drop_column("phone_masked")
        batch.drop_column("id_number_masked")
    op.drop_index(op.f("ix_registry_imports_kind"), table_name="registry_imports")
    op.drop_table("registry_imports")
