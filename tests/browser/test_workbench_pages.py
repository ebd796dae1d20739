"""The workbench's other pages in the browser: sign-in, a 1,000-task inbox, red cards, refusals, reports.

Timings (first load, the 1,000-task inbox) are printed, not asserted: loopback on a shared machine.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from playwright.async_api import Browser, expect
from sqlalchemy import delete, insert

from db.models import InboxEntry
from db.repositories import ticket_report as report_repo
from domain.access import Level, Role
from domain.ticket_report import MonthlyFigures
from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.clock import skip_past, wait_until
from tests.factories import create_test_estate, make_actor
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_first_load_and_the_demo_user_picker(web: Web, browser: Browser) -> None:
    page = await new_page(browser)
    await page.goto(f"{web.url}/ui/")
    await expect(page.get_by_role("heading", name="选择演示用户（仅限本机开发环境）")).to_be_visible()
    timing = await page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd, shown: performance.now()}; })()")
    print(f"\nworkbench first load: DOMContentLoaded {timing['dom']:.0f} ms, load {timing['load']:.0f} ms, "
          f"sign-in page shown by {timing['shown']:.0f} ms")
    await shot(page, "00-sign-in")
    # The picker lists the demo users by name and role; a click signs in with a development token.
    await page.get_by_role("button", name="韩审计").click()
    await expect(page.get_by_role("heading", name="审计：案件检索")).to_be_visible()
    await expect(page.locator("#who")).to_contain_text("韩审计（审计")
    # Each page takes the focus to its content; the keyboard goes on from there to the first field.
    await expect(page.locator("main")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("流程")).to_be_focused()
    await page.reload()
    await expect(page.get_by_role("heading", name="审计：案件检索")).to_be_visible()
    warm = await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    print(f"workbench load again (cached session): load {warm:.0f} ms")
    await page.context.close()


async def test_an_inbox_of_a_thousand_tasks(web: Web, browser: Browser, sessions: Sessions, settings: Settings) -> None:
    company = f"co-wb-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    rows = [{
        "case_id": f"fund-emergency-wb-{company}-{n}", "task_id": "t2", "role": Role.PROPERTY_COMPANY.value, "kind": "fund-emergency",
        "case_title": f"测试小区{n % 40} · 电梯故障需立即维修", "step": "budget_submission", "step_label": "提交预算",
        "street_id": "yidu", "community_id": "yidu-c1", "estate_id": f"wb-estate-{n % 40}", "company_id": company, "assignee": None,
        "decisions": ["submit"], "created_at": now - timedelta(days=3), "due_at": now + timedelta(hours=n - 100),
        "card": "red" if n < 100 else "yellow" if n < 250 else "none", "escalated": False,
    } for n in range(1000)]
    async with sessions() as s:
        await s.execute(insert(InboxEntry), rows)
        await s.commit()
    try:
        cast = await create_test_estate(sessions, settings)
        page = await new_page(browser)
        await sign_in(page, web, cast, make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, company))
        started = await page.evaluate("performance.now()")
        await page.goto(f"{web.url}/ui/#/inbox")
        await expect(page.locator("#count-all")).to_have_text("1000")
        drawn = await page.evaluate("performance.now()")
        view = page.locator("main > .view")
        fetch_ms, render_ms = await view.get_attribute("data-fetch-ms"), await view.get_attribute("data-render-ms")
        print(f"\ninbox of 1,000 tasks: fetched in {fetch_ms} ms (two pages of 500 and the processes), sorted and drawn in {render_ms} ms; "
              f"{drawn - started:.0f} ms from navigation to the counts shown")
        await expect(page.locator("#count-red")).to_have_text("100")
        await expect(page.locator("#count-yellow")).to_have_text("150")
        # Most urgent first: the red cards, the soonest due of them first.
        first = page.locator("#inbox-table tbody tr").first
        await expect(first).to_have_attribute("data-card", "red")
        await expect(first).to_contain_text(f"fund-emergency-wb-{company}-0")
        await page.get_by_label("警示牌", exact=True).select_option("yellow")
        await expect(page.locator("#shown")).to_have_text("显示 150 / 1000 件")
        await page.get_by_label("警示牌", exact=True).select_option("")
        await shot(page, "11-inbox-1000", full_page=False)
        await page.context.close()
    finally:
        async with sessions() as s:
            await s.execute(delete(InboxEntry).where(InboxEntry.company_id == company))
            await s.commit()


async def test_the_inbox_shows_a_red_card_after_time_passes(
    web: Web, browser: Browser, api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 5_000_000, "contractor": "青州建安"})
    review = await drv.open_task("price_review")
    page = await new_page(browser)
    await sign_in(page, web, cast, "agency")
    row = page.locator(f'#inbox-table tr[data-case="{drv.case_id}"]')
    await expect(row).to_have_attribute("data-card", "none")
    await skip_past(env, datetime.fromisoformat(review["due_at"]))

    async def red() -> bool:
        return (await drv.open_task("price_review"))["card"]["code"] == "red"

    await wait_until(red)
    await page.reload()
    await expect(row).to_have_attribute("data-card", "red")
    await expect(row).to_contain_text("红牌超期")
    await page.context.close()


async def test_refusals_are_explained_not_blank(web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    page = await new_page(browser)
    # 401: a token the server does not honour.
    await page.goto(f"{web.url}/ui/#/login")
    await page.get_by_label("访问令牌").fill("not-a-token")
    await page.get_by_role("button", name="登录", exact=True).click()
    await expect(page.locator('#login-problem [role="alert"]')).to_contain_text("登录已失效或令牌无效")
    # 403: an owner has no monthly report.
    await sign_in(page, web, cast, "owner")
    await page.goto(f"{web.url}/ui/#/reports")
    await expect(page.locator('.problem[data-status="403"]')).to_contain_text("您没有权限")
    # 409: a notice before the case has one.
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await page.goto(f"{web.url}/ui/#/notice/{drv.case_id}")
    await expect(page.locator('.problem[data-status="409"]')).to_contain_text("操作与当前状态冲突")
    # 503: the service sheds load; the page says so and keeps its frame.
    await page.route("**/inbox?*", lambda route: route.fulfill(
        status=503, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "Service unavailable", "status": 503, "detail": "overloaded, retry shortly"}),
    ))
    await page.goto(f"{web.url}/ui/#/inbox")
    await expect(page.locator('.problem[data-status="503"]')).to_contain_text("服务暂时不可用")
    await expect(page.locator("#nav")).to_be_visible()
    await shot(page, "12-service-unavailable")
    await page.context.close()


async def test_the_reports_chart(web: Web, browser: Browser, sessions: Sessions, settings: Settings) -> None:
    months = [f"2040-0{m}" for m in range(1, 7)]
    async with sessions() as s:
        for n, month in enumerate(months):
            last_year = 40 + n
            intake = 25 + 3 * n
            change = round((intake - last_year) * 100 / last_year, 1)
            await report_repo.replace_month(s, month, [
                MonthlyFigures(month=month, dimension="city", key="city", intake=intake, closed=intake - 2, intake_last_year=last_year,
                               yoy_change_percent=change, yoy_target_met=change <= -30),
                MonthlyFigures(month=month, dimension="street", key="yidu", intake=intake // 2, closed=intake // 2, intake_last_year=last_year // 2),
            ], datetime.now(UTC))
        await s.commit()
    cast = await create_test_estate(sessions, settings)
    page = await new_page(browser)
    await sign_in(page, web, cast, "bureau")
    await page.goto(f"{web.url}/ui/#/reports?month=2040-06")
    chart = page.locator("#report-chart")
    await expect(chart).to_be_visible()
    await expect(chart.locator("g > title")).to_have_count(6)
    await expect(chart.locator("g > title").first).to_contain_text("2040-01：受理 25 件，去年同期 40 件，目标 ≤ 28 件，达标")
    await expect(chart.locator("g > title").last).to_contain_text("2040-06：受理 40 件，去年同期 45 件，目标 ≤ 31 件，未达标")
    await expect(page.locator("#report-table tbody tr")).to_have_count(2)
    await shot(page, "13-reports")
    await page.context.close()
