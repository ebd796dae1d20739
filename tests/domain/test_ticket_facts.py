"""The ticket's typed facts: the keys the API shows, records instead of dicts, stored facts still read."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.routing import EstatePlace, Route, Unit, UnitKind
from domain.rules import TICKET
from domain.ticket import Channel, Closure, TicketStart
from domain.ticket_facts import (
    HandlingReply,
    SatisfactionCall,
    TicketFacts,
    TicketReturn,
)
from domain.ticket_state import TicketState

START = TicketStart(channel=Channel.HOTLINE, external_ref="12345-1", category="noise", estate_id="e1", description="夜间施工噪音")
PLACE = EstatePlace(estate_id="e1", estate_name="锦绣华庭", street_id="yidu", street_name="益都街道", community_id="c1",
                    community_name="一社区", company_id="co-1")
ROUTE = Route.model_validate({"category": "noise", "label": "噪音扰民", "lead": {"kind": "department", "id": "dept-eco"},
                              "basis": "附件2 第3项"})
ECO = Unit(kind=UnitKind.DEPARTMENT, id="dept-eco", name="生态环境局")
AT = datetime(2026, 11, 30, 2, tzinfo=UTC)

# The keys the facts had as a dict (README, tests, the workbench read them).
KEYS = {
    "channel", "channel_label", "external_ref", "category", "description", "returnable", "returned", "accepted_at",
    "replied_at", "extension_days", "overdue", "unsatisfied", "supervised", "replies", "callbacks", "co_handling",
    "returns", "whistles", "supervisions", "closure", "closure_label", "lead_unit", "co_handlers", "category_label", "routing_basis",
    "estate_name", "property_company_id", "rules",
}


def test_the_facts_keep_their_keys_and_show_records_and_times_as_json() -> None:
    state = TicketState()
    state.assign(ECO, [])
    state.returns.append(TicketReturn(unit="城管局", reason="不属本单位职责", at=AT))
    state.replies.append(HandlingReply(round=1, unit=ECO.name, by="王科长", result="已责令停工", at=AT))
    state.callbacks.append(SatisfactionCall(outcome="satisfied", by="话务员", at=AT))
    state.closure = Closure.SATISFIED
    out = state.facts(START, PLACE, ROUTE, TICKET).model_dump(mode="json")
    assert set(out) == KEYS | {"kind"} and out["kind"] == "ticket"
    assert out["lead_unit"] == {"kind": "department", "id": "dept-eco", "name": "生态环境局"} and out["co_handlers"] == []
    assert out["replies"][0] == {"round": 1, "unit": "生态环境局", "by": "王科长", "result": "已责令停工", "at": "2026-11-30T02:00:00Z"}
    assert out["closure_label"] == "满意销号" and out["category_label"] == "噪音扰民" and out["property_company_id"] == "co-1"
    unrouted = state.facts(START, None, None, TICKET)
    assert unrouted.category_label is None and unrouted.estate_name is None


def test_facts_stored_before_typing_still_read() -> None:
    stored = {
        "channel": "hotline_12345", "channel_label": "12345热线", "external_ref": "12345-1", "category": "noise",
        "description": "夜间施工噪音", "returnable": False, "returned": True, "accepted_at": "2026-11-30T02:00:00+00:00",
        "replied_at": None, "extension_days": 3, "overdue": False, "unsatisfied": 0, "supervised": False, "replies": [],
        "callbacks": [], "co_handling": [{"unit": "一社区", "by": "社区主任", "opinion": "已到场", "at": "2026-11-30T03:00:00+00:00"}],
        "returns": [{"unit": "城管局", "reason": "不属本单位职责", "at": "2026-11-30T01:00:00+00:00"}], "whistles": [],
        "closure": None, "closure_label": None, "lead_unit": {"kind": "department", "id": "dept-eco", "name": "生态环境局"},
        "co_handlers": [], "rules": TICKET.model_dump(mode="json"),
    }
    facts = TicketFacts.model_validate(stored)
    assert facts.kind == "ticket" and facts.returns[0].at == datetime(2026, 11, 30, 1, tzinfo=UTC)
    assert facts.co_handling[0].opinion == "已到场" and facts.category_label is None

