"""Auditors: search, timeline, raw history that replays, replay verification, chain checks, limits."""

from __future__ import annotations

import io
import json

import pytest
from temporalio.client import WorkflowHistory

from api.auth import issue_token
from core.audit_cli import parser, run_replay, run_verify_log
from core.replay import verify_history
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.fund_workflow_changes import ChangedFundEmergency, PatchedFundEmergency
from tests.golden_recorder import GOLDEN_DIR


def auditor_headers(settings: Settings, level: Level = Level.CITY, jid: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.AUDITOR, level, jid))}"}


async def test_auditor_reads_searches_exports_and_replays(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("bureau", "budget_submission", "submit", {"amount_fen": 1}, expect=403)  # a refused attempt
    auditor = auditor_headers(settings)

    found = (await api.get("/audit/cases", params={"actor": cast.actors["company"].subject}, headers=auditor)).json()
    assert [c["id"] for c in found["items"]] == [drv.case_id]
    found = (await api.get("/audit/cases", params={"key": cast.estate_id, "kind": "fund-emergency"}, headers=auditor)).json()
    assert found["total"] == 1

    timeline = (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=auditor)).json()
    kinds = {e["kind"] for e in timeline}
    assert {"step", "decision", "rejected"} <= kinds
    signed = [e for e in timeline if e["kind"] == "decision"]
    assert {e["actor"]["role"]["label"] for e in signed} == {"业主代表", "业主委员会", "物业服务企业"}
    assert all(e["actor"]["organisation"] for e in signed)

    r = await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    history = WorkflowHistory.from_json(drv.case_id, r.json())
    assert (await verify_history(history)).consistent
    report = (await api.post(f"/audit/cases/{drv.case_id}/replay", headers=auditor)).json()
    assert report["consistent"] is True and report["events"] == len(history.events)

    chain = (await api.get(f"/audit/cases/{drv.case_id}/audit-log/verify", headers=auditor)).json()
    assert chain["intact"] is True and chain["entries"] == len(timeline)


async def test_a_nondeterministic_change_is_reported_with_its_event() -> None:
    path = GOLDEN_DIR / "fund-emergency-happy-path.json"
    history = WorkflowHistory.from_json("golden", json.loads(path.read_text(encoding="utf-8")))
    assert (await verify_history(history)).consistent
    report = await verify_history(history, workflows=[ChangedFundEmergency])
    assert not report.consistent
    assert report.error_type and "ondeterminism" in (report.error or "")
    assert report.event_id is not None and 1 < report.event_id < len(history.events)
    assert report.event_type == "EVENT_TYPE_MARKER_RECORDED"  # where the new timer would have to be
    # The same change behind workflow.patched keeps the recorded case consistent.
    assert (await verify_history(history, workflows=[PatchedFundEmergency])).consistent


async def test_auditors_cannot_decide_and_see_only_their_jurisdiction(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    task = await drv.open_task("onsite_verification")
    r = await api.post(f"/cases/{drv.case_id}/tasks/{task['id']}/decisions", json={"decision": "confirm"}, headers=auditor_headers(settings))
    assert r.status_code == 403
    elsewhere = auditor_headers(settings, Level.STREET, "wangfu")
    assert (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=elsewhere)).status_code == 404  # as for an unknown id
    assert (await api.get("/audit/cases", params={"estate_id": cast.estate_id}, headers=elsewhere)).json()["total"] == 0
    here = auditor_headers(settings, Level.STREET, "yidu")
    assert (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=here)).status_code == 200
    # Non-auditors are kept out of the audit endpoints.
    assert (await api.get("/audit/cases", headers=cast.headers("bureau"))).status_code == 403


async def test_the_command_line_tool_replays_and_checks_a_filter_of_cases(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    cast = await create_test_estate(sessions, settings)
    for _ in range(2):
        drv = FundCaseDriver(api, cast)
        await drv.start()
        await drv.verify()
    args = parser().parse_args(["replay", "--estate", cast.estate_id])
    out = io.StringIO()
    assert await run_replay(args, out, client=env.client) == 0
    assert "replayed 2 histories: 2 consistent, 0 inconsistent" in out.getvalue()
    assert "2/2" in capsys.readouterr().err  # the progress bar
    out = io.StringIO()
    assert await run_verify_log(parser().parse_args(["verify-log", "--estate", cast.estate_id]), out, client=env.client) == 0
    assert "checked 2 audit chains: 2 intact, 0 broken" in out.getvalue()


async def test_an_election_timeline_reads_in_business_terms(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    from tests.factories_election import ElectionDriver

    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group(seats=5)
    timeline = (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=auditor_headers(settings))).json()
    steps = [e["step"]["label"] for e in timeline if e["step"]]
    assert "组建筹备组（换届小组）" in steps
    decisions = [e for e in timeline if e["kind"] == "decision"]
    assert decisions and decisions[0]["actor"]["role"]["code"] == "street_office"
    assert decisions[0]["data"]["members"]  # the group's members as submitted
    report = (await api.get(f"/audit/cases/{drv.case_id}/audit-log/verify", headers=auditor_headers(settings))).json()
    assert report["intact"] and report["entries"] == len(timeline)


async def test_owners_see_what_other_owners_did_but_not_who(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.decide("owner_rep", "onsite_verification", "confirm", comment="我家楼上漏水")
    rep = cast.actors["owner_rep"]
    as_owner = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("owner"))).json()
    signed = [e for e in as_owner if e["kind"] == "decision"]
    assert signed and signed[0]["actor"]["subject"] == "owner" and signed[0]["actor"]["name"] is None
    assert signed[0]["comment"] is None and signed[0]["actor"]["role"]["code"] == "owner_rep"
    as_rep = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("owner_rep"))).json()
    assert next(e for e in as_rep if e["kind"] == "decision")["actor"]["subject"] == rep.subject
    as_street = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("street"))).json()
    assert next(e for e in as_street if e["kind"] == "decision")["comment"] == "我家楼上漏水"
