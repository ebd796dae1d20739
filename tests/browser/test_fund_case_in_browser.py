"""One emergency repair from 报告 to 结案, done entirely in the browser by the people each step needs.

A clerk reports it from the form (estate, building chosen from lists); the owners' representative,
the committee and the company confirm on site; the company budgets; the pricing agency is refused
once (an approved amount above the request: the server's reason appears next to the field) and then
approves a cut; the bureau approves; acceptance, settlement, its review; an owner on a 375 px phone
reads the notice with their share highlighted and objects; the committee answers; the notice runs
out; the owner's ledger shows both payments; an auditor replays the case and checks its chain.
"""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Browser, Locator, Page, expect

from db.repositories import election as election_repo
from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.clock import skip_past
from tests.factories import Cast, create_test_estate
from tests.fixture_types import Sessions, Settings, WorkflowEnvironment


async def open_case(page: Page, web: Web, case_id: str) -> None:
    """From the inbox, open the case the way a user does: its row's link."""
    await page.goto(f"{web.url}/ui/#/inbox")
    await page.locator(f'#inbox-table a[href="#/case/{case_id}"]').first.click()
    await expect(page.locator("#case-step")).to_be_visible()


def task(page: Page, step: str) -> Locator:
    return page.locator(f'section.task[data-step="{step}"]').first


async def decide(page: Page, step: str, decision: str, fields: dict[str, str] | None = None, comment: str = "") -> None:
    section = task(page, step)
    await section.get_by_role("radio", name=decision, exact=True).check()
    for label, value in (fields or {}).items():
        await section.get_by_label(label).fill(value)
    if comment:
        await section.get_by_label("意见").fill(comment)
    await section.get_by_role("button", name="提交决定").click()
    await expect(page.locator("#status")).to_have_text("已提交")


async def act(page: Page, web: Web, cast: Cast, who: str, case_id: str, step: str, decision: str,
              fields: dict[str, str] | None = None, comment: str = "") -> None:
    await sign_in(page, web, cast, who)
    await open_case(page, web, case_id)
    await decide(page, step, decision, fields, comment)


async def report(page: Page, web: Web, cast: Cast) -> str:
    await sign_in(page, web, cast, "clerk")
    await page.get_by_role("link", name="报告应急维修").click()
    form = page.locator("#start-form")
    # Checked in the browser, in Chinese, before anything is sent.
    await form.get_by_role("button", name="提交报告").click()
    await expect(page.locator("#s-estate_id-error")).to_have_text("请选择小区")
    await form.get_by_label("小区", exact=True).select_option(cast.estate_id)
    await form.get_by_role("radio", name="楼栋").check()
    await expect(form.get_by_label("所在楼栋")).to_be_enabled()
    await form.get_by_label("所在楼栋").select_option(index=1)
    await form.get_by_label("紧急情形").select_option("elevator_failure")
    await form.get_by_label("情况说明").fill("2号楼电梯钢丝绳断股，已停运")
    await shot(page, "01-start-form")
    await form.get_by_role("button", name="提交报告").click()
    await expect(page.locator("#case-step")).to_have_text("现场联合核实")
    case_id = page.url.split("#/case/")[1]
    await shot(page, "02-case-reported")
    return case_id


async def test_a_fund_case_from_report_to_closing_in_the_browser(
    web: Web, browser: Browser, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    owner_units = cast.households[:2]
    async with sessions() as s:
        for unit in owner_units:
            await election_repo.set_owner(s, household_id=unit, owner_key=cast.actors["owner"].subject, at=datetime.now(UTC))
        await s.commit()
    page = await new_page(browser)
    case_id = await report(page, web, cast)

    # 现场联合核实: a countersign; the page shows who has signed.
    await act(page, web, cast, "owner_rep", case_id, "onsite_verification", "确认", comment="现场属实")
    await expect(task(page, "onsite_verification")).to_contain_text("✔")
    await shot(page, "03-countersign")
    await act(page, web, cast, "committee", case_id, "onsite_verification", "确认")
    await act(page, web, cast, "company", case_id, "onsite_verification", "确认")

    # 提交预算: the form comes from the decision's JSON Schema; an empty amount is caught in Chinese.
    await sign_in(page, web, cast, "company")
    await open_case(page, web, case_id)
    section = task(page, "budget_submission")
    await section.get_by_label("施工单位").fill("青州建安维修工程有限公司")
    await section.get_by_role("button", name="提交决定").click()
    await expect(section.locator(".field[data-field=amount_fen] .field-error")).to_have_text("请填写金额")
    await expect(section.get_by_label("金额（元）")).to_have_attribute("aria-invalid", "true")
    await section.get_by_label("金额（元）").fill("50000.005")
    await section.get_by_role("button", name="提交决定").click()
    await expect(section.locator(".field[data-field=amount_fen] .field-error")).to_contain_text("最多两位小数")
    await decide(page, "budget_submission", "提交", {"金额（元）": "50000"})

    # 预算核价: more than the request is refused by the server; its reason is shown at the field.
    await sign_in(page, web, cast, "agency")
    await open_case(page, web, case_id)
    section = task(page, "price_review")
    await section.get_by_label("审定金额（元）").fill("50000.01")
    await section.get_by_role("button", name="提交决定").click()
    error = section.locator(".field[data-field=approved_amount_fen] .field-error")
    await expect(error).to_contain_text("服务器拒绝：审定金额不得超过申报金额 5000000 分")
    await expect(error).to_contain_text("exceeds the requested 5000000 fen")
    await shot(page, "04-refused-at-the-field")
    await decide(page, "price_review", "同意", {"审定金额（元）": "42000", "理由": "钢丝绳单价按信息价核减"})
    await expect(page.locator('[data-fact="approved_fen"]')).to_have_text("¥42,000.00")

    await act(page, web, cast, "bureau", case_id, "bureau_review", "同意", comment="同意应急使用")
    await expect(page.locator('[data-fact="first_payment_fen"]')).to_have_text("¥21,000.00")
    await act(page, web, cast, "committee", case_id, "completion_acceptance", "确认", {"验收单编号": "YS-2026-001"})
    await act(page, web, cast, "company", case_id, "completion_acceptance", "确认", {"验收单编号": "YS-2026-001"})
    await act(page, web, cast, "company", case_id, "settlement_submission", "提交", {"金额（元）": "41000", "验收单编号": "YS-2026-001"})
    await act(page, web, cast, "agency", case_id, "settlement_review", "同意", {"审定金额（元）": "40000.5", "理由": "按实结算"})
    await expect(page.locator("#case-step")).to_have_text("公示")
    await expect(page.locator('[data-fact="settlement_approved_fen"]')).to_have_text("¥40,000.50")

    # 公示 on a phone: the owner reads the notice with their share highlighted, and objects.
    phone = await new_page(browser, width=375, height=812)
    await sign_in(phone, web, cast, "owner")
    await expect(phone.locator("#my-units li")).to_have_count(2)
    await phone.locator(f'#notices a[href="#/notice/{case_id}"]').click()
    await expect(phone.locator("#shares tr.mine")).to_have_count(2)
    await expect(phone.locator("#my-share")).to_contain_text("我的分摊")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await shot(phone, "05-notice-on-a-phone")
    await phone.get_by_role("button", name="提交异议").click()
    await expect(phone.locator("#o-text-error")).to_have_text("请填写异议内容")
    await phone.get_by_label("异议内容").fill("我户分摊面积有误")
    await phone.get_by_role("button", name="提交异议").click()
    await expect(phone.locator("#objection-result")).to_contain_text("异议已提交")
    await shot(phone, "06-objection-sent")

    await act(page, web, cast, "committee", case_id, "objection", "答复", comment="已核对不动产登记面积，无误")
    await shot(page, "07-objection-answered")

    # The notice runs to 24:00 of its fifth day; then the final payment and 结案.
    case = (await (await page.request.get(f"{web.url}/cases/{case_id}", headers=cast.headers("bureau"))).json())
    await skip_past(env, datetime.fromisoformat(case["facts"]["public_notice"]["end"]))
    await sign_in(page, web, cast, "bureau")
    for _ in range(100):
        await page.goto(f"{web.url}/ui/#/case/{case_id}")
        await expect(page.locator("#case-status")).to_be_visible()
        if await page.locator("#case-status").get_attribute("data-code") == "completed":
            break
        await page.wait_for_timeout(200)
    await expect(page.locator("#case-status")).to_have_text("已办结")
    await expect(page.locator("ol.progress li[aria-current=step]")).to_have_text("已办结")
    await shot(page, "08-case-closed")

    # The owner's ledger: both payments of this case, in yuan to the fen.
    await phone.goto(f"{web.url}/ui/#/owner")
    await phone.locator(f'#my-units a[href="#/ledger/{owner_units[0]}"]').click()
    debits = phone.locator(f'#ledger tr[data-kind="debit"]:has(a[href="#/case/{case_id}"])')
    await expect(debits).to_have_count(2)
    await shot(phone, "09-ledger-on-a-phone")

    # The auditor: the case's timeline, replay and the chain check, explained.
    await sign_in(page, web, cast, "auditor")
    await page.get_by_label("编号或标题").fill(case_id)
    await page.get_by_role("button", name="检索").click()
    await page.locator(f'#audit-table a[href="#/audit/{case_id}"]').click()
    await expect(page.locator("#timeline")).to_contain_text("已核对不动产登记面积")
    await expect(page.locator('#timeline tr[data-kind="rejected"]')).not_to_have_count(0)
    await page.get_by_role("button", name="重放验证").click()
    await expect(page.locator("#replay-result")).to_contain_text("重放一致")
    await shot(page, "10-audit-replay")
    await page.get_by_role("button", name="审计链校验").click()
    await expect(page.locator("#chain-result")).to_contain_text("审计链完整")
    await page.context.close()
    await phone.context.close()
