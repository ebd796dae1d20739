"""A 矛盾纠纷 ticket in the browser: a clerk takes it in from the 受理投诉 form, the company signs and
answers it, the hotline centre calls back, and the ledger (台账) shows it closed and exports it."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.browser.test_fund_case_in_browser import decide, open_case
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_a_ticket_taken_in_handled_and_closed_in_the_browser(web: Web, browser: Browser, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    page = await new_page(browser)
    await sign_in(page, web, cast, "clerk")
    await page.get_by_role("link", name="受理投诉").click()
    form = page.locator("#ticket-form")
    # Checked in Chinese before anything is sent.
    await form.get_by_role("button", name="受理").click()
    await expect(page.locator("#k-external_ref-error")).to_have_text("请填写来源编号")
    await expect(page.locator("#k-phone-error")).to_contain_text("电话号码")
    ref = f"YD-{uuid.uuid4().hex[:8]}"
    await form.get_by_label("来源渠道").select_option("walk_in")
    await form.get_by_label("来源编号").fill(ref)
    await form.get_by_label("小区", exact=True).select_option(cast.estate_id)
    # The categories are the routing table's, each with the unit that will lead it.
    await form.get_by_label("类别").select_option("service_quality")
    await form.get_by_label("诉求内容").fill("2号楼电梯间卫生长期无人打扫")
    await form.get_by_label("姓名").fill("李先生")
    await form.get_by_label("电话").fill("call me")
    await form.get_by_role("button", name="受理").click()
    await expect(page.locator("#k-phone-error")).to_contain_text("电话号码")
    await form.get_by_label("电话").fill("13900000000")
    await shot(page, "14-ticket-intake")
    await form.get_by_role("button", name="受理").click()
    await expect(page.locator("#case-step")).to_have_text("签收")
    case_id = page.url.split("#/case/")[1]
    # The caller's contact is in no page the workflow's facts draw.
    await expect(page.locator("main")).not_to_contain_text("13900000000")

    # The estate's company leads a service-quality complaint: it signs and answers in the browser.
    await sign_in(page, web, cast, "company")
    await open_case(page, web, case_id)
    await decide(page, "acceptance", "签收")
    await expect(page.locator("#case-step")).to_have_text("办理")
    await decide(page, "handling", "答复", comment="已安排保洁每日打扫电梯间")
    await expect(page.locator("#case-step")).to_have_text("回访")

    # The hotline centre calls back: the generated form's checkbox keeps its schema default (reached).
    await sign_in(page, web, cast, "dispatcher")
    await open_case(page, web, case_id)
    await expect(page.locator('section.task[data-step="callback"]').get_by_label("已联系到来电人")).to_be_checked()
    await decide(page, "callback", "满意", {"回访记录": "来电人表示满意"})
    await expect(page.locator("#case-status")).to_have_attribute("data-code", "completed")
    await shot(page, "15-ticket-closed")

    # 台账: the ticket with its closure, and the spreadsheet export with the signed-in user's token.
    await page.get_by_role("link", name="台账").click()
    await page.get_by_label("小区").select_option(cast.estate_id)
    await page.get_by_role("button", name="查询").click()
    row = page.locator(f'#ticket-ledger tr[data-case="{case_id}"]')
    await expect(row).to_contain_text("满意销号")
    await expect(row).to_contain_text(ref)
    await expect(page.locator("#ledger-total")).to_have_text("共 1 件")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="导出 Excel").click()
    download = await info.value
    assert download.suggested_filename == "矛盾纠纷台账.xlsx"
    content = Path(await download.path()).read_bytes()  # noqa: ASYNC240 - a local temporary file
    assert content[:2] == b"PK"  # a zip: the .xlsx workbook
    await expect(page.locator("#ledger-result")).to_contain_text("已导出 矛盾纠纷台账.xlsx")
    await shot(page, "16-ticket-ledger")
    await page.context.close()


async def test_the_inbox_asks_the_server_for_one_process_and_one_estate(
    web: Web, browser: Browser, api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    fund = FundCaseDriver(api, cast)
    await fund.start()
    await fund.verify()
    ticket = TicketDriver(api, cast)
    await ticket.start("service_quality")
    page = await new_page(browser)
    await sign_in(page, web, cast, "company")
    fund_row, ticket_row = (page.locator(f'#inbox-table tr[data-case="{c}"]') for c in (fund.case_id, ticket.case_id))
    await expect(fund_row).to_be_visible()
    await expect(ticket_row).to_be_visible()
    # The process is asked of the server (GET /inbox?process=ticket), and the address keeps it.
    async with page.expect_request(lambda r: "/inbox?" in r.url and "process=ticket" in r.url):
        await page.get_by_label("流程").select_option("ticket")
    await expect(ticket_row).to_be_visible()
    await expect(fund_row).to_have_count(0)
    assert "process=ticket" in page.url
    await expect(page.get_by_label("流程")).to_have_value("ticket")
    async with page.expect_request(lambda r: "process=ticket" in r.url and f"estate_id={cast.estate_id}" in r.url):
        await page.get_by_label("小区", exact=True).select_option(cast.estate_id)
    await expect(ticket_row).to_be_visible()
    # Another estate's tasks are not fetched at all.
    other = await create_test_estate(sessions, settings)
    elsewhere = TicketDriver(api, other)
    await elsewhere.start("service_quality")
    await page.reload()
    await expect(ticket_row).to_be_visible()
    await expect(page.locator(f'#inbox-table tr[data-case="{elsewhere.case_id}"]')).to_have_count(0)
    await page.get_by_label("小区", exact=True).select_option("")
    await expect(page.locator(f'#inbox-table tr[data-case="{elsewhere.case_id}"]')).to_be_visible()
    await expect(fund_row).to_have_count(0)
    await page.context.close()
