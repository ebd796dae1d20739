"""Idempotency-Keys bound to the request they were first used for: one mechanism for every route that takes one.

A key names one request: its caller, route, target (the path's ids), decision and the SHA-256 of
its canonical body. The same request again is answered as the first time; another request with a
used key is refused (409 ``idempotency-key-reused``) and the refusal is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import IdempotencyKeyReused
from db.repositories import cases as cases_repo
from db.repositories import idempotency as keys_repo
from domain.access import Actor
from domain.audit import account_chain

UPDATE_ID_LIMIT = 200  # the audit log's update_id column


def _without_absent(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _without_absent(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [_without_absent(v) for v in value]
    return value


def canonical_body(raw: bytes) -> bytes:
    """A JSON body with sorted keys, no spacing, and members that are null or empty left out (as a default
    would leave them), so neither formatting nor an omitted default makes two requests differ; other bodies as sent."""
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        return raw
    return json.dumps(_without_absent(parsed), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class RequestPrint:
    """What is kept of a request body: its size and hash, never the body itself."""

    size: int
    sha256: str
    decision: str | None

    @classmethod
    def of(cls, raw: bytes) -> RequestPrint:
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        decision = parsed.get("decision") if isinstance(parsed, dict) else None
        return cls(size=len(raw), sha256=hashlib.sha256(canonical_body(raw)).hexdigest(),
                   decision=decision if isinstance(decision, str) else None)

    def as_audit(self) -> dict[str, Any]:
        return {"body_bytes": self.size, "body_sha256": self.sha256}


async def request_print(request: Request) -> RequestPrint:
    """The size and hash of the request's body (read once by FastAPI, cached on the request)."""
    return RequestPrint.of(await request.body())


@dataclass(frozen=True)
class KeyUse:
    """A key bound to this request; ``response`` is the answer its first use gave, if it has answered."""

    key: str
    fingerprint: str
    response: dict[str, Any] | None = None

    @property
    def update_id(self) -> str:
        """The Workflow Update id: the key AND the request, so Temporal never takes two requests for one."""
        key = self.key if len(self.key) + 17 <= UPDATE_ID_LIMIT else hashlib.sha256(self.key.encode()).hexdigest()
        return f"{key}#{self.fingerprint[:16]}"


def route_of(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


def target_of(request: Request) -> str:
    return json.dumps(dict(sorted(request.path_params.items())), separators=(",", ":"), ensure_ascii=False)


def fingerprint(subject: str, route: str, target: str, decision: str | None, body_sha256: str) -> str:
    """The request a key is bound to, as one hash."""
    return hashlib.sha256(json.dumps([subject, route, target, decision, body_sha256]).encode()).hexdigest()


async def bind_key(request: Request, actor: Actor, key: str | None) -> KeyUse | None:
    """Bind ``key`` to this request, or find it bound to it before; 409 (logged) if it names another request."""
    if not key:
        return None
    body = await request_print(request)
    route, target = route_of(request), target_of(request)
    mine = fingerprint(actor.subject, route, target, body.decision, body.sha256)
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    row = await keys_repo.claim(sessions, keys_repo.new_row(
        key=key, fingerprint=mine, actor_subject=actor.subject, route=route, target=target, decision=body.decision,
        body_sha256=body.sha256, at=datetime.now(UTC),
    ))
    if row.fingerprint != mine:
        detail = "this Idempotency-Key was used for another request; nothing was done: send a new key for a new request"
        await _log_reuse(sessions, request, actor, key, body, detail)
        raise IdempotencyKeyReused(detail)
    return KeyUse(key=key, fingerprint=mine, response=row.response)


async def _log_reuse(
    sessions: async_sessionmaker[AsyncSession], request: Request, actor: Actor, key: str, body: RequestPrint, detail: str,
) -> None:
    """The refused attempt goes to the chain of what it tried to act on (a case, an account), or of the case the key started."""
    from api.update_failures import log_refusal

    params = request.path_params
    chain: str | None = None
    async with sessions() as session:
        if (case_id := params.get("case_id") or params.get("ticket_id")) and await cases_repo.get_case(session, case_id):
            chain = case_id
        elif household := params.get("household_id"):
            chain = account_chain(household)
        elif (started := await cases_repo.find_start_request(session, f"start:{key}")) is not None:
            chain = started.case_id
    if chain is not None:
        context = {"task_id": params.get("task_id"), "decision": body.decision, "body": body.as_audit()}
        await log_refusal(sessions, chain, actor, IdempotencyKeyReused.code, detail, context)
