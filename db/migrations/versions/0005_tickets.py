"""tickets: the ledger (台账), contacts, departments, the routing table, monthly reports

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('departments',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('duty', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments'))
    )
    op.create_table('routing_rules',
    sa.Column('category', sa.String(length=48), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('lead_kind', sa.String(length=16), nullable=False),
    sa.Column('lead_unit_id', sa.String(length=64), nullable=True),
    sa.Column('co_handlers', sa.JSON(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('category', name=op.f('pk_routing_rules'))
    )
    op.create_table('ticket_contacts',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'external_ref', name=op.f('pk_ticket_contacts'))
    )
    op.create_table('ticket_monthly_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('intake', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('avg_handling_seconds', sa.BigInteger(), nullable=True),
    sa.Column('satisfaction_percent', sa.Float(), nullable=True),
    sa.Column('intake_last_year', sa.Integer(), nullable=False),
    sa.Column('yoy_change_percent', sa.Float(), nullable=True),
    sa.Column('yoy_target_met', sa.Boolean(), nullable=True),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_monthly_reports')),
    sa.UniqueConstraint('month', 'dimension', 'key', name='uq_ticket_monthly_reports_line')
    )
    with op.batch_alter_table('ticket_monthly_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_monthly_reports_month'), ['month'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=48), nullable=False),
    sa.Column('category_label', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('estate_id', sa.String(length=64), nullable=False),
    sa.Column('street_id', sa.String(length=64), nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('company_id', sa.String(length=64), nullable=True),
    sa.Column('lead_unit_kind', sa.String(length=16), nullable=True),
    sa.Column('lead_unit_id', sa.String(length=64), nullable=True),
    sa.Column('lead_unit_name', sa.String(length=200), nullable=True),
    sa.Column('unit_ids', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('card', sa.String(length=8), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('returned', sa.Boolean(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('whistles', sa.Integer(), nullable=False),
    sa.Column('unsatisfied', sa.Integer(), nullable=False),
    sa.Column('supervised', sa.Boolean(), nullable=False),
    sa.Column('closure', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('channel', 'external_ref', name='uq_tickets_channel_external_ref')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_tickets_company_created', ['company_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)
        batch_op.create_index('ix_tickets_street_created', ['street_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_street_created')
        batch_op.drop_index(batch_op.f('ix_tickets_status'))
        batch_op.drop_index(batch_op.f('ix_tickets_lead_unit_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_estate_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_created_at'))
        batch_op.drop_index('ix_tickets_company_created')
        batch_op.drop_index(batch_op.f('ix_tickets_community_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_closed_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_category'))

    op.drop_table('tickets')
    with op.batch_alter_table('ticket_monthly_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_monthly_reports_month'))

    op.drop_table('ticket_monthly_reports')
    op.drop_table('ticket_contacts')
    op.drop_table('routing_rules')
    op.drop_table('departments')
