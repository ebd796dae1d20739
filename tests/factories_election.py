"""The election's own calls: its start, the preparatory group, nominations, the periods, ballots and the tally."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select

from db.models import Household
from domain.access import Actor, Level, Role
from domain.rules import ELECTION
from tests.clock import skip_past
from tests.driver import CaseDriver, Json
from tests.factories import Cast, make_actor
from tests.fixture_types import Sessions, WorkflowEnvironment

PATH = "/cases/owners-election"

# Facts as the read model stored them before they were typed: ISO strings with +00:00, keys absent
# until set, no ``kind``. Running cases keep such snapshots until their next change.
STORED_FACTS: dict[str, Any] = {
    "estate_id": "e1", "election_kind": "re_election", "election_kind_label": "换届选举", "trigger": "clerk",
    "description": "换届选举", "attempt": 1, "failed_attempts": 0, "rules": ELECTION.model_dump(mode="json"),
    "group_formed_at": "2026-11-30T06:00:00.123000+00:00", "notice_end": "2026-12-31T16:00:00+00:00",
    "group_notice": "小区公告栏", "estate_name": "测试小区", "households": 24, "area_m2": "2400.00", "owners": 24,
    "group": {"label": "换届小组", "members": [{"name": "街道代表", "role": "street_rep", "household_id": None, "leader": True}],
              "seats": 5, "term_years": 5},
    "seats": 5,
    "candidates": [
        {"id": "c1", "order": 1, "household_id": "e1-101", "name": "业主一", "party_member": True, "channel": "party_org",
         "co_nominators": [], "statement": "", "nominated_by": "community-1", "nominated_by_name": "社区", "status": "qualified",
         "reason": None, "findings": [], "status_label": "资格审查通过", "channel_label": "社区党组织推荐"},
        {"id": "c2", "order": 2, "household_id": "e1-102", "name": "业主二", "party_member": False, "channel": "self",
         "co_nominators": [], "statement": "", "nominated_by": "e1-102", "nominated_by_name": "业主二", "status": "rejected",
         "reason": "欠缴物业费", "findings": ["欠缴物业费 1234.56 元"], "status_label": "资格审查未通过", "channel_label": "业主自荐"},
    ],
    "objections": [{"kind": "identity", "kind_label": "业主身份异议", "household_id": "e1-107", "text": "身份有误",
                    "by": "e1-107", "name": "业主七", "at": "2026-12-20T01:00:00+00:00", "task_id": "t5"}],
    "attempts": [{"attempt": 1, "election_id": "case-1:1", "voters": 24, "voting_opened_at": "2027-01-01T16:00:00+00:00",
                  "voting_end": "2027-01-08T16:00:00+00:00"}],
}


def owner_of(cast: Cast, owner_key: str) -> Actor:
    """An owner's token: the subject is their owner key (a unit's id unless the registry links units)."""
    return make_actor(Role.OWNER, Level.ESTATE, cast.estate_id, subject=owner_key)


def auth(cast: Cast, actor: Actor, key: str | None = None) -> dict[str, str]:
    """The headers of an actor made for one test, such as an owner by their owner key."""
    return cast.headers(actor, key)


def group_members(cast: Cast, owners: int = 4, size: int = 7) -> list[dict[str, Any]]:
    """A valid preparatory group: the street's representative leads, owners fill ``owners`` seats."""
    members: list[dict[str, Any]] = [{"name": "街道代表", "role": "street_rep", "leader": True}]
    members += [{"name": f"业主代表{i}", "role": "owner", "household_id": cast.households[i]} for i in range(owners)]
    others = ["party_org", "residents_committee", "developer", "property_company"]
    members += [{"name": f"{r}代表", "role": r} for r in others[: size - len(members)]]
    return members


class ElectionDriver(CaseDriver):
    """A 业委会选举换届 case; the street office reads it, since it sees every finding."""

    reader = "street"

    def __init__(self, api: AsyncClient, cast: Cast, sessions: Sessions) -> None:
        super().__init__(api, cast)
        self.sessions = sessions

    async def names(self) -> dict[str, str]:
        """Each unit's owner of record, as a nomination names them."""
        async with self.sessions() as s:
            rows = (await s.execute(select(Household.id, Household.owner_name).where(Household.estate_id == self.cast.estate_id))).all()
        return dict(rows)

    async def start(self, kind: str = "re_election", who: str = "clerk", expect: int = 201, **extra: Any) -> Response:
        body = {"estate_id": self.cast.estate_id, "kind": kind, "description": "换届选举", **extra}
        return await self.start_through_api(PATH, body, who=who, expect=expect)

    async def form_group(self, seats: int = 5) -> None:
        await self.decide("street", "group_formation", "submit", {"members": group_members(self.cast), "seats": seats})
        await self.decide("street", "group_publication", "confirm", {"notice": "小区公告栏书面公告"})

    async def nominate(self, count: int, party: int = 3, first: int = 0) -> list[str]:
        """``count`` nominations by the community (the first ``party`` of them Party members); returns candidate ids."""
        names = await self.names()
        ids = []
        for i in range(first, first + count):
            h = self.cast.households[i]
            channel = "party_org" if i - first < party else "residents_committee"
            r = await self.api.post(f"{PATH}/{self.case_id}/nominations", headers=self.headers("community"),
                                    json={"household_id": h, "name": names[h], "party_member": i - first < party, "channel": channel})
            assert r.status_code == 200, r.text
            ids.append(r.json()["facts"]["candidates"][-1]["id"])
        return ids

    async def _period_passes(self, env: WorkflowEnvironment, end: str, then: str) -> Json:
        """The period ending at the fact ``end`` passes (its timer fires); the case is then at step ``then``."""
        await skip_past(env, datetime.fromisoformat((await self.case())["facts"][end]))
        return await self.wait_for(step=then)

    async def close_nominations(self, env: WorkflowEnvironment) -> None:
        await self._period_passes(env, "nomination_end", "qualification_review")

    async def review(self, rejections: list[dict[str, str]] | None = None, expect: int = 200, **data: Any) -> Response:
        return await self.decide("street", "qualification_review", "approve", {"rejections": rejections or [], **data}, expect=expect)

    async def end_notice(self, env: WorkflowEnvironment) -> None:
        await self._period_passes(env, "notice_end", "voting")

    async def to_voting(self, env: WorkflowEnvironment, candidates: int = 6, seats: int = 5) -> list[str]:
        await self.form_group(seats)
        ids = await self.nominate(candidates)
        await self.close_nominations(env)
        await self.review()
        await self.end_notice(env)
        return ids

    async def paper(self, lines: list[dict[str, Any]], expect: int = 201, key: str | None = None) -> Response:
        r = await self.api.post(f"{PATH}/{self.case_id}/ballots/paper", json={"ballots": lines}, headers=self.headers("clerk", key))
        assert r.status_code == expect, r.text
        return r

    async def close_voting(self, env: WorkflowEnvironment, then: str) -> Json:
        return await self._period_passes(env, "voting_end", then)

    async def tally(self) -> list[Json]:
        r = await self.api.get(f"{PATH}/{self.case_id}/tally", headers=self.headers("auditor"))
        assert r.status_code == 200, r.text
        results: list[Json] = r.json()
        return results

    async def recount(self, attempt: int = 1) -> Json:
        r = await self.api.get(f"{PATH}/{self.case_id}/tally/{attempt}/recount", headers=self.headers("auditor"))
        assert r.status_code == 200, r.text
        result: Json = r.json()
        return result
