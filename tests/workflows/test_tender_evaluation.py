"""A tender from the bids to the contract: draw, recusal, scores, publicity, objection, award, handover start."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from temporalio.worker import (
    Interceptor,
    Replayer,
    StartLocalActivityInput,
    UnsandboxedWorkflowRunner,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)
from temporalio.workflow import ActivityHandle

from core.registry import workflow_types
from core.temporal import DATA_CONVERTER
from db.seed_tender import EXPERTS
from domain.cases import Projection
from tests.clock import skip_past, wait_until
from tests.driver import Json
from tests.factories_tender import BIDDERS, TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden

EXPERT_NAMES = [name for _, name, *_ in EXPERTS]


def _names(body: Any) -> list[str]:
    text = json.dumps(body, ensure_ascii=False)
    return [n for n in EXPERT_NAMES if n in text]


def _mentions_experts(body: Any) -> list[str]:
    text = json.dumps(body, ensure_ascii=False)
    return [n for n in EXPERT_NAMES if n in text] + (["expert ids"] if "expert-0" in text else [])


async def test_draw_excludes_conflicts_and_is_confidential_until_the_award(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    case = await drv.to_evaluation()

    draw = case["facts"]["expert_draw"]
    plan = draw["committee_plan"]
    assert plan["size"] >= 5 and plan["size"] % 2 == 1 and plan["experts"] * 3 >= plan["size"] * 2
    excluded = {x["expert_id"]: x["reason"] for x in draw["exclusions"]}
    # expert-001 works for 华成 and expert-008's spouse works for 绿苑, both bidders.
    assert "employed by bidder" in excluded["expert-001"] and "relationship" in excluded["expert-008"]
    chosen = draw["draws"][0]["chosen"]
    assert len(chosen) == plan["experts"] and not set(chosen) & set(excluded)
    assert sorted(t["assignee"] for t in await drv.tasks("evaluation") if t["assignee"]) == sorted(chosen)
    r = await api.get(f"/cases/tender/{drv.case_id}/draw", headers=drv.headers("auditor"))
    assert r.status_code == 200 and r.json()["verified"] is True
    # 实施条例 Art. 46: before the result only the bureau and the auditors read the names, through /draw.
    assert r.json()["names_released"] is False and all(m["name"] for m in r.json()["committee"])
    assert _names(draw) == []
    for who in ("owner", "committee", "street", "clerk"):
        assert _names(await drv.case(who)) == [], who
        assert _names((await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers(who))).json()) == [], who
        assert (await api.get(f"/cases/tender/{drv.case_id}/draw", headers=drv.headers(who))).status_code == 403, who

    # A bidder reads the tender without any expert's name or id, through every route alike, and not the draw.
    r = await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers("co-huacheng"))
    assert r.status_code == 200 and r.json()["facts"]["bid_count"] == 3
    assert _mentions_experts(r.json()) == []
    assert len(r.json()["facts"]["bids"]) == 1
    generic = await api.get(f"/cases/{drv.case_id}", headers=drv.headers("co-huacheng"))
    assert generic.status_code == 200 and generic.json()["facts"] == r.json()["facts"]
    timeline = await api.get(f"/cases/{drv.case_id}/timeline", headers=drv.headers("co-huacheng"))
    assert timeline.status_code == 200 and _mentions_experts(timeline.json()) == []
    assert (await api.get(f"/cases/tender/{drv.case_id}/draw", headers=drv.headers("co-huacheng"))).status_code == 403

    # Each drawn expert scores in person: the bureau neither scores nor reassigns, even once the task is escalated.
    task = next(t for t in await drv.tasks("evaluation") if t["assignee"])
    scores = dict.fromkeys(BIDDERS, 80)
    await drv.decide("bureau", task, "submit", {"scores": scores}, expect=403)
    reassign = {"assignee": "expert-001", "reason": "专家未按时评分"}
    r = await api.post(f"/cases/{drv.case_id}/tasks/{task['id']}/assignee", json=reassign, headers=drv.headers("bureau"))
    assert r.status_code == 403, r.text
    await skip_past(env, datetime.fromisoformat(task["escalate_at"]))

    async def escalated() -> Json | None:
        t = next(t for t in await drv.tasks("evaluation") if t["id"] == task["id"])
        return t if t["escalated_at"] else None

    seen = await wait_until(escalated)
    assert [x["code"] for x in seen["escalated_to"]] == ["housing_bureau"]
    await drv.decide("bureau", task, "submit", {"scores": scores}, expect=403)
    r = await api.post(f"/cases/{drv.case_id}/tasks/{task['id']}/assignee", json=reassign, headers=drv.headers("bureau"))
    assert r.status_code == 403, r.text
    await drv.decide(task["assignee"], task, "submit", {"scores": scores})

    # The history replays to the same draw: the projections written on replay carry the same record.
    projections: list[Projection] = []
    history = await env.client.get_workflow_handle(drv.case_id).fetch_history()
    await Replayer(workflows=workflow_types(), data_converter=DATA_CONVERTER, interceptors=[_Capture(projections)],
                   workflow_runner=UnsandboxedWorkflowRunner()).replay_workflow(history)
    replayed = [p.snapshot.facts["expert_draw"]["draws"] for p in projections if p.snapshot.facts.get("expert_draw", {}).get("draws")]
    assert replayed and replayed[-1] == draw["draws"]


async def test_recusal_redraw_missing_score_objection_award_and_handover(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    case = await drv.to_evaluation()
    first = case["facts"]["expert_draw"]["draws"][0]["chosen"]
    expert_tasks = [t for t in await drv.tasks("evaluation") if t["assignee"]]
    task = expert_tasks[0]

    # Only the assigned expert decides; a recusal needs its reason and brings a new draw.
    other = next(t["assignee"] for t in expert_tasks[1:])
    await drv.decide(other, task, "recuse", comment="回避", expect=403)
    await drv.decide(task["assignee"], task, "recuse", expect=422)
    r = await drv.decide(task["assignee"], task, "recuse", comment="与投标人存在利害关系，申请回避")
    draws = r.json()["facts"]["expert_draw"]["draws"]
    assert len(draws) == 2 and draws[1]["reason"] == f"replaces {task['assignee']}"
    replacement = draws[1]["chosen"][0]
    assert replacement not in first and replacement not in {"expert-001", "expert-008"}
    assert any(t["assignee"] == replacement for t in await drv.tasks("evaluation"))

    # Scores must cover exactly the valid bidders.
    t = next(t for t in await drv.tasks("evaluation") if t["assignee"] == replacement)
    await drv.decide(replacement, t, "submit", {"scores": {"co-huacheng": 90}}, expect=422)

    # All but one score: no ranking, no award.
    pending = await drv.tasks("evaluation")
    scores = {c: 80 + i for i, c in enumerate(BIDDERS)}  # 信达 first
    for t in pending[:-1]:
        await drv.decide(t["assignee"] or "committee", t, "submit", {"scores": scores})
    case = await drv.case()
    assert case["step"]["code"] == "evaluation" and case["facts"]["ranking"] == [] and case["facts"]["winner"] is None
    last = pending[-1]
    r = await drv.decide(last["assignee"] or "committee", last, "submit", {"scores": scores})
    assert r.json()["step"]["code"] == "publicity"
    assert [x["company_id"] for x in r.json()["facts"]["ranking"]] == ["co-xinda", "co-lvyuan", "co-huacheng"]

    # A losing bidder objects; after the publicity period the award still waits for the answer.
    r = await api.post(f"/cases/tender/{drv.case_id}/objections", json={"text": "第一候选人项目经理证书过期"}, headers=drv.headers("co-huacheng"))
    assert r.status_code == 200 and _mentions_experts(r.json()) == []
    # The objector reads its objection; who objected is for the clerk who answers it, the bureau and auditors.
    objector = drv.cast.actor("co-huacheng").subject
    assert [o["by"] for o in r.json()["facts"]["objections"]] == [objector]
    assert (await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers("co-lvyuan"))).json()["facts"]["objections"] == []
    for who in ("committee", "street"):
        shown = (await drv.case(who))["facts"]["objections"]
        assert [o["text"] for o in shown] == ["第一候选人项目经理证书过期"] and "by" not in shown[0], who
    for who in ("clerk", "bureau", "auditor"):
        assert [o["by"] for o in (await drv.case(who))["facts"]["objections"]] == [objector], who
    r = await api.post(f"/cases/tender/{drv.case_id}/objections", json={"text": "无关企业异议"}, headers=drv.headers("co-anju"))
    assert r.status_code == 403
    end = datetime.fromisoformat((await drv.case())["facts"]["publicity"]["end"])
    await skip_past(env, end)
    case = await drv.case()
    assert case["step"]["code"] == "publicity" and case["facts"]["winner"] is None
    objection = (await drv.tasks("objection"))[0]
    await drv.decide("co-huacheng", objection, "answer", comment="no", expect=403)
    await drv.decide("clerk", objection, "answer", comment="经核实证书在有效期内")
    case = await drv.wait_for(step="contract")
    assert case["facts"]["winner"] == "co-xinda"

    # The result is out: the bidders, the owners and their committee now see the committee.
    r = await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers("co-huacheng"))
    assert r.json()["facts"]["expert_draw"]["names_released"] is True and _mentions_experts(r.json())
    for who in ("owner", "committee"):
        assert _names(await drv.case(who)), who
        r = await api.get(f"/cases/tender/{drv.case_id}/draw", headers=drv.headers(who))
        assert r.status_code == 200 and _names(r.json()), who

    contract = (await drv.tasks("contract"))[0]
    await drv.decide("co-lvyuan", contract, "confirm", {"contract_no": "X"}, expect=403)
    await drv.decide("committee", contract, "confirm", {"contract_no": "QZWY-2027-001"})
    r = await drv.decide("co-xinda", contract, "confirm", {"contract_no": "QZWY-2027-001"})
    assert r.json()["status"]["code"] == "completed"
    handover_id = (await drv.case())["facts"]["handover_case_id"]  # the winner reads the public part: no link
    handover = await drv.related(handover_id).wait_for(step="exit")
    assert handover["facts"]["outgoing_company_id"] == "co-yuejia" and handover["facts"]["incoming_company_id"] == "co-xinda"
    assert [t["step"]["code"] for t in handover["open_tasks"]] == ["exit"]
    await keep_golden(env.client, drv.case_id, "tender-recusal-objection-award")


async def test_a_pool_too_small_after_exclusions_blocks_until_the_bureau_extends_it(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    resting = [eid for eid, *_ in EXPERTS if eid not in ("expert-001", "expert-008", "expert-002", "expert-003", "expert-004")]
    await _set_active(sessions, resting, False)
    try:
        drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
        await drv.start()
        for company in BIDDERS:
            await drv.bid(company)
        await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
        case = await drv.wait_for(step="pool_shortfall")
        assert case["status"]["code"] == "blocked"
        task = (await drv.tasks("pool_shortfall"))[0]
        assert [d["label"] for d in task["decisions"]] == ["重新抽取"]
    finally:
        await _set_active(sessions, resting, True)
    r = await drv.decide("bureau", task, "redraw", comment="已补充专家")
    assert r.json()["step"]["code"] == "evaluation" and r.json()["status"]["code"] == "active"
    assert len(r.json()["facts"]["expert_draw"]["draws"][0]["eligible"]) == len(EXPERTS) - 2


async def _set_active(sessions: Sessions, expert_ids: list[str], active: bool) -> None:
    from sqlalchemy import update

    from db.models import Expert

    async with sessions() as session:
        await session.execute(update(Expert).where(Expert.id.in_(expert_ids)).values(active=active))
        await session.commit()


class _Capture(Interceptor):
    """Collects the read-model projections a replayed workflow produces."""

    def __init__(self, into: list[Projection]) -> None:
        self.into = into

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        into = self.into

        class Outbound(WorkflowOutboundInterceptor):
            def start_local_activity(self, input: StartLocalActivityInput) -> ActivityHandle[Any]:
                if input.args and isinstance(input.args[0], Projection):
                    into.append(input.args[0])
                return super().start_local_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound
