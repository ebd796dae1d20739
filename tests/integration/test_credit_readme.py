"""The README's credit walkthrough, step by step through the HTTP API, as `make run` runs it.

On the dev server (as `make run` starts it) with the demo's periods: the bureau enters two records,
starts the quarter under way (assessed now), adjusts a grade and publishes; the public reads the
grades; 悦家 reads its file and objects to its record; the bureau upholds the objection and the
line is republished; the timeline shows it; the three reports download as Excel workbooks.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from openpyxl import load_workbook
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from core.settings import Settings
from domain.access import Level, Role
from domain.calendar import CITY_TZ
from domain.credit import Quarter
from domain.rules import CREDIT_DEMO
from tests.clock import wait_until
from tests.dev_server import dev_api
from tests.factories import make_actor
from tests.factories_credit import clear_quarter
from tests.fixture_types import Sessions

QUARTER = str(Quarter.of(datetime.now(UTC).astimezone(CITY_TZ).date()))


@pytest_asyncio.fixture
async def quarter(sessions: Sessions) -> AsyncIterator[str]:
    yield QUARTER
    await clear_quarter(sessions, QUARTER)  # a published quarter replaces the imported grades other tests read


def bearer(settings: Settings, role: Role, level: Level, jid: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, make_actor(role, level, jid))}"}


async def test_the_readme_walkthrough_runs_a_quarter(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
                                                     quarter: str) -> None:
    async with dev_api(dev_env, sessions, settings, demo_periods=True) as (api, local):
        bureau = bearer(local, Role.HOUSING_BUREAU, Level.CITY)
        yuejia = bearer(local, Role.PROPERTY_COMPANY, Level.COMPANY, "co-yuejia")
        run = uuid.uuid4().hex[:6]

        async def decide(who: dict[str, str], case_id: str, task: str, body: dict[str, object]) -> dict[str, object]:
            r = await api.post(f"/cases/{case_id}/tasks/{task}/decisions", json=body, headers={**who, "Idempotency-Key": uuid.uuid4().hex})
            assert r.status_code == 200, r.text
            answer: dict[str, object] = r.json()
            return answer

        # Records: a confirmed refusal of supervision for 悦家, an award for 信达.
        r = await api.post("/credit/records", headers={**bureau, "Idempotency-Key": f"demo-credit-1-{run}"}, json={
            "company_id": "co-yuejia", "type": "supervision_refused", "reason": "拒不配合街道月度检查", "evidence": "益都街道物业办检查记录第12号"})
        assert r.status_code == 201, r.text
        record = r.json()
        r = await api.post("/credit/records", headers={**bureau, "Idempotency-Key": f"demo-credit-2-{run}"},
                           json={"company_id": "co-xinda", "type": "award", "reason": "获评市级物业服务示范项目"})
        assert r.status_code == 201, r.text

        # The quarter under way, assessed now; the draft waits for the bureau's review (t1).
        r = await api.post("/credit/assessments", json={"quarter": quarter}, headers=bureau)
        assert r.status_code == 200 and r.json()["quarter"] == quarter and r.json()["started"], r.text
        case_id = r.json()["case_id"]

        async def at_step(step: str) -> dict[str, object] | None:
            case: dict[str, object] = (await api.get(f"/cases/{case_id}", headers=bureau)).json()
            # At the step with its task open (the step is shown while the task's deadline is being counted).
            return case if case.get("step", {}).get("code") == step and case.get("open_tasks") else None  # type: ignore[union-attr]

        async def at_step_only(step: str) -> dict[str, object] | None:
            case: dict[str, object] = (await api.get(f"/cases/{case_id}", headers=bureau)).json()
            return case if case.get("step", {}).get("code") == step else None  # type: ignore[union-attr]

        case = await wait_until(lambda: at_step("bureau_review"))
        assert [t["id"] for t in case["open_tasks"]] == ["t1"]  # type: ignore[index]
        r = await api.post(f"/credit/assessments/{quarter}/adjustments", headers=bureau,
                           json={"company_id": "co-huacheng", "grade": "A", "reason": "本季度整改到位，综合评定"})
        assert r.status_code == 200, r.text
        await decide(bureau, case_id, "t1", {"decision": "approve", "comment": "同意公布"})
        case = await wait_until(lambda: at_step_only("published"))
        facts = case["facts"]
        until, published_at = (datetime.fromisoformat(facts[k]) for k in ("objections_until", "published_at"))  # type: ignore[index]
        assert until - published_at == CREDIT_DEMO.objection_window  # the demo's compressed window

        # The published grades: public, no token.
        page = (await api.get(f"/credit/published/{quarter}")).json()
        lines = {line["company_id"]: line for line in page["lines"]}
        assert lines["co-huacheng"]["grade"] == "A"
        assert "supervision_refused" in {b["type"] for b in lines["co-yuejia"]["bad_records"]}

        # 悦家 reads its file, objects to the record; the bureau (its recording unit) upholds it (t2).
        file = (await api.get("/credit/companies/co-yuejia/file", headers=yuejia)).json()
        assert record["id"] in {x["id"] for x in file["records"] if x["type"] == "supervision_refused"}
        r = await api.post(f"/credit/records/{record['id']}/objections", json={"text": "检查当日已提供全部资料，有签收单为证"},
                           headers={**yuejia, "Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 202, r.text
        await decide(bureau, case_id, "t2", {"decision": "uphold", "comment": "经核实资料已按时提供，记录撤销"})

        async def republished() -> dict[str, object] | None:
            line: dict[str, object] = next(x for x in (await api.get(f"/credit/published/{quarter}")).json()["lines"]
                                           if x["company_id"] == "co-yuejia")
            return line if line["note"] else None

        # A single objection's answer republishes at once (the case does not wait for the window's end).
        line = await wait_until(republished)
        assert "supervision_refused" not in {b["type"] for b in line["bad_records"]}  # type: ignore[attr-defined]
        timeline = (await api.get("/credit/companies/co-yuejia/timeline", headers=yuejia)).json()
        kinds = {e["kind"] for e in timeline["events"]}
        assert {"record", "record_revoked", "grade_published", "grade_republished"} <= kinds
        adjusted = (await api.get("/credit/companies/co-huacheng/timeline", headers=bureau)).json()["events"]
        [adjustment] = [e for e in adjusted if e["kind"] == "grade_adjusted"]
        assert (adjustment["grade_after"], adjustment["reason"], adjustment["quarter"]) == ("A", "本季度整改到位，综合评定", quarter)

        # The three reports, as Excel workbooks with Chinese headers.
        for path in ("/reports/credit/overview.xlsx", "/reports/fund/approval-time.xlsx", "/reports/complaints/ytd.xlsx"):
            r = await api.get(path, headers=bureau)
            assert r.status_code == 200, (path, r.text)
            sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
            assert any("\u4e00" <= str(c.value or "")[:1] <= "\u9fff" for c in next(sheet.iter_rows())), path
