"""Which start a case's workflow came from: its start token, kept in the workflow's memo and compared on a clash.

Case ids come from a counter in our database. After the database is restored from an older
backup while Temporal keeps its histories, the counter hands out ids a workflow already holds; the
API must then tell its own retry (the same Idempotency-Key and request) from a stranger's case.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus

from domain.access import Actor
from domain.audit import request_digest

START_MEMO = "wuyeflow_start"


class StartToken(BaseModel):
    """A start's identity: its Idempotency-Key (hashed with the caller; a fresh uuid without one) and its request's hash."""

    key: str
    request: str


def start_token(kind: str, actor: Actor, idempotency_key: str | None, request: BaseModel) -> StartToken:
    """The token a start stores in its workflow's memo: the same request with the same key makes the same token."""
    key = request_digest("start", actor.subject, idempotency_key) if idempotency_key else uuid.uuid4().hex
    body = request.model_dump_json().encode("utf-8")
    return StartToken(key=key, request=hashlib.sha256(kind.encode("utf-8") + b"\n" + body).hexdigest())


@dataclass(frozen=True)
class WorkflowOwner:
    """The workflow that holds a case id: the token it was started with (None: started before tokens) and whether it runs."""

    token: StartToken | None
    running: bool


async def workflow_owner(client: Client, case_id: str) -> WorkflowOwner:
    """Describe the workflow holding ``case_id`` (its latest run) and read its start token."""
    description = await client.get_workflow_handle(case_id).describe()
    memo = await description.memo()
    raw = memo.get(START_MEMO)
    token = StartToken.model_validate(raw) if isinstance(raw, dict) else None
    return WorkflowOwner(token=token, running=description.status == WorkflowExecutionStatus.RUNNING)
