"""One driver for a case of any process: start it, decide its tasks as a given actor, read it, wait for it.

Everything goes through the HTTP API as the process's users would do it, except a start through
the Temporal client for a case no user starts (a tender's handover). The per-process drivers
(``factories_fund``, ``factories_election``, ``factories_tender``, ``factories_tickets``) add only
the calls their process really has: a fund case's countersign, an election's ballots, a tender's bids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from httpx import AsyncClient, Response
from temporalio.client import Client

from domain.access import Actor
from tests.clock import WAIT_TIMEOUT, NotMet, wait_until
from tests.factories import Cast

Json = dict[str, Any]
"""A JSON object as the API answers it: a case, a task, a problem."""

A = TypeVar("A")


class CaseDriver:
    """Drives one case of any process as its users would, as the cast's actors named by ``who``."""

    reader = "bureau"
    """Who reads the case unless a call names someone: the housing bureau sees every case in the city."""

    def __init__(self, api: AsyncClient, cast: Cast, case_id: str = "") -> None:
        self.api = api
        self.cast = cast
        self.case_id = case_id

    def headers(self, who: str | Actor, key: str | None = None) -> dict[str, str]:
        """The token of ``who`` (and an Idempotency-Key), for a call the driver does not make itself."""
        return self.cast.headers(who, key)

    def related(self, case_id: str) -> CaseDriver:
        """A driver for another case of the same cast, such as the handover a tender starts."""
        other = CaseDriver(self.api, self.cast, case_id)
        other.reader = self.reader
        return other

    # ----------------------------------------------------------------- start

    async def start_through_api(
        self, path: str, body: Json, *, who: str | Actor = "clerk", key: str | None = None, expect: int = 201,
    ) -> Response:
        """POST a new case to the process's start route; the driver then drives the case it answers with."""
        r = await self.api.post(path, json=body, headers=self.headers(who, key))
        assert r.status_code == expect, r.text
        if r.status_code in (200, 201):
            self.case_id = r.json()["id"]
        return r

    async def start_through_client(
        self, client: Client, run: Callable[[Any, A], Awaitable[Any]], arg: A, *, id: str, task_queue: str,
    ) -> None:
        """Start the case's workflow directly, as another workflow or the system would; wait_for reads it once projected."""
        await client.start_workflow(run, arg, id=id, task_queue=task_queue)
        self.case_id = id

    # ----------------------------------------------------------------- read

    async def case(self, who: str | Actor | None = None) -> Json:
        """The case as the read model holds it and ``who`` may see it."""
        r = await self.api.get(f"/cases/{self.case_id}", headers=self.headers(who or self.reader))
        assert r.status_code == 200, r.text
        body: Json = r.json()
        return body

    async def timeline(self, who: str | Actor | None = None) -> list[Json]:
        """Who did what, when, as ``who`` may see it."""
        r = await self.api.get(f"/cases/{self.case_id}/timeline", headers=self.headers(who or self.reader))
        assert r.status_code == 200, r.text
        entries: list[Json] = r.json()
        return entries

    async def inbox(self, who: str | Actor) -> list[Json]:
        """This case's tasks in ``who``'s inbox (the suite's shared database holds many other cases' tasks)."""
        r = await self.api.get("/inbox", params={"case_id": self.case_id}, headers=self.headers(who))
        assert r.status_code == 200, r.text
        items: list[Json] = r.json()
        return items

    async def tasks(self, step: str | None = None, *, note: str | None = None) -> list[Json]:
        """The open tasks, at ``step`` and with ``note`` in their note when given."""
        return _open_tasks(await self.case(), step, note)

    async def open_task(self, step: str, *, note: str | None = None) -> Json:
        """The first open task at ``step``; fails, saying where the case is, when there is none."""
        case = await self.case()
        tasks = _open_tasks(case, step, note)
        assert tasks, f"no open {step} task; case is at {case['step']['code']} with {[t['step']['code'] for t in case['open_tasks']]}"
        return tasks[0]

    # ----------------------------------------------------------------- decide

    async def decide(
        self, who: str | Actor, task: str | Json, decision: str, data: Json | None = None, comment: str | None = None, *,
        key: str | None = None, expect: int = 200, note: str | None = None,
    ) -> Response:
        """``who`` decides ``task``: a task read from the case, or the open task at that step (with ``note``)."""
        task_id = task["id"] if isinstance(task, dict) else (await self.open_task(task, note=note))["id"]
        r = await self.api.post(
            f"/cases/{self.case_id}/tasks/{task_id}/decisions",
            json={"decision": decision, "data": data or {}, "comment": comment}, headers=self.headers(who, key),
        )
        assert r.status_code == expect, r.text
        return r

    # ----------------------------------------------------------------- wait

    async def wait_for(
        self, *, step: str | None = None, status: str | None = None, open_task: str | None = None,
        within: float = WAIT_TIMEOUT,
    ) -> Json:
        """The case once it is at ``step``, has ``status`` and an open ``open_task`` task (those given).

        A case started through the Temporal client is waited for until its first projection lands.
        """

        seen: Json = {}

        async def matching() -> Json | None:
            nonlocal seen
            r = await self.api.get(f"/cases/{self.case_id}", headers=self.headers(self.reader))
            if r.status_code == 404:
                return None
            assert r.status_code == 200, r.text
            seen = r.json()
            if step is not None and seen["step"]["code"] != step:
                return None
            if status is not None and seen["status"]["code"] != status:
                return None
            if open_task is not None and not _open_tasks(seen, open_task, None):
                return None
            return seen

        try:
            return await wait_until(matching, within=within)
        except NotMet:
            where = (f"at {seen['step']['code']} ({seen['status']['code']}) with open {[t['step']['code'] for t in seen['open_tasks']]}"
                     if seen else "not in the read model")
            raise NotMet(f"case {self.case_id} not at step={step} status={status} open_task={open_task} "
                         f"within {within} s; it is {where}") from None


def _open_tasks(case: Json, step: str | None, note: str | None) -> list[Json]:
    return [
        t for t in case["open_tasks"]
        if (step is None or t["step"]["code"] == step) and (note is None or note in (t["note"] or ""))
    ]
