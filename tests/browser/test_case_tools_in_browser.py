"""The case page's tools in the browser: 撤回 by the initiator (and refused once someone has acted),
转办 by the task's supervisor, 吹哨 on a ticket by its community, and a 503 answered next to the button."""

from __future__ import annotations

import json

from playwright.async_api import Browser, Page, Route, expect

from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.browser.test_fund_case_in_browser import task
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings


async def open_case_page(page: Page, web: Web, case_id: str) -> None:
    await page.goto(f"{web.url}/ui/#/case/{case_id}")
    await expect(page.locator("#case-step")).to_be_visible()


async def test_the_initiator_withdraws_and_is_refused_once_someone_has_acted(
    web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    untouched, acted_on = FundCaseDriver(api, cast), FundCaseDriver(api, cast)
    await untouched.start()
    await acted_on.start()
    await acted_on.decide("owner_rep", "onsite_verification", "confirm", comment="现场属实")
    page = await new_page(browser)

    # Nobody but the initiator is offered the control.
    await sign_in(page, web, cast, "committee")
    await open_case_page(page, web, untouched.case_id)
    await expect(page.get_by_role("heading", name="待办任务")).to_be_visible()
    await expect(page.get_by_role("button", name="撤回案件")).to_have_count(0)

    # The initiator (the clerk who reported): the reason is asked for in Chinese before sending.
    await sign_in(page, web, cast, "clerk")
    await open_case_page(page, web, untouched.case_id)
    button = page.get_by_role("button", name="撤回案件")
    await button.click()
    await expect(page.locator("#withdraw-reason-error")).to_have_text("请填写撤回理由")
    await expect(page.get_by_label("撤回理由")).to_be_focused()
    # By keyboard: the reason, then Tab to the button and Enter.
    await page.get_by_label("撤回理由").fill("误报，物业已自行修复")
    await page.keyboard.press("Tab")
    await expect(button).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#case-status")).to_have_attribute("data-code", "withdrawn")
    await expect(page.get_by_role("button", name="撤回案件")).to_have_count(0)
    assert (await untouched.case())["status"]["code"] == "withdrawn"

    # Once the owners' representative has confirmed, the server refuses; its answer is next to the button.
    await open_case_page(page, web, acted_on.case_id)
    await page.get_by_label("撤回理由").fill("重复报告")
    await page.get_by_role("button", name="撤回案件").click()
    answer = page.locator("#withdraw-answer .problem")
    await expect(answer).to_have_attribute("data-status", "409")
    await expect(answer).to_contain_text("操作与当前状态冲突")
    await expect(answer).to_contain_text("someone has already acted on the case")
    await expect(page.locator("#case-status")).to_have_attribute("data-code", "active")
    await shot(page, "18-withdraw-refused")
    await page.context.close()


async def test_the_supervisor_reassigns_a_task(web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 5_000_000, "contractor": "青州建安"})
    page = await new_page(browser)
    # The pricing agency decides 预算核价 but is not its supervisor: no 转办 for it.
    await sign_in(page, web, cast, "agency")
    await open_case_page(page, web, drv.case_id)
    await expect(task(page, "price_review").get_by_role("button", name="提交决定")).to_be_visible()
    await expect(task(page, "price_review").locator("details.reassign")).to_have_count(0)

    # The housing bureau supervises it (the task's escalation role): it hands the task to a named reviewer.
    await sign_in(page, web, cast, "bureau")
    await open_case_page(page, web, drv.case_id)
    review = task(page, "price_review")
    await review.get_by_text("转办（住建局）").click()
    await review.get_by_role("button", name="转办", exact=True).click()
    await expect(review.get_by_text("请填写办理人账号")).to_be_visible()
    # The server's refusal (an account longer than it accepts) appears next to the button.
    await review.get_by_label("转办给（办理人账号）").fill("x" * 65)
    await review.get_by_label("转办理由").fill("承办人出差")
    await review.get_by_role("button", name="转办", exact=True).click()
    await expect(review.locator(".problem-slot .problem")).to_have_attribute("data-status", "422")
    assignee = cast.actors["agency"].subject
    await review.get_by_label("转办给（办理人账号）").fill(assignee)
    await review.get_by_role("button", name="转办", exact=True).click()
    await expect(page.locator("#status")).to_have_text("已转办")
    await expect(task(page, "price_review").locator(f'[data-assignee="{assignee}"]')).to_be_visible()
    await expect(page.locator("#timeline")).to_contain_text("承办人出差")
    open_review = await drv.open_task("price_review")
    assert open_review["assignee"] == assignee
    await shot(page, "19-reassigned")
    await page.context.close()


async def test_the_community_blows_the_whistle_on_a_ticket(
    web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("committee_conduct")
    page = await new_page(browser)
    await sign_in(page, web, cast, "community")
    # Not while the ticket waits to be signed for.
    await open_case_page(page, web, drv.case_id)
    await expect(page.get_by_role("button", name="吹哨")).to_have_count(0)
    await drv.decide("community", "acceptance", "sign")
    await page.reload()
    await expect(page.locator("#case-step")).to_have_text("办理")
    form = page.locator("#whistle-form")
    await form.get_by_role("button", name="吹哨").click()
    await expect(page.locator("#whistle-department_id-error")).to_have_text("请选择要召集的部门")
    await form.get_by_label("召集部门").select_option("dept-police")
    await form.get_by_label("吹哨事由").fill("业委会换届现场有人堵门")
    await form.get_by_role("button", name="吹哨").click()
    await expect(page.locator("#status")).to_have_text("已吹哨，部门须按期报到")
    row = page.locator('#whistles tr[data-department="dept-police"]')
    await expect(row).to_contain_text("待报到")
    await expect(row).to_contain_text("业委会换届现场有人堵门")
    case = await drv.case()
    assert [w["department_id"] for w in case["facts"]["whistles"]] == ["dept-police"]
    assert any(t["step"]["code"] == "whistle" for t in case["open_tasks"])
    # The same department again, while it has not reported: refused next to the button.
    await page.locator("#whistle-form").get_by_label("召集部门").select_option("dept-police")
    await page.locator("#whistle-form").get_by_label("吹哨事由").fill("再次召集")
    await page.locator("#whistle-form").get_by_role("button", name="吹哨").click()
    await expect(page.locator("#whistle-answer .problem")).to_have_attribute("data-status", "409")
    await shot(page, "20-whistle")
    # The street office reads the whistles but blows none.
    await sign_in(page, web, cast, "street")
    await open_case_page(page, web, drv.case_id)
    await expect(page.locator('#whistles tr[data-department="dept-police"]')).to_be_visible()
    await expect(page.locator("#whistle-form")).to_have_count(0)
    await page.context.close()


def unavailable(route: Route) -> object:
    return route.fulfill(status=503, content_type="application/problem+json", body=json.dumps(
        {"type": "about:blank", "title": "Service unavailable", "status": 503, "detail": "overloaded, retry shortly"}))


async def test_a_503_is_explained_on_the_page_and_next_to_the_button(
    web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    page = await new_page(browser)
    await sign_in(page, web, cast, "clerk")
    await open_case_page(page, web, drv.case_id)
    await page.route("**/withdraw", unavailable)
    await page.get_by_label("撤回理由").fill("误报")
    await page.get_by_role("button", name="撤回案件").click()
    await expect(page.locator('#withdraw-answer .problem[data-status="503"]')).to_contain_text("服务暂时不可用")
    # A whole page whose data cannot be read says so, keeping its frame.
    await sign_in(page, web, cast, "bureau")
    await page.route("**/reports/fund/approval-time", unavailable)
    await page.goto(f"{web.url}/ui/#/reports/fund")
    await expect(page.get_by_role("heading", name="无法显示此页")).to_be_visible()
    await expect(page.locator('.problem[data-status="503"]')).to_contain_text("服务暂时不可用，请稍后重试。 服务器答复：overloaded, retry shortly")
    await expect(page.locator("#nav")).to_be_visible()
    await shot(page, "24-report-unavailable")
    await page.context.close()
