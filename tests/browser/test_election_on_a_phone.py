"""An owner on a 375 px phone: the election's candidates, their electronic ballot and its receipt."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.conftest import Web, new_page, shot, sign_in
from tests.factories import create_test_estate
from tests.factories_election import PATH, ElectionDriver, owner_of
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_an_owner_casts_a_ballot_on_a_phone_and_reads_the_receipt(
    web: Web, browser: Browser, api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.to_voting(env, candidates=6, seats=5)
    unit = cast.households[0]
    names = await drv.names()

    phone = await new_page(browser, width=375, height=812)
    await sign_in(phone, web, cast, owner_of(cast, unit))
    await phone.locator("#elections").get_by_role("link").first.click()
    await expect(phone.locator("#election-step")).to_have_text("投票表决")
    # The candidates by name; the ballot lists the qualified ones.
    await expect(phone.locator("#candidates li")).to_have_count(6)
    await expect(phone.locator("#candidates")).to_contain_text(names[cast.households[0]])
    await expect(phone.locator(f'#receipts tr[data-household="{unit}"]')).to_have_attribute("data-recorded", "false")
    ballot = phone.locator("#ballot-form")
    # Six names for five seats is caught in Chinese before sending.
    for box in await ballot.get_by_role("checkbox").all():
        await box.check()
    await ballot.get_by_role("button", name="投票").click()
    await expect(phone.locator("#ballot-choices-error")).to_have_text("最多选择 5 名候选人，您选了 6 名")
    for box in (await ballot.get_by_role("checkbox").all())[3:]:
        await box.uncheck()
    await ballot.get_by_role("button", name="投票").click()
    await expect(phone.locator("#ballot-done")).to_contain_text("投票已计入 1 户")
    row = phone.locator(f'#receipts tr[data-household="{unit}"]')
    await expect(row).to_have_attribute("data-recorded", "true")
    await expect(row).to_contain_text("电子投票")
    await expect(row).to_contain_text("、".join(names[cast.households[i]] for i in range(3)))
    await shot(phone, "17-ballot-receipt-on-a-phone")
    # The receipt shown is the one the server stored (a clerk checks it, without the choices).
    r = await api.get(f"{PATH}/{drv.case_id}/ballots/{unit}", headers=cast.headers("clerk"))
    stored = r.json()
    assert stored["recorded"] is True and stored["choices"] is None
    await expect(row.locator(".receipt")).to_have_text(stored["receipt"])
    # Back on the page later: the ballot is not offered again.
    await phone.reload()
    await expect(phone.locator("#ballot")).to_contain_text("您的房屋均已投票")
    await phone.context.close()
