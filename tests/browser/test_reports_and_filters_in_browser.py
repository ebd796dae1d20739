"""The inbox's street filter asking the server, and the fund approval-time and credit overview charts
drawn from what the API answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from temporalio.testing import WorkflowEnvironment

from db.repositories import credit as credit_repo
from domain.credit import Grade, QuarterFigures
from domain.credit_facts import assess_company
from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.clock import skip_to
from tests.factories import create_test_estate
from tests.factories_credit import clear_quarter, create_company
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings

AT = datetime(2002, 6, 30, tzinfo=UTC)


def num(value: str) -> str:
    """The page's rendering of a decimal (at most two places, no trailing zeros)."""
    d = Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
    return f"{d:f}"


async def test_the_inbox_street_filter_asks_the_server(
    web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    # One company serves an estate in 益都街道 and one in 王府街道; both reports wait for its confirmation.
    yidu = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await yidu.start()
    wangfu = FundCaseDriver(api, await create_test_estate(sessions, settings, street_id="wangfu", community_id="wangfu-c1"))
    await wangfu.start()
    page = await new_page(browser)
    await sign_in(page, web, yidu.cast, "company")
    yidu_row, wangfu_row = (page.locator(f'#inbox-table tr[data-case="{d.case_id}"]') for d in (yidu, wangfu))
    await expect(yidu_row).to_be_visible()
    await expect(wangfu_row).to_be_visible()
    async with page.expect_request(lambda r: "/inbox?" in r.url and "street=wangfu" in r.url) as asked:
        await page.get_by_label("镇街").select_option(label="王府街道")
    assert "street=wangfu" in (await asked.value).url
    await expect(wangfu_row).to_be_visible()
    await expect(yidu_row).to_have_count(0)
    assert "street=wangfu" in page.url
    await expect(page.get_by_label("镇街")).to_have_value("wangfu")
    # With a street chosen, the estates offered are that street's.
    estates = await page.get_by_label("小区", exact=True).locator("option").all_inner_texts()
    assert yidu.cast.estate_id not in " ".join(estates)
    # The card filter narrows what was fetched.
    await page.get_by_label("警示牌", exact=True).select_option("red")
    await expect(wangfu_row).to_have_count(0)
    await page.get_by_label("警示牌", exact=True).select_option("")
    await shot(page, "21-inbox-by-street", full_page=False)
    async with page.expect_request(lambda r: "/inbox?" in r.url and "street=" not in r.url):
        await page.get_by_label("镇街").select_option("")
    await expect(yidu_row).to_be_visible()
    await page.context.close()


async def test_the_fund_approval_time_chart_from_known_cases(
    web: Web, browser: Browser, api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    # Two cases approved in 何官镇, where no other test reports: its lines are these cases' own. The
    # bureau approves the first 3 days after the report and the second 9 days after.
    cast = await create_test_estate(sessions, settings, street_id="heguan", community_id="heguan-c1")
    hours = []
    for days in (3, 9):
        drv = FundCaseDriver(api, cast)
        reported = datetime.fromisoformat((await drv.start()).json()["created_at"])
        await drv.verify()
        await drv.decide("company", "budget_submission", "submit", {"amount_fen": 5_000_000, "contractor": "青州建安"})
        await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 4_200_000, "reasons": "按信息价核减"})
        await skip_to(env, reported + timedelta(days=days))
        approved = await drv.decide("bureau", "bureau_review", "approve", comment="同意")
        hours.append((datetime.fromisoformat(approved.json()["approved_at"]) - reported).total_seconds() / 3600)
    assert hours[0] >= 72 and hours[1] >= 216
    r = await api.get("/reports/fund/approval-time", headers=cast.headers("bureau"))
    assert r.status_code == 200, r.text
    report = r.json()
    lines = [x for x in report["lines"] if x["key"] == "heguan"]
    assert sum(x["cases"] for x in lines) == 2
    assert max(float(x["p90_hours"]) for x in lines) == pytest.approx(hours[1], abs=0.01)
    page = await new_page(browser)
    await sign_in(page, web, cast, "bureau")
    await page.get_by_role("link", name="报表").click()
    await page.get_by_role("navigation", name="报表").get_by_role("link", name="维修资金审批时长").click()
    await expect(page.get_by_role("heading", name="报表：维修资金审批时长")).to_be_visible()
    await expect(page.locator("main")).to_contain_text(f"压缩 {report['target_reduction_percent']}%")
    await page.get_by_label("范围").select_option(label="何官镇")
    chart = page.locator("#fund-chart")
    await expect(chart.locator("g[data-month] > title")).to_have_count(len(lines))
    for x in lines:
        met = "达标" if x["target_met"] else "未达标"
        await expect(chart.locator(f'g[data-month="{x["month"]}"] > title')).to_have_text(
            f"{x['month']}：{x['cases']} 件，中位数 {num(x['median_working_days'])} 个工作日，P90 {num(x['p90_working_days'])} 个工作日，"
            f"目标 ≤ {num(x['target_working_days'])} 个工作日，{met}")
        cells = page.locator(f'#fund-table tr[data-month="{x["month"]}"][data-key="heguan"] td')
        await expect(cells).to_have_text([
            x["month"], "何官镇", str(x["cases"]), num(x["median_working_days"]), num(x["p90_working_days"]),
            num(x["median_hours"]), num(x["p90_hours"]), num(x["target_working_days"]), met,
        ])
    # The target line sits at baseline × (1 − 50%), below the baseline's.
    target_y = float(await chart.locator("#fund-target").get_attribute("y1") or "0")
    baseline_y = float(await chart.locator("#fund-baseline").get_attribute("y1") or "0")
    assert target_y > baseline_y  # lower on the chart: SVG y grows downwards
    await shot(page, "22-fund-approval-time")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="导出 Excel").click()
    download = await info.value
    assert download.suggested_filename == "维修资金审批时长.xlsx"
    assert Path(await download.path()).read_bytes()[:2] == b"PK"  # noqa: ASYNC240 - a local temporary file
    await page.context.close()


async def publish(sessions: Sessions, grades: dict[str, dict[str, Grade]]) -> None:
    """Publish each quarter's grades for the given companies (as the assessment case would)."""
    async with sessions() as s, s.begin():
        for quarter, by_company in grades.items():
            for company, grade in by_company.items():
                line = assess_company(company, f"名称{company[-4:]}", [], QuarterFigures(), AT).model_copy(update={"grade": grade})
                await credit_repo.save_line(s, quarter=quarter, case_id=f"credit-assessment-{quarter}", company_id=company,
                                            grade=grade.value, line=line.model_dump(mode="json"), at=AT)
            await credit_repo.publish_lines(s, quarter, AT)


async def test_the_credit_overview_chart(web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    rising, steady, falling = [await create_company(sessions) for _ in range(3)]
    quarters = {"2002Q1": {rising: Grade.B, steady: Grade.A, falling: Grade.AA}, "2002Q2": {rising: Grade.AAA, steady: Grade.A, falling: Grade.C}}
    await publish(sessions, quarters)
    try:
        cast = await create_test_estate(sessions, settings)
        r = await api.get("/reports/credit/overview", headers=cast.headers("bureau"))
        assert r.status_code == 200, r.text
        shown = r.json()["quarters"][-8:]
        assert {"2002Q1", "2002Q2"} <= {q["quarter"] for q in shown}
        page = await new_page(browser)
        await sign_in(page, web, cast, "bureau")
        await page.goto(f"{web.url}/ui/#/reports/credit")
        await expect(page.get_by_role("heading", name="报表：企业信用概况")).to_be_visible()
        await expect(page.locator("#credit-chart g[data-quarter]")).to_have_count(len(shown))
        for q in shown:
            grades = [str(q["grades"].get(g, 0)) for g in ("AAA", "AA", "A", "B", "C")]
            await expect(page.locator(f'#credit-table tr[data-quarter="{q["quarter"]}"] td')).to_have_text(
                [q["quarter"], *grades, str(q["blacklisted"]), str(q["companies"])])
        q2 = page.locator('#credit-chart g[data-quarter="2002Q2"]')
        await expect(q2.locator("title")).to_contain_text("AAA 1 家，AA 0 家，A 1 家，B 0 家，C 1 家")
        await expect(q2.locator("rect[data-grade]")).to_have_count(3)
        await expect(page.locator("#credit-moves")).to_contain_text(f"名称{falling[-4:]}")
        await shot(page, "23-credit-overview")
        async with page.expect_download() as info:
            await page.get_by_role("button", name="导出 Excel").click()
        assert (await info.value).suggested_filename == "企业信用概况.xlsx"
        await page.context.close()
    finally:
        for quarter in quarters:
            await clear_quarter(sessions, quarter)
