"""holiday calendar: the table of published years, seeded with 2024–2026; the inbox says when a deadline is provisional

Revision ID: holiday_calendar_1
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from alembic import op

from domain import holidays_cn

revision = "holiday_calendar_1"
down_revision = "0001"
branch_labels = None
depends_on = None

# The day each seeded notice was issued (its date stands for the publication).
_ISSUED = {2024: date(2023, 10, 25), 2025: date(2024, 11, 12), 2026: date(2025, 11, 4)}
_CITY = timezone(timedelta(hours=8))


def upgrade() -> None:
    table = op.create_table(
        "holiday_calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice", sa.String(length=200), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("makeup_workdays", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_by_name", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_holiday_calendar_years")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    rows = []
    for year in sorted(holidays_cn.PUBLISHED_YEARS):
        at = datetime.combine(_ISSUED[year], time(0), tzinfo=_CITY).astimezone(UTC)
        rows.append({
            "year": year, "notice": holidays_cn.NOTICES[year],
            "holidays": [
                {"name": name, "first": first.isoformat(), "last": last.isoformat()}
                for name, (first, last) in zip(holidays_cn.HOLIDAY_NAMES[year], holidays_cn.HOLIDAY_RANGES[year], strict=True)
            ],
            "makeup_workdays": [d.isoformat() for d in holidays_cn.MAKEUP_WORKDAYS[year]],
            "revision": 1,
            # SQLite keeps no offset: the application stores UTC without one there (db.models.base.UtcDateTime).
            "published_at": at.replace(tzinfo=None) if sqlite else at,
            "published_by": "system", "published_by_name": "系统（初始数据）",
        })
    op.bulk_insert(table, rows)
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_published", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("calendar_published")
    op.drop_table("holiday_calendar_years")
