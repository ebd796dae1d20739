"""Who may read a case at all, and a household's fund ledger: the rules every read route applies.

Pure: the API's read policies (``api/read_policy.py``) decide with these, and the repositories
turn the same decisions into SQL for the lists (``db/repositories/cases.py``), so a case a
caller cannot open is never listed to them either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import IntEnum
from types import MappingProxyType

from domain.access import Actor, Level, Role, Scope, covers
from domain.tasks import HumanTask


class Access(IntEnum):
    """How a role reaches the cases of one process; a caller with several roles gets the widest."""

    NONE = 0
    """Never, through any route (owners and tickets)."""
    TASKS = 1
    """Only cases in their jurisdiction where they hold or held a task: city-wide roles whose work
    is a task (evaluation experts, the joint meeting) would otherwise see every case in the city."""
    JURISDICTION = 2
    """Every case in their jurisdiction; a company or department: the cases that name it."""
    PUBLIC = 3
    """Every case of the process, city-wide (a published tender, for property companies); the
    process's view decides how much of it they see."""


# The roles that read every case in their jurisdiction, unless a process says otherwise.
_BY_JURISDICTION = (
    Role.CLERK, Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR, Role.STREET_OFFICE, Role.COMMUNITY,
    Role.OWNERS_COMMITTEE, Role.OWNER_REP, Role.OWNER, Role.PROPERTY_COMPANY, Role.PRICING_AGENCY,
    Role.DEPARTMENT, Role.AUDITOR, Role.ADMIN,
)
# City-wide roles whose work is a task: the hotline centre's is tickets, an expert's one evaluation,
# the joint meeting's an escalation. Elsewhere they read only what they were given to do.
_BY_TASK = (Role.EXPERT, Role.JOINT_MEETING, Role.DISPATCHER)

DEFAULT_ACCESS: Mapping[Role, Access] = MappingProxyType({
    **dict.fromkeys(_BY_JURISDICTION, Access.JURISDICTION),
    **dict.fromkeys(_BY_TASK, Access.TASKS),
})


def access_of(table: Mapping[Role, Access], actor: Actor) -> Access:
    """The widest access the actor's roles give under ``table`` (roles it does not name: none)."""
    return max((table.get(r, Access.NONE) for r in actor.roles), default=Access.NONE)


def in_jurisdiction(actor: Actor, scope: Scope, company_ids: Iterable[str]) -> bool:
    """A case inside the actor's place in the city; for a company or department, a case that names it."""
    if actor.jurisdiction.level in (Level.COMPANY, Level.DEPARTMENT):
        return actor.jurisdiction.id is not None and actor.jurisdiction.id in set(company_ids)
    return covers(actor.jurisdiction, scope)


# ---------------------------------------------------------------------- who holds a task


ROLE_TOKEN = "role:"


def task_holders(tasks: Iterable[HumanTask]) -> list[str]:
    """Who holds or held a task of the case: an assignee by subject, else each role that could decide it.

    Stored with the case summary (``cases.task_holders``), so lists filter on it in SQL.
    """
    out: dict[str, None] = {}
    for task in tasks:
        if task.assignee:
            out[task.assignee] = None
            continue
        for role in (*task.candidate_roles, *task.countersign, *task.escalation_roles):
            out[f"{ROLE_TOKEN}{role.value}"] = None
    return list(out)


def holder_keys(actor: Actor) -> list[str]:
    """The tokens of ``task_holders`` that stand for this actor: their subject and each of their roles."""
    return [actor.subject, *(f"{ROLE_TOKEN}{r.value}" for r in actor.roles)]


def holds_task(actor: Actor, holders: Iterable[str]) -> bool:
    """Whether the actor holds or held one of the case's tasks."""
    return not set(holder_keys(actor)).isdisjoint(holders)


def readable(access: Access, actor: Actor, scope: Scope, company_ids: Iterable[str], holders: Iterable[str]) -> bool:
    """Whether a case with this place, these companies and task holders is readable with ``access``."""
    match access:
        case Access.PUBLIC:
            return True
        case Access.JURISDICTION:
            return in_jurisdiction(actor, scope, company_ids)
        case Access.TASKS:
            return in_jurisdiction(actor, scope, company_ids) and holds_task(actor, holders)
    return False


# ---------------------------------------------------------------------- fund ledgers (分户账)

# Who reads every household's ledger in their jurisdiction: the fund authority and auditors.
LEDGER_AUTHORITIES = (Role.HOUSING_BUREAU, Role.AUDITOR)


def reads_estate_ledgers(actor: Actor, scope: Scope, *, has_owners_committee: bool) -> bool:
    """Whether the actor reads every ledger of the estate at ``scope`` (balances in the household list too).

    The fund authority and auditors in their jurisdiction; the estate's owners' committee for its
    estate, or where there is none the residents' committee acting in its place (潍坊 Arts. 41–44).
    Property companies, pricing agencies, experts, the hotline and the joint meeting read none.
    """
    if actor.has_any(LEDGER_AUTHORITIES) and covers(actor.jurisdiction, scope):
        return True
    j = actor.jurisdiction
    if Role.OWNERS_COMMITTEE in actor.roles and j.level == Level.ESTATE and j.id == scope.estate_id:
        return True
    return (not has_owners_committee and Role.COMMUNITY in actor.roles and j.level == Level.COMMUNITY
            and j.id == scope.community_id)


def issues_top_up_notice(actor: Actor, scope: Scope, *, has_owners_committee: bool) -> bool:
    """Whether the actor gives the estate's owners their top-up notices (续交通知).

    潍坊 Art. 66 para. 2: 业主委员会、居民委员会负责组织续交 — the estate's owners' committee, or where there is
    none the residents' committee acting in its place (潍坊 Arts. 41–44). The fund authority records the
    money (the deposits), not the notice.
    """
    j = actor.jurisdiction
    if Role.OWNERS_COMMITTEE in actor.roles and j.level == Level.ESTATE and j.id == scope.estate_id:
        return True
    return (not has_owners_committee and Role.COMMUNITY in actor.roles and j.level == Level.COMMUNITY
            and j.id == scope.community_id)


def reads_unit_ledger(actor: Actor, scope: Scope, household_id: str, own_units: Iterable[str], *, has_owners_committee: bool) -> bool:
    """Whether the actor reads this household's ledger: an estate-wide reader, or its owner of record."""
    if reads_estate_ledgers(actor, scope, has_owners_committee=has_owners_committee):
        return True
    return Role.OWNER in actor.roles and covers(actor.jurisdiction, scope) and household_id in set(own_units)


# ---------------------------------------------------------------------- lists


class CaseAccess:
    """An actor's access to each process kind: what the case lists and the inbox filter on.

    ``other`` is the access to kinds no registered process names (the default policy's).
    """

    def __init__(self, by_kind: Mapping[str, Access], other: Access) -> None:
        self.by_kind = dict(by_kind)
        self.other = other

    def of(self, kind: str) -> Access:
        return self.by_kind.get(kind, self.other)

    def kinds_with(self, access: Access) -> list[str]:
        return sorted(k for k, a in self.by_kind.items() if a == access)
