"""The inbox reads a page from an index in its order, for every kind of reader, instead of sorting all their rows.

With 100,000 open tasks the housing bureau's inbox sorted its 10,000 rows for every request (25 ms
on PostgreSQL, the most expensive request of a 200-user burst); migration ``inbox_order_1`` puts
the order at the end of each inbox index. The plan is the boundary: no sort step for any reader.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from api.read_policy import case_access
from db.repositories.cases import inbox_statement
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


@pytest.mark.parametrize("reader", READERS, ids=lambda a: a.roles[0].value)
async def test_the_inbox_page_is_read_in_index_order_without_a_sort(sessions: Sessions, reader: Actor) -> None:
    async with sessions() as session:
        stmt = inbox_statement(reader, access=case_access(reader))
        dialect = session.bind.dialect
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "sqlite":
            plan = " | ".join(str(row[-1]) for row in await session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert ORDERED_INDEX.search(plan), plan
            assert "TEMP B-TREE" not in plan, plan
        else:
            # A small table would be scanned and sorted whatever the indexes; forbid both to see the index.
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            await session.execute(text("SET LOCAL enable_sort = off"))
            plan = " | ".join(str(row[0]) for row in await session.execute(text(f"EXPLAIN {sql}")))
            assert ORDERED_INDEX.search(plan), plan
            assert "Sort" not in plan, plan
