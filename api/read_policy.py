"""Who may read what of a case: each process's read policy, applied by every route that shows one.

A process names its policy in its spec (``read_policy="module:attribute"``); processes without
one read by jurisdiction and see the case whole. The generic case routes, the process routes
and the timeline all ask ``policy_for(kind)``, so a rule lives in one place.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import CaseRead
from core.registry import REGISTRY, resolve
from db.models import CaseRecord
from domain.access import Actor


class ReadPolicy:
    """The default: the case as stored, for whoever may see it at all."""

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, case: CaseRead) -> CaseRead:
        """The case as ``actor`` may see it."""
        return case


DEFAULT_POLICY = ReadPolicy()


@cache
def policy_for(kind: str) -> ReadPolicy:
    """The read policy of a process kind (the default when it declares none)."""
    spec = REGISTRY.get(kind)
    if spec is None or spec.read_policy is None:
        return DEFAULT_POLICY
    policy = resolve(spec.read_policy)
    if not isinstance(policy, ReadPolicy):
        raise TypeError(f"{spec.read_policy} is not a ReadPolicy")
    return policy
