"""The election's own calls: its start, the preparatory group, nominations, the periods, ballots and the tally."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select

from db.models import Household
from domain.access import Actor, Level, Role
from tests.clock import skip_past
from tests.driver import CaseDriver, Json
from tests.factories import Cast, make_actor
from tests.fixture_types import Sessions, WorkflowEnvironment

PATH = "/cases/owners-election"


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
