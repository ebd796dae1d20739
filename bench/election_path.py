"""The real ballot path of benchmark 4: an election run through the HTTP API, every owner voting in person.

Per run a new estate of ``households`` units (one owner per unit) is created, an election is
started and driven to its voting step through the API as the street office and the community
do it, and every owner casts an electronic ballot (``POST .../ballots/electronic`` with their own
token): one request, one ballot, stored by the API in the ballot box the workflow opened. When
voting closes the workflow counts the box in one activity; the tally is read back through the
auditor's ``GET .../tally``.

The one step not taken through the API is the start: the API chooses the statutory calendar
(14 days of nominations, 15 of notice, 7 of voting), which a benchmark cannot wait for. The
bench starts the same workflow with the same input through the Temporal client, with the three
periods shortened to seconds, exactly as the API would with those rules.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api.auth import issue_token
from bench.city import AGENCY, COMMUNITY, COMPANY, STREET, actor
from core.registry import REGISTRY, start_search_attributes
from core.settings import Settings
from db.models import Household
from db.seed import EstatePlan, create_estate
from db.session import make_engine, make_session_factory
from domain.access import Level, Role, Scope
from domain.actor_seal import sealed
from domain.apportionment import area_to_hundredths
from domain.cases import CaseAck
from domain.election import ElectionKind, ElectionStart
from domain.rules import ELECTION
from workflows.election import OwnersCommitteeElectionWorkflow
from workflows.election_models import ElectionInput

PATH = "/cases/owners-election"
UNITS_PER_BUILDING = 200  # 5 units × 20 floors × 2 rooms
SEATS = 5  # the smallest committee
# Six candidates; a ballot names five of them. Choice A, B or C leaves out the sixth, fifth or
# fourth candidate, so three are named on every ballot and the others on two ballots in three:
# every candidate has both majorities, five are elected, and every count differs by choice.
BALLOTS = {"A": (0, 1, 2, 3, 4), "B": (0, 1, 2, 3, 5), "C": (0, 1, 2, 4, 5)}
CANDIDATES = 6
NOTICE = timedelta(seconds=3)


class ElectionPath:
    """:class:`bench.election.BallotPath` for the real path (see the module docstring)."""

    def __init__(self, api: httpx.AsyncClient, client: Client, settings: Settings, task_queue: str,
                 voting_seconds: float) -> None:
        self.api, self.client, self.settings, self.task_queue = api, client, settings, task_queue
        self.voting = timedelta(seconds=voting_seconds)
        self.runs = 0
        self.case_id = ""
        self.units: list[str] = []
        self.ballot_headers: list[dict[str, str]] = []
        self.candidates: list[str] = []
        self.areas: dict[str, int] = {}
        self.refused_total = 0
        self.outcomes: list[str] = []
        people = {
            "clerk": actor("bench-clerk", Role.CLERK, Level.STREET, STREET),
            "street": actor("bench-street", Role.STREET_OFFICE, Level.STREET, STREET),
            "community": actor("bench-community", Role.COMMUNITY, Level.COMMUNITY, COMMUNITY),
            "auditor": actor("bench-auditor", Role.AUDITOR, Level.CITY, None),
        }
        self.people = people
        self.headers = {who: {"Authorization": f"Bearer {issue_token(settings, a)}"} for who, a in people.items()}

    async def open(self, households: int) -> str:
        if households % UNITS_PER_BUILDING:
            raise ValueError(f"households must be a multiple of {UNITS_PER_BUILDING}")
        self.runs += 1
        estate_id = f"bench-vote{self.runs:02d}"
        names = await self._create_estate(estate_id, households // UNITS_PER_BUILDING)
        self.units = list(names)[:households]
        self.ballot_headers = [
            {"Authorization": f"Bearer {issue_token(self.settings, actor(h, Role.OWNER, Level.ESTATE, estate_id))}"}
            for h in self.units
        ]
        self.case_id = f"owners-election-{estate_id}-{int(time.time())}"
        await self._start(estate_id)
        await self._decide("street", "group_formation", "submit", {"members": self._group(), "seats": SEATS})
        await self._decide("street", "group_publication", "confirm", {"notice": "小区公告栏书面公告"})
        candidates = []
        for i in range(CANDIDATES):
            h = self.units[i]
            r = await self.api.post(f"{PATH}/{self.case_id}/nominations", headers=self.headers["community"],
                                    json={"household_id": h, "name": names[h], "party_member": i < 3, "channel": "party_org"})
            candidates.append(_ok(r)["facts"]["candidates"][-1]["id"])
        self.candidates = candidates
        await self._at_step("qualification_review", timeout=60)
        await self._decide("street", "qualification_review", "approve", {"rejections": []})
        await self._at_step("voting", timeout=60)
        return self.case_id

    async def cast(self, household: int, choice: str) -> None:
        r = await self.api.post(f"{PATH}/{self.case_id}/ballots/electronic", headers=self.ballot_headers[household],
                                json={"choices": [self.candidates[i] for i in BALLOTS[choice]]})
        if r.status_code == 409:  # voting closed before this ballot: the run's period was too short
            self.refused_total += 1
            return
        _ok(r)

    def expected(self, choices: list[str]) -> dict[str, tuple[int, int]]:
        """(headcount, area in 0.01 m²) per candidate if household ``i`` cast ``choices[i]`` and each was counted once."""
        out = dict.fromkeys(self.candidates, (0, 0))
        for h, choice in zip(self.units, choices, strict=False):
            for i in BALLOTS[choice]:
                heads, area = out[self.candidates[i]]
                out[self.candidates[i]] = (heads + 1, area + self.areas[h])
        return out

    async def tally(self) -> dict[str, tuple[int, int]]:
        case = await self._case()
        end = case["facts"].get("voting_end")
        await self._at_step_beyond("voting", timeout=self.voting.total_seconds() + 120)
        r = await self.api.get(f"{PATH}/{self.case_id}/tally", headers=self.headers["auditor"])
        attempts = _ok(r)
        result = attempts[-1]["result"]
        if result is None:
            raise RuntimeError(f"voting ended at {end} but the attempt has no stored result")
        self.outcomes.append(result["outcome"])
        return {c["id"]: (c["headcount"], c["area_hundredths"]) for c in result["candidates"]}

    # ------------------------------------------------------------------ helpers

    async def _create_estate(self, estate_id: str, buildings: int) -> dict[str, str]:
        engine = make_engine(self.settings)
        try:
            async with make_session_factory(engine)() as session:
                await create_estate(session, EstatePlan(
                    id=estate_id, name=f"基准选举小区{self.runs:02d}", street_id=STREET, community_id=COMMUNITY,
                    property_company_id=COMPANY, pricing_agency_id=AGENCY, buildings=buildings, units=5, floors=20, rooms=2,
                ))
                await session.commit()
            async with make_session_factory(engine)() as session:
                rows = (await session.execute(
                    select(Household.id, Household.owner_name, Household.area_m2)
                    .where(Household.estate_id == estate_id).order_by(Household.id)
                )).all()
        finally:
            await engine.dispose()
        self.areas = {h: area_to_hundredths(area) for h, _, area in rows}
        return {h: name for h, name, _ in rows}

    async def _start(self, estate_id: str) -> None:
        rules = ELECTION.model_copy(update={"nomination_period": NOTICE, "candidate_notice_period": NOTICE,
                                            "voting_period": self.voting})
        inp = ElectionInput(case_id=self.case_id, request=ElectionStart(estate_id=estate_id, kind=ElectionKind.RE_ELECTION),
                            initiator=sealed(self.people["clerk"], self.settings.actor_seal_key, datetime.now(UTC), timedelta(minutes=10)),
                            rules=rules)
        attrs = start_search_attributes(REGISTRY["owners-election"], Scope(street_id=STREET, community_id=COMMUNITY, estate_id=estate_id))
        start = WithStartWorkflowOperation(
            OwnersCommitteeElectionWorkflow.run, inp, id=self.case_id, task_queue=self.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE, id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=attrs,
        )
        await self.client.execute_update_with_start_workflow("ready", start_workflow_operation=start, result_type=CaseAck)

    def _group(self) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = [{"name": "街道代表", "role": "street_rep", "leader": True}]
        members += [{"name": f"业主代表{i}", "role": "owner", "household_id": self.units[i]} for i in range(4)]
        members += [{"name": "社区党组织代表", "role": "party_org"}, {"name": "居委会代表", "role": "residents_committee"}]
        return members

    async def _case(self) -> dict[str, Any]:
        return _ok(await self.api.get(f"/cases/{self.case_id}", headers=self.headers["street"]))

    async def _decide(self, who: str, step: str, decision: str, data: dict[str, Any]) -> None:
        case = await self._at_step(step, timeout=30)
        task = next(t for t in case["open_tasks"] if t["step"]["code"] == step)
        _ok(await self.api.post(f"/cases/{self.case_id}/tasks/{task['id']}/decisions", headers=self.headers[who],
                                json={"decision": decision, "data": data}))

    async def _at_step(self, step: str, timeout: float) -> dict[str, Any]:
        """The case once it is at ``step`` (with its task open, but for voting, which has none)."""
        return await self._until(lambda c: c["step"]["code"] == step and (step == "voting" or bool(c["open_tasks"])),
                                 timeout, f"reach {step}")

    async def _at_step_beyond(self, step: str, timeout: float) -> dict[str, Any]:
        """The case once it has left ``step`` and the tally."""
        return await self._until(lambda c: c["step"]["code"] not in (step, "tally"), timeout, f"leave {step}")

    async def _until(self, done: Callable[[dict[str, Any]], bool], timeout: float, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            case = await self._case()
            if done(case):
                return case
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.case_id} did not {what} (at {case['step']['code']})")
            await asyncio.sleep(0.3)

def _ok(r: httpx.Response) -> Any:
    if r.status_code not in (200, 201):
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}")
    return r.json()
