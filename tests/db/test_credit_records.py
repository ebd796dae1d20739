"""Credit records: written once per cause through one function, in force for the period of their type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from db.repositories import credit as credit_repo
from domain.credit import CreditEntry, UnknownRecordType
from domain.rules import CREDIT
from tests.fixture_types import Sessions


async def test_a_record_takes_kind_unit_and_validity_from_its_type_and_is_written_once(sessions: Sessions) -> None:
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    key = f"k-{uuid.uuid4().hex[:8]}"
    async with sessions() as s, s.begin():
        kept = await credit_repo.record_credit(s, CreditEntry(key=key, company_id="co-yuejia", type="ticket_overdue", reason="测试", at=at,
                                                              evidence="工单 t3 逾期"))
        again = await credit_repo.record_credit(s, CreditEntry(key=key, company_id="co-yuejia", type="award", reason="另一原因", at=at))
        serious = await credit_repo.record_credit(s, CreditEntry(key=f"{key}-s", company_id="co-yuejia", type="serious_dishonesty",
                                                                 reason="伪造材料", at=at, conduct_ended=at - timedelta(days=10)))
    assert CREDIT.record_validity == timedelta(days=365)
    assert again.id == kept.id and again.reason == "测试"
    assert (kept.kind, kept.points, kept.recording_role, kept.evidence) == ("bad", -2, "dispatcher", "工单 t3 逾期")
    assert kept.expires_at == at + CREDIT.record_validity
    # Art. 38: five years from the end of the conduct.
    assert serious.serious and serious.expires_at == datetime(2031, 2, 19, 9, tzinfo=UTC)


async def test_an_unknown_type_is_refused(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        with pytest.raises(UnknownRecordType):
            await credit_repo.record_credit(s, CreditEntry(key="k-x", company_id="co-yuejia", type="test", reason="测试",
                                                           at=datetime(2026, 3, 1, tzinfo=UTC)))
