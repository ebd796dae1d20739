"""inbox order: each jurisdiction's index also holds the inbox's order, so a page is read in order, not sorted

``GET /inbox`` filters by role and one jurisdiction column and orders by ``due_at IS NULL, due_at,
created_at``. With 100,000 open tasks the old (role, column) indexes found a city-wide role's
10,000 rows and sorted them for every request (25 ms on PostgreSQL for the housing bureau); with
the order in the index the first page is the index's first rows.

On SQLite a batch migration that rebuilds the table (``batch_alter_table("inbox")``) cannot reflect
expression indexes and drops them: a later migration that rebuilds ``inbox`` must create these
again (``tests/db/test_inbox_order_index.py`` fails if it does not).

Revision ID: inbox_order_1
Revises: holiday_calendar_1
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "inbox_order_1"
down_revision = "holiday_calendar_1"  # after the last migration that rebuilds the inbox table on SQLite
branch_labels = None
depends_on = None

ORDER = [sa.text("(due_at IS NULL)"), "due_at", "created_at"]
SCOPES = {"street": "street_id", "community": "community_id", "estate": "estate_id", "company": "company_id"}


def upgrade() -> None:
    op.create_index("ix_inbox_role_order", "inbox", ["role", *ORDER])
    for scope, column in SCOPES.items():
        op.drop_index(f"ix_inbox_role_{scope}", table_name="inbox")
        op.create_index(f"ix_inbox_role_{scope}_order", "inbox", ["role", column, *ORDER])


def downgrade() -> None:
    for scope, column in SCOPES.items():
        op.drop_index(f"ix_inbox_role_{scope}_order", table_name="inbox")
        op.create_index(f"ix_inbox_role_{scope}", "inbox", ["role", column])
    op.drop_index("ix_inbox_role_order", table_name="inbox")
