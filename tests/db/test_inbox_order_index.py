"""The inbox reads a page from an index in its order, for every kind of reader, instead of sorting all their rows.

With 100,000 open tasks the housing bureau's inbox sorted its 10,000 rows for every request (25 ms
on PostgreSQL, the most expensive request of a 200-user burst); migration ``inbox_order_1`` puts
the order at the end of each inbox index. The plan is the boundary: no sort step for any reader.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from api.read_policy import case_access
from db.repositories.cases import InboxFilter, inbox_statement
from domain.access import Actor, Jurisdiction, Level, Role
from tests.fixture_types import Sessions

ORDERED_INDEX = re.compile(r"ix_inbox_role(_[a-z]+)?_order")
READERS = [
    Actor(subject="b", name="局", roles=(Role.HOUSING_BUREAU,), jurisdiction=Jurisdiction(level=Level.CITY, id=None)),
    Actor(subject="s", name="街", roles=(Role.STREET_OFFICE,), jurisdiction=Jurisdiction(level=Level.STREET, id="yidu")),
    Actor(subject="c", name="社", roles=(Role.COMMUNITY,), jurisdiction=Jurisdiction(level=Level.COMMUNITY, id="yidu-c1")),
    Actor(subject="o", name="业", roles=(Role.OWNERS_COMMITTEE,), jurisdiction=Jurisdiction(level=Level.ESTATE, id="yidu-jinxiu")),
    Actor(subject="p", name="物", roles=(Role.PROPERTY_COMPANY,), jurisdiction=Jurisdiction(level=Level.COMPANY, id="co-yuejia")),
    Actor(subject="a", name="价", roles=(Role.PRICING_AGENCY,), jurisdiction=Jurisdiction(level=Level.COMPANY, id="pa-qzzj")),
]


async def plan_of(sessions: Sessions, stmt: Any) -> str:
    """The plan of ``stmt``; on PostgreSQL with scans and sorts forbidden, so a small table shows the index it would use."""
    async with sessions() as session:
        dialect = session.bind.dialect
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "sqlite":
            plan = " | ".join(str(row[-1]) for row in await session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "TEMP B-TREE" not in plan, plan
            return plan
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        await session.execute(text("SET LOCAL enable_sort = off"))
        plan = " | ".join(str(row[0]) for row in await session.execute(text(f"EXPLAIN {sql}")))
        assert "Sort" not in plan, plan
        return plan


@pytest.mark.parametrize("reader", READERS, ids=lambda a: a.roles[0].value)
async def test_the_inbox_page_is_read_in_index_order_without_a_sort(sessions: Sessions, reader: Actor) -> None:
    plan = await plan_of(sessions, inbox_statement(reader, access=case_access(reader)))
    assert ORDERED_INDEX.search(plan), plan


async def test_a_city_inbox_narrowed_to_a_street_reads_the_street_index(sessions: Sessions) -> None:
    # The workbench's street filter (GET /inbox?street=): the city's reader reads one street's slice in order.
    bureau = READERS[0]
    plan = await plan_of(sessions, inbox_statement(bureau, access=case_access(bureau), only=InboxFilter(street_id="yidu")))
    assert "ix_inbox_role_street_order" in plan, plan
