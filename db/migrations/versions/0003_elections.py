"""owners' committee elections: owner registry, committee registry and terms, elections, roll, ballots

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('committee_registry',
    sa.Column('estate_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.String(length=32), nullable=False),
    sa.Column('term_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('term_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('elected_case_id', sa.String(length=128), nullable=True),
    sa.Column('certificate_no', sa.String(length=100), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('acting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acting_chair', sa.String(length=64), nullable=True),
    sa.Column('reelection_case_id', sa.String(length=128), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estates.id'], name=op.f('fk_committee_registry_estate_id_estates')),
    sa.PrimaryKeyConstraint('estate_id', name=op.f('pk_committee_registry'))
    )
    op.create_table('committee_terms',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('estate_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=False),
    sa.Column('term_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('term_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estates.id'], name=op.f('fk_committee_terms_estate_id_estates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_terms')),
    sa.UniqueConstraint('case_id', name=op.f('uq_committee_terms_case_id'))
    )
    op.create_index(op.f('ix_committee_terms_estate_id'), 'committee_terms', ['estate_id'], unique=False)
    op.create_table('elections',
    sa.Column('id', sa.String(length=160), nullable=False),
    sa.Column('case_id', sa.String(length=128), nullable=False),
    sa.Column('estate_id', sa.String(length=64), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voters', sa.Integer(), nullable=False),
    sa.Column('total_area_hundredths', sa.BigInteger(), nullable=False),
    sa.Column('total_headcount', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('tallied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['estate_id'], ['estates.id'], name=op.f('fk_elections_estate_id_estates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elections')),
    sa.UniqueConstraint('case_id', 'attempt', name='uq_elections_case_attempt')
    )
    op.create_index(op.f('ix_elections_case_id'), 'elections', ['case_id'], unique=False)
    op.create_index(op.f('ix_elections_estate_id'), 'elections', ['estate_id'], unique=False)
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('election_id', sa.String(length=160), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('owner_key', sa.String(length=64), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('proxy_owner_key', sa.String(length=64), nullable=True),
    sa.Column('entered_by', sa.String(length=64), nullable=False),
    sa.Column('batch_id', sa.String(length=200), nullable=True),
    sa.Column('cast_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('receipt', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_ballots_election_id_elections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('election_id', 'household_id', name='uq_ballots_election_household')
    )
    op.create_index(op.f('ix_ballots_batch_id'), 'ballots', ['batch_id'], unique=False)
    op.create_index('ix_ballots_proxy', 'ballots', ['election_id', 'proxy_owner_key'], unique=False)
    op.create_table('election_voters',
    sa.Column('election_id', sa.String(length=160), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('owner_key', sa.String(length=64), nullable=False),
    sa.Column('area_hundredths', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_election_voters_election_id_elections')),
    sa.PrimaryKeyConstraint('election_id', 'household_id', name=op.f('pk_election_voters'))
    )
    op.create_index('ix_election_voters_owner', 'election_voters', ['election_id', 'owner_key'], unique=False)
    op.create_table('owner_records',
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('owner_key', sa.String(length=64), nullable=False),
    sa.Column('natural_person', sa.Boolean(), nullable=False),
    sa.Column('fee_arrears_fen', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_owner_records_household_id_households')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_owner_records'))
    )
    op.create_index(op.f('ix_owner_records_owner_key'), 'owner_records', ['owner_key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_owner_records_owner_key'), table_name='owner_records')
    op.drop_table('owner_records')
    op.drop_index('ix_election_voters_owner', table_name='election_voters')
    op.drop_table('election_voters')
    op.drop_index('ix_ballots_proxy', table_name='ballots')
    op.drop_index(op.f('ix_ballots_batch_id'), table_name='ballots')
    op.drop_table('ballots')
    op.drop_index(op.f('ix_elections_estate_id'), table_name='elections')
    op.drop_index(op.f('ix_elections_case_id'), table_name='elections')
    op.drop_table('elections')
    op.drop_index(op.f('ix_committee_terms_estate_id'), table_name='committee_terms')
    op.drop_table('committee_terms')
    op.drop_table('committee_registry')
