"""The tender's evaluation part: the expert draw, the committee's scores, the publicity of candidates.

A mixin of :class:`workflows.tender.PropertyTenderWorkflow`; it keeps that module to one job each.
The draw takes its random values only from ``workflow.random()``, so they are in the history
and a replay gives the same committee; every draw round is recorded with its inputs. The
publicity is the shared objection window (``workflows.objection_window``).
"""

from __future__ import annotations

from datetime import timedelta

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
    from domain.tender_facts import CommitteeMember, ExpertDrawFacts, MemberStatus, Publicity, expert_draw_facts
    from workflows.calendar_periods import statute_period_end
    from workflows.human_tasks import CaseWorkflow
    from workflows.objection_window import AnswerPolicy, ObjectionWindow

D = Decision
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


class TenderCommittee(CaseWorkflow):
    """Draw, evaluation and publicity: the tender's steps between the opening and the award."""

    _rules: TenderRules
    _round: int
    _bids: dict[str, Bid]
    _method: Method

    @property
    def _representative_role(self) -> Role:
        """The tenderer's representative on the committee: the tender says who that is."""
        raise NotImplementedError

    def _init_committee(self) -> None:
        self._pool: dict[str, ExpertProfile] = {}
        self._exclusions: list[Exclusion] = []
        self._draws: list[DrawRound] = []
        self._members: list[CommitteeMember] = []
        self._plan: CommitteePlan | None = None
        self._scores: dict[str, dict[str, int]] = {}
        self._ranking: list[Ranked] = []
        self._evaluations = 0
        self._publicity: Publicity | None = None
        self._window = ObjectionWindow(
            self, notice_step=Step.PUBLICITY, outside="objections are taken only during the publicity",
            upheld_cancels="an objection was upheld; the committee evaluates again",
        )

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
        self._members = [CommitteeMember(expert_id=e) for e in chosen]
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
        self._members.append(CommitteeMember(expert_id=chosen[0], replaces=recused))
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
        pending = [await self._scoring_task(m.expert_id) for m in self._members if m.status != MemberStatus.RECUSED]
        for _ in range(self._rules.tenderer_representatives):
            pending.append(await self._scoring_task(None))
        while pending:
            done = await self.wait_for(pending)
            assert done is not None
            pending.remove(done)
            if done.outcome == RECUSE:
                assert done.assignee is not None
                for m in self._members:
                    if m.expert_id == done.assignee:
                        m.status, m.reason = MemberStatus.RECUSED, self.decision_of(done).comment
                pending.append(await self._scoring_task(await self._redraw(done.assignee)))
                continue
            scores = self.data_of(done, ScoreData)
            self._scores[done.id] = dict(scores.scores)
            for m in self._members:
                if m.expert_id == done.assignee:
                    m.status = MemberStatus.SCORED
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
        """中标候选人公示 for at least 3 days, to 24:00 of the 3rd; objections answered before the award.

        Published as soon as the report is in, so within the 3 days 实施条例 Art. 54 allows; each
        objection is answered within 3 days, escalated to the bureau after, and the tender pauses
        until then. True if an objection was upheld: the committee evaluates again.
        """
        start = workflow.now()
        end = statute_period_end(start, self._rules.publicity_period)
        self._publicity = Publicity(
            report_at=start, start_by=statute_period_end(start, self._rules.publicity_start_within), start=start, end=end,
            candidates=[c.company_id for c in self.candidates()],
        )
        self.enter_step(Step.PUBLICITY, publicity_end=end.isoformat())
        answers = AnswerPolicy(
            step=Step.OBJECTION, roles=(Role.CLERK,), period=self._rules.objection_answer_period,
            remind_before=self._rules.remind_before, escalate_to=(Role.HOUSING_BUREAU,),
        )
        return await self._window.run(self._publicity, answers) is not None

    def committee_facts(self, released: bool) -> ExpertDrawFacts:
        """The draw and the committee by expert id; names and employers only once ``released``."""
        # 实施条例 Art. 46: the committee's names stay confidential until the result is set.
        return expert_draw_facts(self._plan, self._pool, self._exclusions, self._draws, self._members, released=released)
