"""Every route × every kind of caller (own place, another street, another estate, another company) answers as
``authorisation_matrix`` declares; a route of the app without a row fails the walk, so no route ships undeclared."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from httpx import AsyncClient, Response

from api.main import create_app
from core.registry import REGISTRY
from domain.access import Actor, Level, Role
from domain.rules import TICKET
from tests.api.authorisation_matrix import CALLERS, LISTS, OMITS, READERS, ROWS, Answer, Row
from tests.clock import skip_past
from tests.factories import Cast, create_test_estate, make_actor
from tests.factories_election import ElectionDriver, owner_of
from tests.factories_fund import FundCaseDriver
from tests.factories_tender import BIDDERS, TenderDriver
from tests.factories_tickets import TicketDriver
from tests.fixture_types import Sessions, Settings, WorkflowEnvironment
from tests.toy_process.spec import SPEC as TOY


@dataclass
class World:
    """One estate's cases of every process, who calls, and the values the rows' placeholders stand for."""

    cast: Cast
    callers: dict[str, Actor]
    cases: dict[str, str]
    values: dict[str, Any]

    def fill(self, value: Any) -> Any:
        """The row's value with its placeholders (``{estate}``, ``{ticket}`` …) replaced."""
        if isinstance(value, str):
            if value.startswith("{") and value.endswith("}") and value[1:-1] in self.values:
                return self.values[value[1:-1]]
            for key, known in self.values.items():
                if isinstance(known, str):
                    value = value.replace("{" + key + "}", known)
            return value
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value

    def url(self, row: Row) -> str:
        params = {k: self.fill(v) for k, v in row.params.items()}
        if row.case is not None:
            params["case_id"] = self.cases[row.case]
        return row.path.format(**params)


async def _build_world(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> World:
    cast = await create_test_estate(sessions, settings)
    other = await create_test_estate(sessions, settings)
    # The cases are started by people who are not among the callers, so no caller may withdraw them.
    cast.actors["initiator"] = make_actor(Role.CLERK, Level.STREET, cast.street_id)
    cast.actors["intake"] = make_actor(Role.DISPATCHER, Level.CITY)

    # First what needs the clock moved: a whistle the department leaves unanswered climbs to the joint
    # meeting, and a tender's bids are opened at its deadline.
    whistled = TicketDriver(api, cast)
    await whistled.start("committee_conduct", who="intake")
    await whistled.decide("community", "acceptance", "sign")
    r = await api.post(f"/tickets/{whistled.case_id}/whistle", json={"department_id": "dept-police", "reason": "业委会换届现场有人堵门"},
                       headers=cast.headers("community"))
    assert r.status_code == 200, r.text
    whistled_at = await env.get_current_time()
    tender = TenderDriver(api, env, settings, cast.estate_id)
    tender.cast = cast
    deadline = (await env.get_current_time()) + timedelta(days=21)
    await tender.start_through_api("/cases/tender", {
        "estate_id": cast.estate_id, "selection": "reselection", "method": "comprehensive", "summary": "物业服务招标",
        "bid_deadline": deadline.isoformat(), "outgoing": {"reason": "dismissal"},
    }, who="initiator", key=uuid.uuid4().hex)
    for i, company in enumerate(BIDDERS):
        await tender.bid(company, price=110 + i * 5)
    await skip_past(env, max(deadline, whistled_at + TICKET.whistle_report_period + TICKET.whistle_street_period))
    evaluation = await tender.wait_for(step="evaluation")
    await whistled.wait_for(open_task="whistle_joint_meeting")

    # Then the cases that only wait.
    fund = FundCaseDriver(api, cast)
    await fund.start(who="initiator")
    election = ElectionDriver(api, cast, sessions)
    await election.start(who="initiator")
    ticket = TicketDriver(api, cast)
    intake = ticket.body("service_quality")
    await ticket.start_through_api("/tickets", intake, who="intake")

    draw = evaluation["facts"]["expert_draw"]
    drawn = draw["draws"][0]["chosen"][0]
    idle = next(e["expert_id"] for e in draw["expert_pool"]
                if e["expert_id"] not in {x["expert_id"] for x in draw["exclusions"]} and all(e["expert_id"] not in d["chosen"] for d in draw["draws"]))
    actors = cast.actors
    callers = {
        "clerk": actors["clerk"], "street": actors["street"], "community": actors["community"],
        "street_auditor": make_actor(Role.AUDITOR, Level.STREET, cast.street_id),
        "committee": actors["committee"], "owner_rep": actors["owner_rep"], "owner": owner_of(cast, cast.households[0]),
        "other_clerk": actors["other_clerk"], "other_street": actors["other_street"], "other_community": actors["other_community"],
        "other_street_auditor": make_actor(Role.AUDITOR, Level.STREET, "wangfu"),
        "other_estate_committee": other.actors["committee"], "other_estate_owner_rep": other.actors["owner_rep"],
        "other_estate_owner": owner_of(other, other.households[0]),
        "bureau": actors["bureau"], "supervisor": actors["supervisor"], "auditor": actors["auditor"], "admin": actors["admin"],
        "dispatcher": actors["dispatcher"], "joint": actors["joint"],
        "drawn_expert": cast.actor(drawn), "expert": cast.actor(idle),
        "company": cast.actor(cast.company_id), "agency": actors["agency"], "bidder": cast.actor(BIDDERS[0]),
        "unrelated_company": cast.actor("co-anju"),
        "dept_police": actors["dept-police"], "dept_other": actors["dept-enforcement"],
    }
    assert set(callers) == set(CALLERS)
    cases = {"fund": fund.case_id, "election": election.case_id, "tender": tender.case_id, "ticket": ticket.case_id,
             "whistled": whistled.case_id, "unknown": f"fund-emergency-{cast.estate_id}-20200101-99"}
    values: dict[str, Any] = {
        "estate": cast.estate_id, "household": cast.households[0], "ticket": ticket.case_id, "whistled": whistled.case_id,
        "fund": fund.case_id, "ticket_intake": intake, "company": cast.company_id, "tomorrow": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    }
    return World(cast=cast, callers=callers, cases=cases, values=values)


@pytest_asyncio.fixture(scope="module")
async def world(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> AsyncIterator[World]:
    yield await _build_world(api, env, sessions, settings)


def _routes() -> set[tuple[str, str]]:
    """Every operation the app publishes (its OpenAPI document lists each route it mounts)."""
    paths: dict[str, dict[str, Any]] = create_app().openapi()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def test_every_route_has_a_row() -> None:
    """A new route must say who may call it: the walk covers exactly the app's routes."""
    declared, routes = {(row.method, row.path) for row in ROWS}, _routes()
    missing = sorted(routes - declared)
    assert not missing, "routes without a row in tests/api/authorisation_matrix.py: " + ", ".join(f"{m} {p}" for m, p in missing)
    stale = sorted(declared - routes)
    assert not stale, "rows for routes the app does not have: " + ", ".join(f"{m} {p}" for m, p in stale)
    for row in ROWS:
        assert set(row.expect) == set(CALLERS), (row.method, row.path)


def test_a_process_added_without_rows_fails_the_walk() -> None:
    """Registering a process mounts its routes: until the matrix says who may call them, the walk fails."""
    declared = {(row.method, row.path) for row in ROWS}
    with REGISTRY.registered(TOY):
        missing = _routes() - declared
    assert missing == {("POST", "/cases/toy-approval")}


def _answer(row: Row, r: Response, case_id: str | None) -> Answer:
    """What the caller got: the status, or for a list row whether the case is in the list."""
    is_list = bool({LISTS, OMITS} & set(row.expect.values()))
    if r.status_code != 200 or not is_list:
        return r.status_code
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    listed = any(i.get("id", i.get("case_id")) == case_id for i in items)
    return LISTS if listed else OMITS


async def _ask(api: AsyncClient, world: World, row: Row, who: str | None) -> Response:
    headers = world.cast.headers(world.callers[who]) if who is not None else {}
    body = world.fill(row.body)
    query = {k: world.fill(v) for k, v in row.query.items()}
    return await api.request(row.method, world.url(row), json=body, params=query, headers=headers)


@pytest.fixture
def quiet() -> Iterator[None]:
    """Some 3,000 requests: their request and refusal log lines cost more than the requests themselves."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


async def test_every_route_answers_every_caller_as_the_matrix_says(api: AsyncClient, world: World, quiet: None) -> None:
    violations: list[str] = []
    for row in ROWS:
        case_id = world.cases.get(row.case or "")
        url = world.url(row)
        anonymous = await _ask(api, world, row, None)
        if anonymous.status_code != row.anonymous:
            violations.append(f"{row.method} {url} without a token: {anonymous.status_code}, expected {row.anonymous}")
        # Reads go out together; writes one at a time (each refusal is appended to the case's audit chain).
        callers = list(CALLERS)
        if row.method == "GET":
            answers = await asyncio.gather(*(_ask(api, world, row, who) for who in callers))
        else:
            answers = [await _ask(api, world, row, who) for who in callers]
        for who, r in zip(callers, answers, strict=True):
            got, expected = _answer(row, r, case_id), row.expect[who]
            if got == 500 or got != expected:
                detail = r.json().get("detail") if r.headers.get("content-type", "").endswith("json") and isinstance(r.json(), dict) else ""
                violations.append(f"{row.method} {row.path} [{row.case or ''}] as {who}: {got}, expected {expected} ({detail})")
    assert not violations, f"{len(violations)} answers differ from the matrix:\n" + "\n".join(violations)


async def test_the_inbox_never_lists_a_case_its_reader_cannot_open(api: AsyncClient, world: World) -> None:
    for who, actor in world.callers.items():
        rows = (await api.get("/inbox", params={"limit": "500"}, headers=world.cast.headers(actor))).json()
        for case_id in {i["case_id"] for i in rows}:
            r = await api.get(f"/cases/{case_id}", headers=world.cast.headers(actor))
            assert r.status_code == 200, (who, case_id, r.text)


async def test_a_case_out_of_reach_answers_exactly_as_an_unknown_one(api: AsyncClient, world: World, quiet: None) -> None:
    """Nothing in a 404 tells a case that exists from one that does not: ids cannot be probed."""
    case_routes = sorted({(row.method, row.path, json.dumps(row.body, sort_keys=True), json.dumps(dict(row.params), sort_keys=True))
                          for row in ROWS if "{case_id}" in row.path and not row.path.startswith("/audit")})
    probes = ("other_street", "other_estate_owner", "dept_other")
    for method, path, body, params in case_routes:
        unknown = Row(method, path, {}, "unknown", json.loads(params), body=json.loads(body))
        for who in probes:
            expected = await _ask(api, world, unknown, who)
            if expected.status_code != 404:
                continue  # refused before any case is looked up (the caller's role)
            for case, readers in READERS.items():
                if case == "unknown" or who in readers:
                    continue
                got = await _ask(api, world, Row(method, path, {}, case, json.loads(params), body=json.loads(body)), who)
                assert got.status_code == 404, (case, method, path, who, got.text)
                assert _problem(got, world.cases[case]) == _problem(expected, world.cases["unknown"]), (case, method, path, who)


def _problem(r: Response, case_id: str) -> dict[str, Any]:
    body = r.json()
    return {k: (v.replace(case_id, "<id>") if isinstance(v, str) else v) for k, v in body.items()}
