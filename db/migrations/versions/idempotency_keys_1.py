"""used idempotency keys: each key bound to the request it was first used for

Revision ID: idempotency_keys_1
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'idempotency_keys_1'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'used_idempotency_keys',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('actor_subject', sa.String(length=64), nullable=False),
        sa.Column('route', sa.String(length=200), nullable=False),
        sa.Column('target', sa.String(length=300), nullable=False),
        sa.Column('decision', sa.String(length=64), nullable=True),
        sa.Column('body_sha256', sa.String(length=64), nullable=False),
        sa.Column('response', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_used_idempotency_keys')),
    )


def downgrade() -> None:
    op.drop_table('used_idempotency_keys')
