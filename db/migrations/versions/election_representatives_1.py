"""owner records: the authorised natural person who represents an institutional owner (潍坊 Art. 34)

Revision ID: election_representatives_1
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "election_representatives_1"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("owner_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("representative_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("authorisation_ref", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("owner_records", schema=None) as batch_op:
        batch_op.drop_column("authorisation_ref")
        batch_op.drop_column("representative_name")
