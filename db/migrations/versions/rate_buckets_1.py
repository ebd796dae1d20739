"""rate buckets: the rate limits' token buckets in the database, shared by every API process

Revision ID: rate_buckets_1
Revises: idempotency_keys_1
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'rate_buckets_1'
down_revision = 'idempotency_keys_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_buckets',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('tokens', sa.Float(), nullable=False),
        sa.Column('at', sa.Float(), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_buckets')),
    )
    op.create_index(op.f('ix_rate_buckets_at'), 'rate_buckets', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_rate_buckets_at'), table_name='rate_buckets')
    op.drop_table('rate_buckets')
