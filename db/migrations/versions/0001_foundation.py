"""foundation: reference data, fund ledger, cases, inbox, audit log

Revision ID: 0001
Revises:
Create Date: 2026-11-27 23:11:26.237571
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('task_id', sa.String(length=64), nullable=True),
    sa.Column('actor_subject', sa.String(length=64), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('actor_organisation', sa.String(length=200), nullable=True),
    sa.Column('decision', sa.String(length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('case_id', 'seq', name='uq_audit_log_case_seq'),
    sa.UniqueConstraint('entry_key', name=op.f('uq_audit_log_entry_key'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_subject'), ['actor_subject'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_case_id'), ['case_id'], unique=False)

    op.create_table('case_sequences',
    sa.Column('prefix', sa.String(length=128), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', name=op.f('pk_case_sequences'))
    )
    op.create_table('cases',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('street_id', sa.String(length=64), nullable=True),
    sa.Column('community_id', sa.String(length=64), nullable=True),
    sa.Column('estate_id', sa.String(length=64), nullable=True),
    sa.Column('company_ids', sa.Text(), nullable=False),
    sa.Column('initiator_subject', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approval_seconds', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_initiator_subject'), ['initiator_subject'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_street_id'), ['street_id'], unique=False)

    op.create_table('companies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('credit_grade', sa.String(length=8), nullable=True),
    sa.Column('blacklisted', sa.Boolean(), nullable=False),
    sa.Column('business_licence', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies'))
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companies_kind'), ['kind'], unique=False)

    op.create_table('fund_payments',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('payee', sa.String(length=200), nullable=True),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_fund_payments'))
    )
    with op.batch_alter_table('fund_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_payments_case_id'), ['case_id'], unique=False)

    op.create_table('inbox',
    sa.Column('case_id', sa.String(length=128), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('case_title', sa.String(length=300), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('step_label', sa.String(length=100), nullable=False),
    sa.Column('street_id', sa.String(length=64), nullable=True),
    sa.Column('community_id', sa.String(length=64), nullable=True),
    sa.Column('estate_id', sa.String(length=64), nullable=True),
    sa.Column('company_id', sa.String(length=64), nullable=True),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('card', sa.String(length=8), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'task_id', 'role', name=op.f('pk_inbox'))
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_inbox_role_community', ['role', 'community_id'], unique=False)
        batch_op.create_index('ix_inbox_role_company', ['role', 'company_id'], unique=False)
        batch_op.create_index('ix_inbox_role_estate', ['role', 'estate_id'], unique=False)
        batch_op.create_index('ix_inbox_role_street', ['role', 'street_id'], unique=False)

    op.create_table('start_requests',
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=False),
    sa.Column('actor_subject', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('idempotency_key', name=op.f('pk_start_requests'))
    )
    op.create_table('streets',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streets'))
    )
    op.create_table('users',
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_id', sa.String(length=64), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('subject', name=op.f('pk_users'))
    )
    op.create_table('communities',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('street_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_communities_street_id_streets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communities'))
    )
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communities_street_id'), ['street_id'], unique=False)

    op.create_table('estates',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('street_id', sa.String(length=64), nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('property_company_id', sa.String(length=64), nullable=True),
    sa.Column('pricing_agency_id', sa.String(length=64), nullable=True),
    sa.Column('has_owners_committee', sa.Boolean(), nullable=False),
    sa.Column('resettlement', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_estates_community_id_communities')),
    sa.ForeignKeyConstraint(['pricing_agency_id'], ['companies.id'], name=op.f('fk_estates_pricing_agency_id_companies')),
    sa.ForeignKeyConstraint(['property_company_id'], ['companies.id'], name=op.f('fk_estates_property_company_id_companies')),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_estates_street_id_streets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estates'))
    )
    with op.batch_alter_table('estates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estates_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_estates_street_id'), ['street_id'], unique=False)

    op.create_table('buildings',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('estate_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estates.id'], name=op.f('fk_buildings_estate_id_estates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buildings'))
    )
    with op.batch_alter_table('buildings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buildings_estate_id'), ['estate_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('building_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_units_building_id_buildings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_building_id'), ['building_id'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('estate_id', sa.String(length=64), nullable=False),
    sa.Column('room', sa.String(length=32), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estates.id'], name=op.f('fk_households_estate_id_estates')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_households_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_unit_id'), ['unit_id'], unique=False)

    op.create_table('fund_accounts',
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('balance_fen', sa.BigInteger(), nullable=False),
    sa.Column('initial_deposit_fen', sa.BigInteger(), nullable=False),
    sa.Column('top_up_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance_fen >= 0', name=op.f('ck_fund_accounts_balance_not_negative')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_fund_accounts_household_id_households')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_fund_accounts'))
    )
    op.create_table('fund_ledger',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('balance_after_fen', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=True),
    sa.Column('payment_key', sa.String(length=160), nullable=True),
    sa.Column('memo', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_fund_ledger_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_ledger')),
    sa.UniqueConstraint('payment_key', 'household_id', name='uq_fund_ledger_payment_household')
    )
    with op.batch_alter_table('fund_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_ledger_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_ledger_household_id'), ['household_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('fund_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_ledger_household_id'))
        batch_op.drop_index(batch_op.f('ix_fund_ledger_case_id'))

    op.drop_table('fund_ledger')
    op.drop_table('fund_accounts')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_unit_id'))
        batch_op.drop_index(batch_op.f('ix_households_estate_id'))

    op.drop_table('households')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_building_id'))

    op.drop_table('units')
    with op.batch_alter_table('buildings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_buildings_estate_id'))

    op.drop_table('buildings')
    with op.batch_alter_table('estates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estates_street_id'))
        batch_op.drop_index(batch_op.f('ix_estates_community_id'))

    op.drop_table('estates')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communities_street_id'))

    op.drop_table('communities')
    op.drop_table('users')
    op.drop_table('streets')
    op.drop_table('start_requests')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_role_street')
        batch_op.drop_index('ix_inbox_role_estate')
        batch_op.drop_index('ix_inbox_role_company')
        batch_op.drop_index('ix_inbox_role_community')
        batch_op.drop_index(batch_op.f('ix_inbox_due_at'))

    op.drop_table('inbox')
    with op.batch_alter_table('fund_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_payments_case_id'))

    op.drop_table('fund_payments')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_companies_kind'))

    op.drop_table('companies')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_street_id'))
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_kind'))
        batch_op.drop_index(batch_op.f('ix_cases_initiator_subject'))
        batch_op.drop_index(batch_op.f('ix_cases_estate_id'))
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))
        batch_op.drop_index(batch_op.f('ix_cases_community_id'))

    op.drop_table('cases')
    op.drop_table('case_sequences')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_case_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_subject'))

    op.drop_table('audit_log')

