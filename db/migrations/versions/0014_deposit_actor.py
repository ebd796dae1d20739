"""deposit actor: who recorded a deposit on the fund ledger (fund_ledger.recorded_by)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fund_ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('fund_ledger', schema=None) as batch_op:
        batch_op.drop_column('recorded_by')
