"""A bounded schemathesis run: a few generated requests per operation, as four roles; no 5xx, conforming problems.

The cases are generated first (hypothesis, in a thread: its runner is synchronous) and then sent
through the suite's own client on its event loop, so the app keeps its Temporal client and
database; schemathesis then checks each answer against the published document.
"""

from __future__ import annotations

import asyncio
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from sqlalchemy import select, update

from api.main import create_app
from db.models import Expert
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.fixture_types import AsyncClient, Sessions, Settings

EXAMPLES_PER_OPERATION = 5
PROBLEM_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ANSWER_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def generate_cases(document: dict[str, Any]) -> list[Any]:
    """A few cases per operation, the same ones every run."""
    schema = schemathesis.openapi.from_dict(document)
    cases: list[Any] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
            phases=[Phase.generate], suppress_health_check=list(HealthCheck),
        )
        def collect(case: Any) -> None:
            cases.append(case)

        collect()
    return cases


def request_of(case: Any, token: str) -> dict[str, Any]:
    """The case as keyword arguments of httpx's ``request``, with the caller's token."""
    sent = case.as_transport_kwargs(base_url="http://test")
    headers = {**(sent.get("headers") or {}), "Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {"method": sent["method"], "url": sent["url"], "headers": headers, "params": sent.get("params")}
    if "json" in sent:
        out["json"] = sent["json"]
    elif sent.get("data") is not None:
        data = sent["data"]
        out["content" if isinstance(data, (bytes, str)) else "data"] = data
    return out


async def test_generated_requests_get_no_5xx_and_conforming_problems(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    callers = {
        "clerk": cast.actor("clerk"), "bureau": cast.actor("bureau"), "owner": cast.actor("owner"),
        "company": make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, cast.company_id),
    }
    tokens = {name: cast.headers(actor)["Authorization"][7:] for name, actor in callers.items()}
    document = create_app(settings).openapi()
    cases = await asyncio.to_thread(generate_cases, document)
    assert len({c.operation.label for c in cases}) == sum(
        1 for item in document["paths"].values() for method in item if method in {"get", "post", "put", "patch", "delete"}
    )
    async with sessions() as s:
        pool = set((await s.scalars(select(Expert.id))).all())
    failures: list[str] = []
    for case in cases:
        for who, token in tokens.items():
            response = await api.request(**request_of(case, token))
            checks = PROBLEM_CHECKS if response.status_code >= 400 else ANSWER_CHECKS
            try:
                case.validate_response(response, checks=checks)
            except Exception as exc:  # every failing check, each with the request that caused it
                failures.append(f"{who} {case.operation.label} -> {response.status_code}: {exc}"[:2000])
    # The bureau's generated bodies register experts (PUT /experts/{id}); out of the pool they go again,
    # or the tender tests would draw experts they do not know.
    async with sessions() as s:
        await s.execute(update(Expert).where(Expert.id.not_in(pool)).values(active=False))
        await s.commit()
    assert not failures, "\n\n".join(failures[:10]) + f"\n\n({len(failures)} failures)"
