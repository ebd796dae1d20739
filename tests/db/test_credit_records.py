"""Credit records stay in force for the period in the rules (one year unless stated, [S])."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from db.repositories import credit as credit_repo
from domain.rules import CREDIT
from tests.fixture_types import Sessions


async def test_a_record_expires_after_the_validity_in_the_rules(sessions: Sessions) -> None:
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    async with sessions() as s, s.begin():
        kept = await credit_repo.add_record(s, record_key=f"k-{uuid.uuid4().hex[:8]}", company_id="co-yuejia", kind="bad",
                                            source="test", points=-1, case_id=None, reason="测试", at=at)
        stated = await credit_repo.add_record(s, record_key=f"k-{uuid.uuid4().hex[:8]}", company_id="co-yuejia", kind="bad",
                                              source="test", points=-1, case_id=None, reason="测试", at=at, validity=None)
    assert CREDIT.record_validity == timedelta(days=365)
    assert kept.expires_at == at + CREDIT.record_validity and stated.expires_at is None
