"""A tender in the browser: a clerk publishes it from 发布招标; companies bid on their own pages and see no
other bid before the opening; the expert draw shows as recorded and re-derived; the committee signs the
contract and the handover case is linked. Refusals (401, 403, 409) are explained in Chinese.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.browser.test_fund_case_in_browser import decide
from tests.clock import skip_past
from tests.factories import Cast, create_test_estate
from tests.factories_election import ElectionDriver
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

CITY = ZoneInfo("Asia/Shanghai")


async def open_tender(page: Page, web: Web, case_id: str) -> None:
    await page.goto(f"{web.url}/ui/#/tenders/{case_id}")
    await expect(page.locator("#case-step")).to_be_visible()


async def publish(page: Page, web: Web, cast: Cast, deadline: datetime) -> str:
    await sign_in(page, web, cast, "clerk")
    await page.get_by_role("link", name="物业招标").click()
    await page.get_by_role("link", name="发布招标").click()
    form = page.locator("#tender-start")
    await form.get_by_role("button", name="发布招标").click()
    await expect(page.locator("#s-estate_id-error")).to_have_text("请选择小区")
    await expect(page.locator("#s-summary-error")).to_have_text("招标公告内容至少 5 个字")
    await form.get_by_label("小区", exact=True).select_option(cast.estate_id)
    await form.get_by_label("评标方法").select_option("comprehensive")
    await form.get_by_label("招标公告内容").fill("物业服务招标：服务期三年，住宅物业费不高于1.2元/㎡·月")
    await form.get_by_label("原物业服务人退出原因").select_option("dismissal")
    # Too soon a deadline is refused by the server (招标投标法 Art. 24); its reason is shown.
    # (The server counts from its own clock, the wall clock, which the suite's skipped test time may be far ahead of.)
    too_soon = datetime.now(UTC) + timedelta(days=10)
    await form.get_by_label("投标截止时间（北京时间）").fill(too_soon.astimezone(CITY).strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_role("button", name="发布招标").click()
    await expect(form.locator(".problem")).to_contain_text("提交的内容不符合要求")
    await form.get_by_label("投标截止时间（北京时间）").fill(deadline.astimezone(CITY).strftime("%Y-%m-%dT%H:%M"))
    await shot(page, "40-tender-start-form")
    await form.get_by_role("button", name="发布招标").click()
    await expect(page.locator("#case-step")).to_have_text("招标公告及投标")
    await expect(page.locator("#announcement")).to_contain_text("综合评估法")
    return page.url.split("#/tenders/")[1]


async def bid_in_browser(page: Page, web: Web, cast: Cast, company: str, case_id: str, price: str) -> None:
    await sign_in(page, web, cast, company)
    await page.get_by_role("link", name="物业招标").click()
    await page.locator(f'#tenders-table a[href="#/tenders/{case_id}"]').click()
    form = page.locator("#bid-form")
    await form.get_by_role("button", name="提交投标").click()
    await expect(page.locator("#s-price-error")).to_have_text("报价须为大于 0 的金额，最多两位小数，例如 1.20")
    await form.get_by_label("报价（元/㎡·月）").fill(price)
    await form.get_by_label("服务方案摘要").fill("24小时秩序维护，电梯维保外包给具备资质单位")
    await form.get_by_role("button", name="提交投标").click()
    await expect(page.locator("#status")).to_have_text("投标已登记")


async def test_a_tender_published_bid_on_drawn_and_awarded_in_the_browser(
    web: Web, browser: Browser, api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    cast = drv.cast
    page = await new_page(browser)
    deadline = (await env.get_current_time()) + timedelta(days=21)
    drv.case_id = await publish(page, web, cast, deadline)
    # A clarification well before the deadline leaves the deadline where it is.
    await page.get_by_label("澄清内容").fill("第3.2条物业服务用房面积更正为120㎡")
    await page.get_by_role("button", name="发布澄清").click()
    await expect(page.locator("#clarifications")).to_contain_text("第3.2条物业服务用房面积更正为120㎡")
    await shot(page, "41-tender-published")

    # Two companies bid in the browser; each sees its own bid and nothing of the other's.
    await bid_in_browser(page, web, cast, "co-huacheng", drv.case_id, "1.15")
    await expect(page.locator("#bids tbody tr")).to_have_count(1)
    await expect(page.locator('#bids tr[data-company="co-huacheng"]')).to_contain_text("¥1.15/㎡·月")
    await bid_in_browser(page, web, cast, "co-lvyuan", drv.case_id, "1.20")
    await expect(page.locator("#sealed-note")).to_be_visible()
    await expect(page.locator("#bids tbody tr")).to_have_count(1)
    await expect(page.locator('#bids tr[data-company="co-lvyuan"]')).to_contain_text("¥1.20/㎡·月")
    assert "co-huacheng" not in await page.content() and "1.15" not in await page.locator("main").inner_text()
    await expect(page.locator("#bid-form")).to_have_count(0)
    await shot(page, "42-own-bid-sealed")
    await drv.bid("co-xinda", price=125)
    # The tenderer's side sees no bid either before the opening.
    await sign_in(page, web, cast, "clerk")
    await open_tender(page, web, drv.case_id)
    await expect(page.locator("#no-bids")).to_be_visible()
    await expect(page.locator("#sealed-note")).to_be_visible()

    # The deadline passes: the bids are opened and the committee is drawn.
    await skip_past(env, deadline)
    await drv.wait_for(step="evaluation")
    await page.reload()
    await expect(page.locator("#bids tbody tr")).to_have_count(3)
    await sign_in(page, web, cast, "co-huacheng")
    await open_tender(page, web, drv.case_id)
    await expect(page.locator("#bidding")).to_contain_text("已开标：有效投标 3 份")
    await expect(page.locator("#bids tbody tr")).to_have_count(1)
    await expect(page.locator("#draw-sealed")).to_be_visible()
    await sign_in(page, web, cast, "auditor")
    await open_tender(page, web, drv.case_id)
    draw = (await api.get(f"/cases/tender/{drv.case_id}/draw", headers=drv.headers("auditor"))).json()
    await expect(page.locator("#draw-verified")).to_contain_text("可复核")
    first = page.locator("#draw-rounds tbody tr").first
    await expect(first).to_contain_text("，".join(str(v) for v in draw["draws"][0]["rng_values"]))
    await expect(first).to_contain_text("、".join(draw["draws"][0]["chosen"]))
    excluded = {x["expert_id"]: x["reason"] for x in draw["exclusions"]}
    assert excluded["expert-001"].startswith("employed by bidder ")
    await expect(page.locator("#draw-exclusions")).to_contain_text("受雇于投标人 " + excluded["expert-001"].removeprefix("employed by bidder "))
    await shot(page, "43-expert-draw")

    # Scores, the publicity and the award; the committee signs the contract in the browser.
    # One expert scores in the browser, one line per bidder, in the form generated from the schema.
    mine = next(t for t in await drv.tasks("evaluation") if t["assignee"])
    await sign_in(page, web, cast, mine["assignee"])
    await open_tender(page, web, drv.case_id)
    await expect(page.locator("#draw-sealed")).to_be_visible()
    section = page.locator(f'section.task[data-task="{mine["id"]}"]')
    scores = section.get_by_label("评分（每行：企业编号=分数）")
    await scores.fill("co-huacheng=80\nco-lvyuan=八十")
    await section.get_by_role("button", name="提交决定").click()
    await expect(section.locator(".field[data-field=scores] .field-error")).to_have_text("评分（每行：企业编号=分数）每行须为“编号=整数”")
    await scores.fill("co-huacheng=80\nco-lvyuan=81\nco-xinda=82")
    await section.get_by_role("button", name="提交决定").click()
    await expect(page.locator("#status")).to_have_text("已提交")
    await expect(page.locator(f'section.task[data-task="{mine["id"]}"]')).to_have_count(0)
    await drv.score_all()
    case = await drv.wait_for(step="publicity")
    await skip_past(env, datetime.fromisoformat(case["facts"]["publicity"]["end"]))
    await drv.wait_for(step="contract")
    await sign_in(page, web, cast, "committee")
    await open_tender(page, web, drv.case_id)
    await expect(page.locator("#ranking tbody tr")).to_have_count(3)
    await expect(page.locator("#award")).to_contain_text("co-xinda")
    await decide(page, "contract", "确认", {"合同编号": "QZWY-2027-009"})
    await drv.decide("co-xinda", "contract", "confirm", {"contract_no": "QZWY-2027-009"})
    await sign_in(page, web, cast, "clerk")
    await open_tender(page, web, drv.case_id)
    await expect(page.locator("#case-status")).to_have_text("已办结")
    handover = (await drv.case("clerk"))["facts"]["handover_case_id"]
    await expect(page.locator("#handover-link")).to_have_attribute("href", f"#/case/{handover}")
    await shot(page, "44-tender-awarded")
    await page.locator("#handover-link").click()
    await expect(page.locator("#case-step")).to_be_visible()
    # After the award the bidders read the committee, as drawn.
    await sign_in(page, web, cast, "co-huacheng")
    await open_tender(page, web, drv.case_id)
    await expect(page.locator("#draw-verified")).to_contain_text("可复核")
    await page.context.close()


async def test_refusals_on_the_election_and_tender_pages_are_explained(
    web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    page = await new_page(browser)
    # 409: a second election while one runs; the page links to the running one.
    running = ElectionDriver(api, cast, sessions)
    await running.start()
    await sign_in(page, web, cast, "clerk")
    await page.goto(f"{web.url}/ui/#/elections/new")
    await page.get_by_label("小区", exact=True).select_option(cast.estate_id)
    await page.get_by_role("button", name="发起选举").click()
    problem = page.locator('#election-start .problem[data-status="409"]')
    await expect(problem).to_contain_text("操作与当前状态冲突")
    await expect(problem).to_contain_text("an election is already running")
    await problem.get_by_role("link", name="查看正在进行的选举").click()
    await expect(page).to_have_url(f"{web.url}/ui/#/elections/{running.case_id}")
    await shot(page, "45-election-409")
    # 403: a company may not publish a tender; nor read another company's credit file.
    await sign_in(page, web, cast, "company")
    await page.goto(f"{web.url}/ui/#/tenders/new")
    await page.get_by_label("小区", exact=True).select_option(cast.estate_id)
    await page.get_by_label("招标公告内容").fill("物业服务招标：服务期三年")
    await page.get_by_role("button", name="发布招标").click()
    await expect(page.locator('#tender-start .problem[data-status="403"]')).to_contain_text("您没有权限执行此操作。 服务器答复：only a clerk publishes a tender")
    await page.goto(f"{web.url}/ui/#/credit/co-huacheng")
    await expect(page.locator('.problem[data-status="403"]')).to_contain_text("信用档案仅向企业本身、住建局和审计开放")
    # The company's own credit file.
    await page.get_by_role("link", name="信用档案").click()
    await expect(page.locator("#standing")).to_contain_text("co-yuejia")
    await shot(page, "46-credit-file")
    # 401: a token the server no longer honours, on the tenders' list.
    await page.evaluate("sessionStorage.setItem('wuyeflow.token', 'expired')")
    await page.goto(f"{web.url}/ui/#/tenders")
    await expect(page.locator('.problem[data-status="401"]')).to_contain_text("登录已失效或令牌无效，请重新登录。")
    await expect(page.locator('.problem[data-status="401"]').get_by_role("link", name="重新登录")).to_be_visible()
    await page.context.close()
