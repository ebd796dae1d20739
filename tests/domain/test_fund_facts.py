"""The typed facts read what the read model already holds, and are ready to be one union on ``kind``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field, TypeAdapter

from domain.fund_facts import FundFacts
from domain.handover_facts import HandoverFacts
from domain.rules import FUND_EMERGENCY, HANDOVER, TENDER
from domain.tender_facts import TenderFacts

# Facts as the fund workflow stored them before they were typed: ISO strings with +00:00, optional
# keys absent until known, objections and shortfalls as plain dicts.
FUND_BEFORE = {
    "category": "elevator_failure", "category_label": "电梯故障需立即维修", "affected_scope": "building",
    "affected_scope_label": "楼栋", "scope_id": "e-b2", "description": "2号楼电梯钢丝绳断股", "attachments": [],
    "resubmission_of": None, "street_takeover": False, "rules": FUND_EMERGENCY.model_dump(mode="json"),
    "requested_fen": 5_000_000, "contractor": "青州建安", "budget_items": [], "approved_fen": 4_200_000,
    "reduction_fen": 800_000, "price_review_reasons": "单价核减", "first_payment_fen": 2_100_000,
    "first_paid_at": "2026-11-30T06:03:15.978000+00:00", "settlement_fen": 4_100_000, "acceptance_certificate": "YS-1",
    "settlement_approved_fen": 4_000_000, "settlement_review_reasons": "按实结算", "estate_name": "锦绣华庭", "households": 24,
    "area_m2": "2400.00", "property_company_id": "co-yuejia", "pricing_agency_id": "pa-qzzj", "first_payment_max_fen": 2_100_000,
    "public_notice": {"start": "2026-12-01T07:00:00+00:00", "end": "2026-12-06T07:00:00+00:00", "settlement_fen": 4_000_000},
    "objections": [{"by": "owner-1", "name": "业主", "text": "分摊面积有误", "at": "2026-12-02T01:00:00+00:00",
                    "task_id": "t8", "outcome": "answer", "answer": "无误"}],
}
FACTS = Annotated[FundFacts | TenderFacts | HandoverFacts, Field(discriminator="kind")]


def test_fund_facts_read_a_snapshot_written_before_they_were_typed() -> None:
    facts = FundFacts.model_validate(FUND_BEFORE)
    assert facts.kind == "fund-emergency" and facts.public_notice is not None
    assert facts.public_notice.end == datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    assert facts.objections[0].outcome == "answer" and facts.top_ups_due == [] and facts.final_payment_fen is None
    again = facts.model_dump(mode="json")
    # Every key the old facts had is still there, with the same value (datetimes re-read as datetimes).
    for key, value in FUND_BEFORE.items():
        if key not in ("first_paid_at", "public_notice", "objections"):
            assert again[key] == value, key
    assert datetime.fromisoformat(again["first_paid_at"]) == datetime.fromisoformat(FUND_BEFORE["first_paid_at"])  # type: ignore[arg-type]


def test_the_three_processes_facts_are_one_union_on_kind() -> None:
    adapter: TypeAdapter[FundFacts | TenderFacts | HandoverFacts] = TypeAdapter(FACTS)
    # Facts stored before they were typed carry no "kind": the case's own kind supplies it.
    assert isinstance(adapter.validate_python({**FUND_BEFORE, "kind": "fund-emergency"}), FundFacts)
    tender = {"kind": "tender", "selection": "first", "selection_label": "建设单位选聘前期物业", "method": "comprehensive",
              "method_label": "综合评估法", "tie_rule": "x", "summary": "前期物业服务招标", "round": 1,
              "published_at": "2027-01-04T09:00:00+00:00", "bid_deadline": "2027-01-25T09:00:00+08:00", "rules": TENDER.model_dump(mode="json")}
    assert isinstance(adapter.validate_python(tender), TenderFacts)
    handover = {"kind": "handover", "estate_name": "交接小区", "incoming_company_id": "co-xinda", "reason_label": "建设单位移交",
                "rules": HANDOVER.model_dump(mode="json"),
                "emergency_service": {"company_id": "co-lvyuan", "company_name": "绿苑", "services": "供水",
                                      "from": "2027-01-04T09:00:00+00:00", "until": "2027-07-04T09:00:00+00:00"}}
    read = adapter.validate_python(handover)
    assert isinstance(read, HandoverFacts) and read.emergency_service is not None
    assert read.model_dump(mode="json")["emergency_service"]["from"] == "2027-01-04T09:00:00Z"
    assert set(read.checklist) >= {"keys", "owner_register"} and read.defects is None
    schema = adapter.json_schema(mode="serialization")
    assert set(schema["discriminator"]["mapping"]) == {"fund-emergency", "tender", "handover"}
