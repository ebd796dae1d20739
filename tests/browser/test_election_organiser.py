"""An election organised in the browser: a clerk starts it from 发起选举, the street office forms the group
and reviews the candidates with the generated decision forms, the community nominates, an objection is
answered, the voting's progress shows, the tally shows the dual majority exactly as the API counted it,
and the committee's first meeting, filing and certificate are entered in the browser until 结案.

Time passes with the test server's time skipping (the nomination period, the notice, the voting).
"""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.browser.test_fund_case_in_browser import decide as send
from tests.browser.test_fund_case_in_browser import task
from tests.factories import Cast, create_test_estate
from tests.factories_election import PATH, ElectionDriver, auth, owner_of
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def decide(page: Page, step: str, decision: str, fields: dict[str, str] | None = None, comment: str = "") -> None:
    """Decide in the browser and wait until the page is drawn again without the task (it reloads after 已提交)."""
    await send(page, step, decision, fields, comment)
    await expect(page.locator(f'section.task[data-step="{step}"]')).to_have_count(0)


async def enter_paper(page: Page, units: list[str], choices: list[str]) -> None:
    form = page.locator("#paper-form")
    for unit in units:
        await form.get_by_label("房屋", exact=True).select_option(unit)
        for c in choices:
            await form.locator(f'input[name="paper_choice"][value="{c}"]').check()
        await form.get_by_role("button", name="加入本批").click()
    await form.get_by_role("button", name="提交本批书面表决票").click()


def area(hundredths: int) -> str:
    return f"{hundredths // 100:,}.{hundredths % 100:02d}"


async def open_election(page: Page, web: Web, case_id: str) -> None:
    await page.goto(f"{web.url}/ui/#/elections/{case_id}")
    await expect(page.locator("#case-step")).to_be_visible()


async def start_in_browser(page: Page, web: Web, cast: Cast) -> str:
    await sign_in(page, web, cast, "clerk")
    await page.get_by_role("link", name="业委会选举").click()
    await page.get_by_role("link", name="发起选举").click()
    form = page.locator("#election-start")
    await form.get_by_role("button", name="发起选举").click()
    await expect(page.locator("#s-estate_id-error")).to_have_text("请选择小区")
    # A first election states its delivery facts; they are asked for only then.
    await form.get_by_role("radio", name="首次选举").check()
    await form.get_by_role("button", name="发起选举").click()
    await expect(page.locator("#s-delivered_area_percent-error")).to_have_text("请填写 0 至 100 的整数")
    await form.get_by_role("radio", name="换届选举").check()
    await form.get_by_label("小区", exact=True).select_option(cast.estate_id)
    await form.get_by_label("说明").fill("第二届业委会任期将满，启动换届")
    await shot(page, "30-election-start-form")
    await form.get_by_role("button", name="发起选举").click()
    await expect(page.locator("#case-step")).to_have_text("组建筹备组（换届小组）")
    return page.url.split("#/elections/")[1]


async def form_group(page: Page, cast: Cast) -> None:
    """组建筹备组 with the form generated from its schema: a list of members, one row each."""
    section = task(page, "group_formation")
    rows = [("街道代表", "街道代表", None, True)]
    rows += [(f"业主代表{i}", "业主", cast.households[i], False) for i in range(4)]
    rows += [("社区党组织代表", "社区党组织", None, False), ("居委会代表", "居民委员会", None, False)]
    for n, (name, role, unit, leader) in enumerate(rows, start=1):
        if n > 1:
            await section.get_by_role("button", name="添加一行").click()
        await section.get_by_label(f"第 {n} 行 姓名").fill(name)
        await section.get_by_label(f"第 {n} 行 身份").select_option(label=role)
        if unit:
            await section.get_by_label(f"第 {n} 行 房屋编号").fill(unit)
        if leader:
            await section.get_by_label(f"第 {n} 行 组长").check()
    # A row without its required column is caught before sending, by its number.
    await section.get_by_role("button", name="添加一行").click()
    await section.get_by_label("第 8 行 房屋编号").fill(cast.households[5])
    await section.get_by_label("业委会委员人数").fill("5")
    await section.get_by_role("button", name="提交决定").click()
    await expect(section.locator(".field[data-field=members] .field-error")).to_have_text("第 8 行：请填写姓名")
    await section.get_by_label("第 8 行 房屋编号").fill("")
    await shot(page, "31-group-formation-form")
    await decide(page, "group_formation", "提交")


async def test_an_election_started_in_the_browser_runs_to_its_tally_and_registration(
    web: Web, browser: Browser, api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    page = await new_page(browser)
    case_id = await start_in_browser(page, web, cast)
    drv = ElectionDriver(api, cast, sessions)
    drv.case_id = case_id
    await shot(page, "32-election-started")

    await sign_in(page, web, cast, "street")
    await open_election(page, web, case_id)
    await form_group(page, cast)
    await decide(page, "group_publication", "确认", {"公告方式": "小区公告栏书面公告"})
    await expect(page.locator("#case-step")).to_have_text("候选人推荐")

    # The community nominates one candidate in the browser, the rest through the API.
    names = await drv.names()
    await sign_in(page, web, cast, "community")
    await open_election(page, web, case_id)
    form = page.locator("#nomination-form")
    await form.get_by_label("候选人房屋").select_option(cast.households[0])
    await form.get_by_label("候选人姓名（与不动产登记一致）").fill(names[cast.households[0]])
    await form.get_by_label("推荐渠道").select_option("party_org")
    await form.get_by_label("中共党员").check()
    await form.get_by_role("button", name="提交推荐").click()
    await expect(page.locator("#candidate-table tbody tr")).to_have_count(1)
    ids = ["c1", *await drv.nominate(5, party=2, first=1)]
    await drv.close_nominations(env)

    # 资格审查 by the street office: every candidate qualifies (no rejection rows).
    await sign_in(page, web, cast, "street")
    await open_election(page, web, case_id)
    await expect(page.locator("#candidate-table tbody tr")).to_have_count(6)
    await decide(page, "qualification_review", "同意")
    await expect(page.locator('#candidate-table tr[data-status="qualified"]')).to_have_count(6)
    await expect(page.locator("#case-step")).to_have_text("候选人及会议公告")

    # An owner objects during the notice; the street office answers it in the browser.
    phone = await new_page(browser, width=375, height=812)
    await sign_in(phone, web, cast, owner_of(cast, cast.households[7]))
    await phone.goto(f"{web.url}/ui/#/election/{case_id}")
    objection = phone.locator("#election-objection")
    await objection.get_by_role("button", name="提交异议").click()
    await expect(phone.locator("#eo-text-error")).to_have_text("异议内容至少 2 个字")
    await objection.get_by_label("异议类型").select_option("vote_weight")
    await objection.get_by_label("涉及的房屋").select_option(cast.households[7])
    await objection.get_by_label("异议内容").fill("我户面积登记有误")
    await objection.get_by_role("button", name="提交异议").click()
    await expect(phone.locator("#election-objection-result")).to_contain_text("异议已提交")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await shot(phone, "37-election-objection-on-a-phone")
    await phone.context.close()
    await page.reload()
    await expect(page.locator("#objection-table")).to_contain_text("我户面积登记有误")
    await expect(page.locator("#objection-table")).to_contain_text("待答复")
    await decide(page, "objection", "答复", comment="已核对不动产登记簿，面积无误")
    await expect(page.locator("#objection-table")).to_contain_text("已答复：已核对不动产登记簿")
    await shot(page, "33-candidates-and-objection")
    await drv.end_notice(env)

    # The voting's progress: the roll, and the ballots as they come in.
    await page.reload()
    await expect(page.locator("#case-step")).to_have_text("投票表决")
    turnout = page.locator('#turnout tr[data-attempt="1"]')
    await expect(turnout.locator("[data-voters]")).to_have_text("24")
    await expect(turnout.locator("[data-ballots]")).to_have_text("0")
    # Written ballots entered by the street office in the browser: a batch of two, all or nothing.
    await enter_paper(page, cast.households[:2], ids[:5])
    await expect(page.locator("#status")).to_have_text("书面表决票已录入 2 张")
    await expect(turnout.locator("[data-ballots]")).to_have_text("2")
    # A unit that has voted is refused with the line's reason; nothing of the batch is stored.
    await enter_paper(page, [cast.households[2], cast.households[0]], ids[:5])
    await expect(page.locator('#paper-form .problem[data-status="409"]')).to_be_visible()
    await expect(page.locator("#paper-errors")).to_contain_text(f"第 2 行 {cast.households[0]}")
    await drv.paper([{"household_id": h, "choices": ids[:5]} for h in cast.households[2:20]])
    await page.reload()
    await expect(turnout.locator("[data-ballots]")).to_have_text("20")
    await expect(turnout).to_contain_text("83.3%")
    await shot(page, "34-voting-progress")
    for h in cast.households[20:23]:
        r = await api.post(f"{PATH}/{case_id}/ballots/electronic", headers=auth(cast, owner_of(cast, h)), json={"choices": ids[1:6]})
        assert r.status_code == 201, r.text
    await drv.close_voting(env, then="first_meeting")

    # The tally: the outcome, both quorums and every candidate's area and headcount, as the API counted them.
    await page.reload()
    [attempt] = await drv.tally()
    result = attempt["result"]
    tally = page.locator('#tally section.tally[data-attempt="1"]')
    await expect(tally.locator("[data-outcome]")).to_have_text("选举有效")
    await expect(tally.locator('[data-quorum="area"]')).to_have_text(
        f"{area(result['participating_area_hundredths'])} / {area(result['total_area_hundredths'])} ㎡（达到三分之二）")
    await expect(tally.locator('[data-quorum="headcount"]')).to_have_text(
        f"{result['participating_headcount']} / {result['total_headcount']} 人（达到三分之二）")
    for c in result["candidates"]:
        row = tally.locator(f'tr[data-candidate="{c["id"]}"]')
        await expect(row.locator("[data-area]")).to_have_text(area(c["area_hundredths"]))
        await expect(row.locator("[data-headcount]")).to_have_text(str(c["headcount"]))
        await expect(row).to_have_attribute("data-elected", "true" if c["elected"] else "false")
    await expect(tally.locator('tr[data-elected="true"]')).to_have_count(5)
    await expect(page.locator("#registry")).to_contain_text("业主委员会")
    await shot(page, "35-tally-dual-majority")
    # An auditor recounts from the stored ballots.
    await sign_in(page, web, cast, "auditor")
    await open_election(page, web, case_id)
    await page.get_by_role("button", name="按存档选票重新计票核对").click()
    await expect(page.locator("#recount-1")).to_contain_text("重新计票结果与存档结果一致（23 张选票")

    # 业委会登记与备案: first meeting, filing, certificate, through the generated forms.
    chair = (await drv.case())["facts"]["elected"][0]["name"]
    await sign_in(page, web, cast, "committee")
    await open_election(page, web, case_id)
    await decide(page, "first_meeting", "提交", {"会议日期": "2026-12-01", "业委会主任": chair})
    await decide(page, "filing", "提交", {"备案材料": "业主大会决议\n议事规则\n管理规约\n成员名单"})
    await sign_in(page, web, cast, "bureau")
    await open_election(page, web, case_id)
    await decide(page, "certificate", "同意", {"备案证明编号": "QZ-YWH-2026-101"})
    await expect(page.locator("#case-status")).to_have_text("已办结")
    await expect(page.locator("#registry")).to_contain_text("QZ-YWH-2026-101")
    await expect(page.locator("#registry")).to_contain_text(chair)
    await shot(page, "36-committee-registered")
    await page.context.close()


async def test_the_organiser_pages_are_keyboard_reachable_and_labelled(web: Web, browser: Browser, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    page = await new_page(browser)
    await sign_in(page, web, cast, "clerk")
    for path, form in (("#/elections/new", "#election-start"), ("#/tenders/new", "#tender-start")):
        await page.goto(f"{web.url}/ui/{path}")
        await expect(page.locator(form)).to_be_visible()
        # Every control carries a label a screen reader reads.
        unlabelled = await page.locator(f"{form} input, {form} select, {form} textarea").evaluate_all(
            "els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)")
        assert unlabelled == [], (path, unlabelled)
        # The keyboard reaches the first field from the page's focus, and the submit button in order.
        await expect(page.locator("main")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(page.get_by_label("小区", exact=True)).to_be_focused()
        for _ in range(12):
            if await page.evaluate("document.activeElement.type") == "submit":
                break
            await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.type") == "submit", path
        # Enter on the focused button sends the form: the missing estate is said in Chinese.
        await page.keyboard.press("Enter")
        await expect(page.locator("#s-estate_id-error")).to_have_text("请选择小区")
    await page.context.close()
