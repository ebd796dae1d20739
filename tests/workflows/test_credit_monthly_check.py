"""月检查 end to end: the street's sheet, the company's rectification, the re-check, the bad record and the quarter's grade."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

import pytest_asyncio

from activities.credit import CreditActivities, DraftRequest
from db.repositories import credit as credit_repo
from domain.access import Role
from domain.credit_facts import AssessmentLine
from tests.clock import skip_past, wait_until
from tests.driver import CaseDriver
from tests.factories import Cast
from tests.factories_credit import clear_quarter
from tests.factories_credit_check import company_serving_yidu, sheet, start_check
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden

MONTH, QUARTER = "2027-02", "2027Q1"


@pytest_asyncio.fixture
async def quarter(sessions: Sessions) -> AsyncIterator[str]:
    yield QUARTER
    await clear_quarter(sessions, QUARTER)


async def file_records(drv: CaseDriver, company: str) -> list[dict[str, object]]:
    r = await drv.api.get(f"/credit/companies/{company}/file", headers=drv.headers("bureau"))
    assert r.status_code == 200, r.text
    records: list[dict[str, object]] = r.json()["records"]
    return records


async def test_an_unrectified_item_is_a_bad_record_that_lowers_the_grade_and_a_rectified_one_is_not(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings, quarter: str,
) -> None:
    late, prompt = await company_serving_yidu(sessions), await company_serving_yidu(sessions)
    unrectified, rectified = await start_check(api, env, settings, late, MONTH), await start_check(api, env, settings, prompt, MONTH)
    # The street's task is in its inbox, not in another street's; the company reads its own case only.
    assert [t["step"]["label"] for t in await unrectified.inbox("street")] == ["月检查"]
    assert await unrectified.inbox("other_street") == []
    assert (await api.get(f"/cases/{unrectified.case_id}", headers=unrectified.headers(prompt))).status_code == 404
    # Both score 50 of 100 (a quarter's check average of 50 is 5 points) with safety deficient, 10 days to rectify.
    half = sheet(deficient="safety", service_standards=20, fees_published=10, complaint_handling=10, safety=10)
    await unrectified.decide(late, "check", "submit", half, expect=403)  # the company reads its case, the sheet is the street's
    for drv in (unrectified, rectified):
        await drv.decide("street", "check", "submit", half)
    case = await unrectified.wait_for(step="rectification", open_task="rectification")
    assert Decimal(case["facts"]["score"]) == Decimal(50)
    [safety] = [i for i in case["facts"]["items"] if i["item"] == "safety"]
    assert (safety["status"], safety["status_label"]) == ("rectifying", "整改中")
    # The follow-up is the company's, due at 24:00 of the tenth day.
    [follow_up] = await unrectified.inbox(late)
    assert follow_up["step"]["label"] == "整改" and follow_up["due_at"] is not None

    # The prompt company reports; the street finds it rectified: no record.
    await rectified.wait_for(open_task="rectification")
    await rectified.decide(prompt, "rectification", "submit", {"action": "已清理消防通道并设置警示标识"})
    await rectified.wait_for(step="recheck", open_task="recheck")
    await rectified.decide("street", "recheck", "rectified", comment="现场复查已整改")
    done = await rectified.wait_for(status="completed")
    assert [i["status"] for i in done["facts"]["items"] if i["item"] == "safety"] == ["rectified"]

    # The late company lets the deadline pass: its follow-up closes and the street re-checks.
    await skip_past(env, datetime.fromisoformat(safety["rectify_by"]))
    await unrectified.wait_for(step="recheck", open_task="recheck")
    await unrectified.decide("street", "recheck", "unrectified", expect=422)  # a failed re-check says why
    await unrectified.decide("street", "recheck", "unrectified", comment="消防通道仍有杂物")
    closed = await unrectified.wait_for(status="completed")
    [item] = [i for i in closed["facts"]["items"] if i["item"] == "safety"]
    assert item["status"] == "unrectified" and item["credit_record_id"] is not None

    # One bad record in the late company's file, recorded by the street, with the check case as its source.
    [record] = await file_records(unrectified, late)
    assert (record["type"], record["kind"], record["points"], record["case_id"]) == (
        "monthly_check_unrectified", "bad", -2, unrectified.case_id)
    assert record["recording_role"] == Role.STREET_OFFICE.value
    assert await file_records(rectified, prompt) == []

    # The quarter's draft takes both checks' average (50 → 5 points): the record takes the late company from A to B.
    at = await env.get_current_time()
    await CreditActivities(sessions).draft(DraftRequest(case_id="test-credit-monthly-check", quarter=quarter, at=at))
    async with sessions() as s:
        lines = {c: AssessmentLine.model_validate((await credit_repo.line_of(s, quarter, c)).line) for c in (late, prompt)}  # type: ignore[union-attr]
    assert lines[prompt].score.checks == lines[late].score.checks == Decimal("5.00")
    assert (lines[prompt].score.total, lines[prompt].grade.value) == (Decimal("70.00"), "A")
    assert (lines[late].score.total, lines[late].grade.value) == (Decimal("68.00"), "B")
    await keep_golden(env.client, unrectified.case_id, "credit-monthly-check-unrectified")


async def test_a_sheet_that_does_not_fit_the_rules_is_refused_as_a_problem(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = await start_check(api, env, settings, await company_serving_yidu(sessions), MONTH)
    missing = sheet()
    missing["items"] = missing["items"][:3]
    cases = {
        "missing item": (missing, ["data", "items"]),
        "over the maximum": (sheet(fees_published=21), ["data", "items", 1, "score"]),
        "period too long": (sheet(deficient="safety", days=31), ["data", "items", 3, "rectify_days"]),
        "unknown item": ({"items": [*sheet()["items"], {"item": "greening", "score": 1}]}, ["data", "items", 4, "item"]),
    }
    for name, (body, loc) in cases.items():
        r = await drv.decide("street", "check", "submit", body, expect=422)
        assert r.headers["content-type"].startswith("application/problem+json"), name
        assert loc in [e["loc"] for e in r.json()["errors"]], (name, r.json())
    r = await drv.decide("street", "check", "submit", {"items": [{"item": "safety", "score": -1}]}, expect=422)
    assert r.headers["content-type"].startswith("application/problem+json")
    # Nothing was taken: the sheet is still open.
    await drv.wait_for(step="check", open_task="check")
    r = await api.get("/credit/checks/2027-13", headers=drv.headers("bureau"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = await api.post("/credit/checks", json={"month": "27-01"}, headers=drv.headers("bureau"))
    assert r.status_code == 422


async def test_the_month_results_are_read_by_the_city_the_street_and_the_company_each_its_own(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    company = await company_serving_yidu(sessions)
    drv = await start_check(api, env, settings, company, "2027-03")
    await drv.decide("street", "check", "submit", sheet())
    await drv.wait_for(status="completed")

    async def seen(who: str) -> list[str]:
        r = await api.get("/credit/checks/2027-03", headers=drv.headers(who))
        assert r.status_code == 200, r.text
        return [x["case_id"] for x in r.json() if x["company_id"] == company]

    assert await wait_until(lambda: seen("bureau")) == [drv.case_id]
    assert await seen("street") == [drv.case_id] and await seen(company) == [drv.case_id]
    assert await seen("other_street") == [] and await seen("company") == []
    assert (await api.get("/credit/checks/2027-03", headers=drv.headers("community"))).status_code == 403


async def test_the_process_describes_its_forms_for_the_workbench(api: AsyncClient, settings: Settings) -> None:
    drv = CaseDriver(api, Cast(settings=settings, estate_id=""))
    r = await api.get("/processes/credit-monthly-check", headers=drv.headers("street"))
    assert r.status_code == 200, r.text
    steps = {s["code"]: s for s in r.json()["steps"]}
    assert [(s["label"], [d["code"] for d in s["decisions"]]) for s in steps.values()] == [
        ("月检查", ["submit"]), ("整改", ["submit"]), ("复查", ["rectified", "unrectified"])]
    [sheet_form] = steps["check"]["decisions"]
    assert "items" in sheet_form["data_schema"]["properties"]
    assert steps["rectification"]["decisions"][0]["data_schema"]["required"] == ["action"]
    assert [d["label"] for d in steps["recheck"]["decisions"]] == ["复查合格（已整改）", "复查不合格（未整改）"]
