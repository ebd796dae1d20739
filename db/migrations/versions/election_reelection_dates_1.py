"""committee registry: when the term's timer starts the re-election, and the date its vote must close by (潍坊 Art. 40)

Revision ID: election_reelection_dates_1
Revises: election_representatives_1
Create Date: 2026-11-30
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "election_reelection_dates_1"
down_revision = "election_representatives_1"
branch_labels = None
depends_on = None

_CITY = timezone(timedelta(hours=8))
# What the timers armed before this revision do: they start the re-election 90 days before the term ends.
_LEAD = timedelta(days=90)


def _vote_by(term_end: datetime) -> datetime:
    """24:00 city time of the day 90 days before the term's last day (潍坊 Art. 40)."""
    last_day = (term_end.astimezone(_CITY) - timedelta(microseconds=1)).date()
    return datetime.combine(last_day - _LEAD + timedelta(days=1), time(0), tzinfo=_CITY).astimezone(UTC)


def upgrade() -> None:
    with op.batch_alter_table("committee_registry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reelection_starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reelection_vote_by", sa.DateTime(timezone=True), nullable=True))
    registry = sa.table("committee_registry", sa.column("estate_id", sa.String), sa.column("term_end", sa.DateTime(timezone=True)),
                        sa.column("reelection_starts_at", sa.DateTime(timezone=True)), sa.column("reelection_vote_by", sa.DateTime(timezone=True)))
    conn = op.get_bind()

    def stored(value: datetime) -> datetime:
        # As db.models.base.UtcDateTime stores it: UTC, without an offset on SQLite.
        return value.replace(tzinfo=None) if conn.dialect.name == "sqlite" else value

    for estate_id, term_end in conn.execute(sa.select(registry.c.estate_id, registry.c.term_end).where(registry.c.term_end.is_not(None))).all():
        end = term_end.astimezone(UTC) if term_end.tzinfo else term_end.replace(tzinfo=UTC)
        conn.execute(registry.update().where(registry.c.estate_id == estate_id)
                     .values(reelection_starts_at=stored(end - _LEAD), reelection_vote_by=stored(_vote_by(end))))


def downgrade() -> None:
    with op.batch_alter_table("committee_registry", schema=None) as batch_op:
        batch_op.drop_column("reelection_vote_by")
        batch_op.drop_column("reelection_starts_at")
