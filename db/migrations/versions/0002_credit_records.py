"""credit records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:32:15.280379
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('credit_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_key', sa.String(length=200), nullable=False),
    sa.Column('company_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=48), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_credit_records_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_records')),
    sa.UniqueConstraint('record_key', name=op.f('uq_credit_records_record_key'))
    )
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_records_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_records_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_records_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_records_source'), ['source'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_records_source'))
        batch_op.drop_index(batch_op.f('ix_credit_records_company_id'))
        batch_op.drop_index(batch_op.f('ix_credit_records_case_id'))
        batch_op.drop_index(batch_op.f('ix_credit_records_at'))

    op.drop_table('credit_records')

