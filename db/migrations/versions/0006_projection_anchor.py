"""projection anchor: where a case's stored snapshot stands in its workflow's run; update ids on audit entries

Revision ID: 0006_projection_anchor
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_projection_anchor'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before this revision get 0s: their workflow's next projection finds no
    # predecessor there and re-checks the case once (domain.projection), which fills them in.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history_length', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('events_through', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('events_written', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('update_id', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('update_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('events_written')
        batch_op.drop_column('events_through')
        batch_op.drop_column('history_length')
