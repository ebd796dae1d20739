"""Who may read what of a case: each process's read policy, applied by every route that shows one.

A process names its policy in its spec (``read_policy="module:attribute"``); processes without
one get ``ReadPolicy`` itself. A policy decides three things, and every route asks it:

- ``can_read``: whether the caller may read the case at all (``access``: by jurisdiction, only
  where they hold or held a task, publicly, or never; ``domain.read_access``). A case they may
  not read answers 404 exactly like an unknown id, and the lists (``GET /cases``, the audit
  search, the inbox) filter on the same decision in SQL (``case_access``);
- ``view``: how much of the case they see (facts, tasks);
- ``timeline``: which timeline entries they see, and whose identity.

The generic case routes, the process routes, the timeline, the inbox and the audit routes all go
through here, so a rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound
from api.schemas import ActorRead, TimelineEntry
from core.registry import REGISTRY, resolve
from db.models import CaseRecord
from db.repositories import cases as cases_repo
from domain.access import Actor, Role, Scope
from domain.cases import CaseSnapshot
from domain.read_access import DEFAULT_ACCESS, Access, CaseAccess, access_of, readable

# Who reads every objector's identity, whatever the process: they review the case after the fact.
SUPERVISORY = (Role.AUDITOR, Role.ADMIN)
OBJECT = "object"


def case_scope(record: CaseRecord) -> Scope:
    return Scope(street_id=record.street_id, community_id=record.community_id, estate_id=record.estate_id)


class ReadPolicy:
    """The default: read by jurisdiction (task-bound roles where they hold a task), the case whole."""

    roles: Mapping[Role, Access] = DEFAULT_ACCESS
    """Each role's access to the process's cases; a role not named has none."""

    objection_answerers: tuple[Role, ...] = ()
    """The roles that answer an objection (and its escalation): with the objector and ``SUPERVISORY``
    the only ones who read an objector's identity (个人信息保护法 Arts. 6, 28)."""

    def access(self, actor: Actor) -> Access:
        """How the actor reaches this process's cases (the widest of their roles)."""
        return access_of(self.roles, actor)

    async def can_read(self, session: AsyncSession, actor: Actor, record: CaseRecord) -> bool:
        """Whether ``actor`` may read the case at all (its snapshot need not be loaded)."""
        return readable(self.access(actor), actor, case_scope(record), record.company_ids.split(), record.task_holders.split())

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, snap: CaseSnapshot) -> CaseSnapshot:
        """The case as ``actor`` may see it (``record`` may have its snapshot unloaded; ``snap`` is the case)."""
        if not snap.facts.get("objections"):
            return snap
        return snap.model_copy(update={"facts": self.facts_without_objectors(actor, snap.facts)})

    async def timeline(self, session: AsyncSession, actor: Actor, record: CaseRecord, entries: list[TimelineEntry]) -> list[TimelineEntry]:
        """The timeline entries ``actor`` may see, objectors anonymous to those who do not answer them."""
        if self.reads_objectors(actor):
            return entries
        return [anonymous(e) if e.decision is not None and e.decision.code == OBJECT and e.actor.subject != actor.subject else e
                for e in entries]

    def history_sealed(self, record: CaseRecord) -> str | None:
        """Why the raw Temporal history may not be exported now (it holds every payload), or None."""
        return None

    # ------------------------------------------------------------------ objections

    def reads_objectors(self, actor: Actor) -> bool:
        return actor.has_any((*self.objection_answerers, *SUPERVISORY))

    def facts_without_objectors(self, actor: Actor, facts: dict[str, Any]) -> dict[str, Any]:
        """The facts with each objection's author left out, except for the author and those who answer it."""
        if self.reads_objectors(actor):
            return facts
        objections = [
            o if o.get("by") == actor.subject else {k: v for k, v in o.items() if k not in OBJECTOR_FIELDS}
            for o in facts.get("objections", [])
        ]
        return {**facts, "objections": objections}


OBJECTOR_FIELDS = frozenset({"by", "name", "organisation", "household_id"})


def anonymous(entry: TimelineEntry) -> TimelineEntry:
    """The entry without who made it (the role stays: what kind of party acted)."""
    actor = ActorRead(subject="anonymous", name=None, role=entry.actor.role, organisation=None)
    return entry.model_copy(update={"actor": actor, "data": {}})


DEFAULT_POLICY = ReadPolicy()


@cache
def _policy(path: str | None) -> ReadPolicy:
    if path is None:
        return DEFAULT_POLICY
    policy = resolve(path)
    if not isinstance(policy, ReadPolicy):
        raise TypeError(f"{path} is not a ReadPolicy")
    return policy


def policy_for(kind: str) -> ReadPolicy:
    """The read policy of a process kind (the default when it declares none, or is not registered)."""
    spec = REGISTRY.get(kind)
    return _policy(spec.read_policy if spec is not None else None)


def case_access(actor: Actor) -> CaseAccess:
    """The actor's access to each registered process: what the lists and the inbox filter on."""
    return CaseAccess({s.kind: policy_for(s.kind).access(actor) for s in REGISTRY.specs()}, DEFAULT_POLICY.access(actor))


async def readable_case(session: AsyncSession, actor: Actor, case_id: str, *, snapshot: bool = True) -> CaseRecord:
    """The case if ``actor`` may read it; 404 otherwise, the same answer as for an id that does not exist,
    so case ids cannot be probed across jurisdictions."""
    record = await cases_repo.get_case(session, case_id, snapshot=snapshot)
    if record is None or not await policy_for(record.kind).can_read(session, actor, record):
        raise NotFound(f"no case {case_id}")
    return record
