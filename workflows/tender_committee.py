"""The tender's evaluation part: the expert draw, the committee's scores, the publicity of candidates.

A mixin of :class:`workflows.tender.PropertyTenderWorkflow`; it keeps that module to one job each.
The draw takes its random values only from ``workflow.random()``, so they are in the history
and a replay gives the same committee; every draw round is recorded with its inputs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.tender import ExpertPoolRequest, ResultRequest, TenderActivities
    from domain.access import Role
    from domain.cases import CaseStatus
    from domain.expert_draw import (
        CommitteePlan,
        DrawRound,
        Exclusion,
        ExpertProfile,
        committee_plan,
        conflicts,
        draw_experts,
        eligible_experts,
    )
    from domain.rules import TenderRules
    from domain.tasks import Decision, HumanTask
    from domain.tender import RECUSE, REDRAW, Bid, Method, Ranked, ScoreData, Step, rank_bids
    from workflows.human_tasks import CaseWorkflow

D = Decision
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


def calendar_sla(task: HumanTask, due: datetime, remind_before: timedelta, escalate_to: list[Role] | None = None) -> None:
    """A calendar-day (日) deadline on a task: yellow before, red at it, escalation at it if given."""
    task.due_at = due
    task.remind_at = due - remind_before
    if escalate_to:
        task.escalate_to = list(escalate_to)
        task.escalate_at = due


class TenderCommittee(CaseWorkflow):
    """Draw, evaluation and publicity: the tender's steps between the opening and the award."""

    _rules: TenderRules
    _bids: dict[str, Bid]
    _method: Method
    _representative_role: Role

    def _init_committee(self) -> None:
        self._pool: dict[str, ExpertProfile] = {}
        self._exclusions: list[Exclusion] = []
        self._draws: list[DrawRound] = []
        self._members: list[dict[str, Any]] = []
        self._plan: CommitteePlan | None = None
        self._scores: dict[str, dict[str, int]] = {}
        self._ranking: list[Ranked] = []
        self._evaluations = 0
        self._publicity: dict[str, Any] = {}
        self._objections: list[dict[str, Any]] = []
        self._unhandled_objections: list[Any] = []

    # ----------------------------------------------------------------- the draw

    async def _draw_committee(self) -> None:
        """抽取评标专家: exclude conflicted experts, then draw the experts at random."""
        self._plan = committee_plan(self._rules)
        self.enter_step(Step.EXPERT_DRAW, committee_size=self._plan.size, experts=self._plan.experts)
        await self._load_pool()
        eligible = await self._eligible(self._plan.experts, already=[])
        values = [workflow.random().random() for _ in range(self._plan.experts)]
        chosen = draw_experts(eligible, self._plan.experts, values)
        self._draws.append(DrawRound(eligible=eligible, rng_values=values, chosen=chosen))
        self._members = [{"expert_id": e, "status": "drawn"} for e in chosen]
        self.record("system", step=Step.EXPERT_DRAW, decision="draw",
                     data={"eligible": eligible, "excluded": [x.model_dump() for x in self._exclusions], "rng_values": values, "chosen": chosen})
        self.enter_step(Step.EXPERT_DRAW, drawn=len(chosen))

    async def _load_pool(self) -> None:
        pool = await workflow.execute_activity_method(
            TenderActivities.expert_pool, ExpertPoolRequest(case_id=self.case_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._pool = {e.id: e for e in pool}
        names = {c: b.company_name for c, b in self._bids.items()}
        self._exclusions = conflicts(pool, sorted(self._bids), names)

    async def _eligible(self, needed: int, already: list[str]) -> list[str]:
        """Experts who may be drawn; with too few the bureau must extend the pool first (受阻)."""
        while True:
            eligible = eligible_experts(list(self._pool.values()), self._exclusions, already)
            if len(eligible) >= needed:
                return eligible
            step = self.step
            self.enter_step(Step.POOL_SHORTFALL, CaseStatus.BLOCKED, eligible=len(eligible), needed=needed)
            task = await self.open_task(
                Step.POOL_SHORTFALL, [Role.HOUSING_BUREAU], decisions=[REDRAW],
                note=f"{len(eligible)} eligible experts, {needed} needed: add experts to the pool, then retry",
            )
            await self.wait_for([task])
            await self._load_pool()
            self.enter_step(step, CaseStatus.ACTIVE)

    async def _redraw(self, recused: str) -> str:
        """An expert who recuses or declines is replaced by a new draw among those never drawn."""
        drawn = [e for r in self._draws for e in r.chosen]
        eligible = await self._eligible(1, already=drawn)
        values = [workflow.random().random()]
        chosen = draw_experts(eligible, 1, values)
        self._draws.append(DrawRound(eligible=eligible, rng_values=values, chosen=chosen, reason=f"replaces {recused}"))
        self._members.append({"expert_id": chosen[0], "status": "drawn", "replaces": recused})
        self.record("system", step=Step.EVALUATION, decision="redraw",
                     data={"replaces": recused, "eligible": eligible, "rng_values": values, "chosen": chosen})
        return chosen[0]

    # ----------------------------------------------------------------- evaluation

    async def _scoring_task(self, expert_id: str | None) -> HumanTask:
        """One member's scoring task: an expert's is assigned to that expert alone."""
        if expert_id is None:
            task = await self.open_task(
                Step.EVALUATION, [self._representative_role], decisions=[D.SUBMIT],
                sla_working_days=self._rules.scoring_working_days, escalate_to=[Role.HOUSING_BUREAU],
                note="招标人代表评分",
            )
        else:
            task = await self.open_task(
                Step.EVALUATION, [Role.EXPERT], decisions=[D.SUBMIT, RECUSE],
                sla_working_days=self._rules.scoring_working_days, escalate_to=[Role.HOUSING_BUREAU],
                note="评标专家评分",
            )
            task.assignee = expert_id
        # 招标投标法 Art. 44: each member scores in person; escalation alerts the bureau, who scores in nobody's place.
        task.personal = True
        return task

    async def _evaluate(self) -> None:
        """评标: every member scores every valid bid; a missing score blocks the result."""
        self._evaluations += 1
        self._scores = {}
        self._ranking = []
        self.enter_step(Step.EVALUATION, evaluation=self._evaluations)
        pending = [await self._scoring_task(m["expert_id"]) for m in self._members if m["status"] != "recused"]
        for _ in range(self._rules.tenderer_representatives):
            pending.append(await self._scoring_task(None))
        while pending:
            done = await self.wait_for(pending)
            assert done is not None
            pending.remove(done)
            if done.outcome == RECUSE:
                assert done.assignee is not None
                for m in self._members:
                    if m["expert_id"] == done.assignee:
                        m.update(status="recused", reason=self.decision_of(done).comment)
                pending.append(await self._scoring_task(await self._redraw(done.assignee)))
                continue
            scores = self.data_of(done, ScoreData)
            self._scores[done.id] = dict(scores.scores)
            for m in self._members:
                if m["expert_id"] == done.assignee:
                    m["status"] = "scored"
        self._ranking = rank_bids(self._method, list(self._bids.values()), list(self._scores.values()), self._rules)
        await workflow.execute_activity_method(
            TenderActivities.record_result,
            ResultRequest(case_id=self.case_id, round=self._round, winner=None,
                          ranks={r.company_id: (r.rank, f"{r.average_score:.2f}") for r in self._ranking}),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self.enter_step(Step.EVALUATION, ranking=[r.company_id for r in self._ranking])

    # ----------------------------------------------------------------- publicity

    def candidates(self) -> list[Ranked]:
        return [r for r in self._ranking if r.qualified][: self._rules.candidates]

    async def _publish_candidates(self) -> bool:
        """中标候选人公示 for ≥ 3 days; objections answered before the award. True if one was upheld."""
        start = workflow.now()
        end = start + self._rules.publicity_period
        # Published as soon as the report is in, so within the 3 days 实施条例 Art. 54 allows.
        self._publicity = {
            "report_at": start.isoformat(), "start_by": (start + self._rules.publicity_start_within).isoformat(),
            "start": start.isoformat(), "end": end.isoformat(), "candidates": [c.company_id for c in self.candidates()],
        }
        self.enter_step(Step.PUBLICITY, publicity_end=end.isoformat())
        pending: list[HumanTask] = []
        while True:
            while self._unhandled_objections:
                objection = self._unhandled_objections.pop(0)
                task = await self.open_task(Step.OBJECTION, [Role.CLERK], decisions=[D.ANSWER, D.UPHOLD], note=objection.text)
                # 实施条例 Art. 54: answered within 3 days; the tender pauses until then.
                calendar_sla(task, workflow.now() + self._rules.objection_answer_period, self._rules.remind_before, [Role.HOUSING_BUREAU])
                self._objections[-len(self._unhandled_objections) - 1]["task_id"] = task.id
                pending.append(task)
            open_tasks = [t for t in pending if t.is_open]
            passed = workflow.now() >= end
            if passed and not open_tasks:
                self._publicity["closed"] = workflow.now().isoformat()
                return False
            done = await self.wait_for(open_tasks, until=None if passed else end, interrupt=lambda: bool(self._unhandled_objections))
            if done is None:
                continue
            pending.remove(done)
            for record in self._objections:
                if record.get("task_id") == done.id:
                    record.update(outcome=done.outcome, answer=self.decision_of(done).comment)
            if done.outcome == D.UPHOLD:
                for other in pending:
                    self.cancel_task(other, "an objection was upheld; the committee evaluates again")
                self._publicity["upheld"] = done.id
                return True

    def committee_facts(self, released: bool) -> dict[str, Any]:
        """The draw and the committee by expert id; names and employers only once ``released``."""
        def who(expert_id: str) -> dict[str, Any]:
            # 实施条例 Art. 46: the committee's names stay confidential until the result is set.
            if not released:
                return {"expert_id": expert_id}
            e = self._pool.get(expert_id)
            return {"expert_id": expert_id, "name": e.name if e else None, "employer": e.employer if e else None}

        return {
            "committee_plan": self._plan.model_dump() if self._plan else None,
            "expert_pool": [who(e) for e in sorted(self._pool)],
            "exclusions": [{**x.model_dump(), **who(x.expert_id)} for x in self._exclusions],
            "draws": [d.model_dump() for d in self._draws],
            "committee": [{**m, **who(m["expert_id"])} for m in self._members],
            "names_released": released,
        }
