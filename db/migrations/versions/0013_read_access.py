"""read access: who holds or held a case's tasks (cases.task_holders)

Revision ID: 0013
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0001'
branch_labels = None
depends_on = None


def _holders(snapshot: Any) -> str:
    """The task holders of a stored snapshot, as domain.read_access.task_holders writes them (kept here: a
    migration must not change when the code does)."""
    if isinstance(snapshot, str):
        snapshot = json.loads(snapshot)
    out: dict[str, None] = {}
    for task in (snapshot or {}).get("tasks", []):
        if task.get("assignee"):
            out[task["assignee"]] = None
            continue
        for role in (*task.get("candidate_roles", []), *task.get("countersign", []), *task.get("escalation_roles", [])):
            out[f"role:{role}"] = None
    return " " + " ".join(out) + " "


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_holders', sa.Text(), nullable=False, server_default=' '))
    # Cases already running: their holders from the snapshot they last projected.
    conn = op.get_bind()
    cases = sa.table('cases', sa.column('id', sa.String), sa.column('snapshot', sa.JSON), sa.column('task_holders', sa.Text))
    for case_id, snapshot in conn.execute(sa.select(cases.c.id, cases.c.snapshot)).all():
        conn.execute(cases.update().where(cases.c.id == case_id).values(task_holders=_holders(snapshot)))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('task_holders')
