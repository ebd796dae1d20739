"""Owners and fund balances from the bureau's files: GB18030 CSV, ID checks, one owner of two units, representatives, balances."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from db.models import FundAccount, LedgerEntry, OwnerRecord
from db.repositories import election as election_repo
from domain.election import Candidate, NominationChannel
from domain.election_checks import eligibility_findings
from domain.registry_import import ImportKind
from domain.tally import tally_dual_majority
from tests.factories import create_test_estate
from tests.fixture_types import AsyncClient, Sessions, Settings
from tests.imports.files import apply, csv_file, dry_run, id_number, outcomes, reasons, wrong_check_digit

OWNERS, FUND = ImportKind.OWNERS, ImportKind.FUND_BALANCES
AUTHORISATION = "青州市某某商贸有限公司授权委托书〔2026〕3号"
COMPANY_CODE = "91370781MA3C4X2F4F"


def owner_row(estate: str, unit: str, name: str, number: str, *, natural: bool = True, rep: str = "", ref: str = "",
              fee: str = "0", fund: str = "0", as_of: str = "", source: str = "", phone: str = "13800000000") -> list[str]:
    return [estate, unit, "自然人" if natural else "单位", name, number, phone, rep, ref, fee, fund, as_of, source]


async def test_a_gb18030_owner_file_two_units_count_once_and_a_representative_may_stand(
    api: AsyncClient, sessions: Sessions, settings: Settings, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=4, rooms=2)
    e, (a, b, c, d, f, _g, h, i) = cast.estate_id, cast.households
    zhang = id_number(1)
    rows = [
        owner_row(e, a, "张三", zhang),
        owner_row(e, b, "张三", zhang),  # the same owner's second unit
        owner_row(e, c, "青州市某某商贸有限公司", COMPANY_CODE, natural=False, rep="张建国", ref=AUTHORISATION),
        owner_row(e, d, "李四", wrong_check_digit(id_number(2))),
        owner_row("no-such-estate", f, "王五", id_number(3)),
        owner_row(e, "no-such-unit", "赵六", id_number(4)),
        owner_row(e, h, "钱七", id_number(5), fee="120.5"),  # arrears without date and source
        owner_row(e, i, "孙八", id_number(6), rep="孙九", ref="委托书"),  # a natural person has no representative
    ]
    content = csv_file(OWNERS, rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # what Excel on a Chinese Windows writes
    run = await dry_run(api, cast, OWNERS, content)
    assert [outcomes(run)[n] for n in range(2, 10)] == ["created"] * 3 + ["refused"] * 5
    assert reasons(run, 5) == [("证件号码", "身份证号码校验位错误（GB 11643）")]
    assert reasons(run, 6) == [("小区编号", "小区“no-such-estate”不存在")]
    assert reasons(run, 7) == [("房屋编号", "房屋编号不存在（请先导入小区、楼栋、单元、房屋）")]
    assert reasons(run, 8) == [("欠费日期", "有欠费时须填写欠费日期和欠费来源")]
    assert reasons(run, 9) == [("授权代表", "自然人业主不登记授权代表")]

    run = await dry_run(api, cast, OWNERS, csv_file(OWNERS, [*rows[:3], owner_row(e, d, "李四", id_number(2), fee="35.00", as_of="2026-10-31", source="物业公司报送")],
                                                       encoding="gb18030"))
    assert run["counts"]["created"] == 4
    await apply(api, cast, OWNERS, run["id"])
    async with sessions() as s:
        records = {r.household_id: r for r in (await s.scalars(select(OwnerRecord).where(OwnerRecord.household_id.in_([a, b, c, d])))).all()}
        assert records[a].owner_key == records[b].owner_key != records[d].owner_key
        assert records[a].id_number_masked == zhang[:6] + "********" + zhang[-4:] and records[a].phone_masked == "138****0000"
        assert records[d].fee_arrears_fen == 3500 and records[d].arrears_source == "物业公司报送"
        # 山东 Art. 25: eight units, seven owners in the headcount (张三 holds two; the rest are each their own).
        roll = await election_repo.estate_roll(s, e)
        result = tally_dual_majority(roll, [], [], seats=1)
        assert result.total_headcount == 7 and len(roll) == 8
        # 潍坊 Art. 34: the institution's authorised representative stands for its unit; another name does not.
        facts = (await election_repo.candidate_facts(s, e, [("c1", c)], datetime.now(UTC)))[0]
        for name, eligible in (("张建国", True), ("李卫东", False)):
            candidate = Candidate(id="c1", order=1, household_id=c, name=name, party_member=False, channel=NominationChannel.SELF,
                                  nominated_by="x", nominated_by_name="x")
            assert (eligibility_findings(candidate, facts) == []) is eligible

    again = await dry_run(api, cast, OWNERS, csv_file(OWNERS, rows[:3], encoding="utf-8"))
    assert again["counts"]["unchanged"] == 3 and (await apply(api, cast, OWNERS, again["id"]))["changed"] == 0
    # No ID number, masked or raw beyond its mask, leaves the request in a log line or the answer.
    assert caplog.records
    logged = "\n".join(r.getMessage() + str(r.__dict__.get("msg")) for r in caplog.records)
    for number in (zhang, id_number(2), COMPANY_CODE, wrong_check_digit(id_number(2))):
        assert number not in logged and number not in str(run) and number not in str(again)


async def test_fund_balances_are_whole_fen_and_each_change_is_a_ledger_line(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    e, (a, b) = cast.estate_id, cast.households
    bad = await dry_run(api, cast, FUND, csv_file(FUND, [[e, a, "12.345", "100"], [e, b, "-1", "100"], [e, b, "1,234.50", "x"]]))
    assert reasons(bad, 2) == [("维修资金余额（元）", "金额须为整数分（最多两位小数）")]
    assert reasons(bad, 3) == [("维修资金余额（元）", "金额不能为负数")]
    assert reasons(bad, 4) == [("首次交存额（元）", "不是数字"), ("房屋编号", "与第3行重复")]
    rows = [[e, a, "6800.10", "8950.00"], [e, b, "1234.50", "8000"]]
    run = await dry_run(api, cast, FUND, csv_file(FUND, rows))
    assert run["counts"]["updated"] == 2
    await apply(api, cast, FUND, run["id"], who="bureau")
    async with sessions() as s:
        account = await s.get(FundAccount, a)
        assert account is not None and account.balance_fen == 680010 and account.initial_deposit_fen == 895000
        line = (await s.scalars(select(LedgerEntry).where(LedgerEntry.household_id == a).order_by(LedgerEntry.id.desc()))).first()
        assert line is not None and line.kind == "import" and line.balance_after_fen == 680010 and line.recorded_by == cast.actors["bureau"].subject
    r = await api.get(f"/households/{a}/fund", headers=cast.headers("bureau"))
    assert r.status_code == 200 and r.json()["balance_fen"] == 680010
    again = await dry_run(api, cast, FUND, csv_file(FUND, rows))
    assert again["counts"]["unchanged"] == 2


def test_an_id_number_in_a_log_line_is_masked() -> None:
    from core.logging import redact_personal_data

    number = id_number(7)
    event = redact_personal_data(None, "info", {"event": f"row 3: {number} refused", "n": 3})
    assert event == {"event": f"row 3: {number[:6]}********{number[-4:]} refused", "n": 3}
