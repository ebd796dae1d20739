"""Companies with the estates they serve, and the expert pool with its recorded relationships, from the bureau's lists."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from db.models import Company, Estate, Expert, ExpertRelationship
from domain.registry_import import ImportKind
from tests.factories import create_test_estate
from tests.fixture_types import AsyncClient, Sessions, Settings
from tests.imports.files import apply, dry_run, outcomes, reasons, xlsx_file

COMPANIES, EXPERTS = ImportKind.COMPANIES, ImportKind.EXPERTS
CODE = "91370781MA3C4X2F4F"


async def test_companies_take_over_the_estates_they_serve(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    company = f"co-{uuid.uuid4().hex[:6]}"
    rows = [
        [company, "青州新苑物业服务有限公司", "物业服务企业", CODE, "李经理", "13900000000", cast.estate_id],
        [f"{company}-x", "某公司", "物业服务企业", CODE[:-1] + "0", "", "", ""],  # wrong check character
        [f"{company}-y", "某公司", "物业公司", CODE, "", "", ""],  # not a kind the registry knows
        [f"{company}-z", "某公司", "物业服务企业", CODE, "", "", "no-such-estate"],
        [f"{company}-w", "某施工单位", "施工单位", CODE, "", "", cast.estate_id],
    ]
    run = await dry_run(api, cast, COMPANIES, xlsx_file(COMPANIES, rows))
    assert [outcomes(run)[n] for n in range(2, 7)] == ["created"] + ["refused"] * 4
    assert reasons(run, 3) == [("统一社会信用代码", "统一社会信用代码校验位错误（GB 32100）")]
    assert reasons(run, 4) == [("企业类型", "应为：物业服务企业、审价机构、施工单位")]
    assert reasons(run, 5) == [("服务小区编号", "小区“no-such-estate”不存在")]
    assert ("服务小区编号", "施工单位不登记服务小区") in reasons(run, 6)
    run = await dry_run(api, cast, COMPANIES, xlsx_file(COMPANIES, rows[:1]))
    await apply(api, cast, COMPANIES, run["id"])
    async with sessions() as s:
        stored = await s.get(Company, company)
        assert stored is not None and stored.contact_phone_masked == "139****0000" and not stored.blacklisted
        assert (await s.get(Estate, cast.estate_id)).property_company_id == company  # type: ignore[union-attr]
    again = await dry_run(api, cast, COMPANIES, xlsx_file(COMPANIES, rows[:1]))
    assert again["counts"]["unchanged"] == 1, again["rows"][0]["changes"]

    # The same estate has its pricing agency besides its property company; a second property company is refused.
    agency = [f"pa-{company}", "青州某造价咨询有限公司", "审价机构", CODE, "", "", cast.estate_id]
    second = [f"{company}-v", "另一物业公司", "物业服务企业", CODE, "", "", cast.estate_id]
    run = await dry_run(api, cast, COMPANIES, xlsx_file(COMPANIES, [rows[0], agency, second]))
    assert [outcomes(run)[n] for n in range(2, 5)] == ["unchanged", "created", "refused"]
    assert reasons(run, 4) == [("服务小区编号", f"小区“{cast.estate_id}”已由第2行的企业服务")]


async def test_experts_and_their_relationships(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    expert = f"ex-{uuid.uuid4().hex[:6]}"
    rows = [
        # Out of the pool (在库 否): the tender tests draw from the pool and know its members.
        [expert, "王工", "物业管理", "12", "高级工程师", "青州市建筑设计院", "", "否", "co-yuejia:前雇主；co-huacheng:亲属任职"],
        [f"{expert}-b", "赵工", "电梯", "71", "", "某单位", "", "否", ""],
        [f"{expert}-c", "钱工", "消防", "5", "", "某单位", "", "否", "co-yuejia"],
        [f"{expert}-d", "孙工", "消防", "5", "", "某单位", "co-nowhere", "否", "co-gone:股东"],
    ]
    run = await dry_run(api, cast, EXPERTS, xlsx_file(EXPERTS, rows))
    assert reasons(run, 3) == [("从业年限", "应为0至70之间的整数")]
    assert reasons(run, 4) == [("利害关系（企业编号:关系，多项用；分隔）", "“co-yuejia”应为 企业编号:关系")]
    assert reasons(run, 5) == [("工作单位企业编号", "企业“co-nowhere”不存在"), ("利害关系（企业编号:关系，多项用；分隔）", "企业“co-gone”不存在")]
    await apply(api, cast, EXPERTS, (await dry_run(api, cast, EXPERTS, xlsx_file(EXPERTS, rows[:1])))["id"])
    async with sessions() as s:
        stored = await s.get(Expert, expert)
        assert stored is not None and stored.years_of_practice == 12 and stored.title == "高级工程师" and not stored.active
        relations = (await s.scalars(select(ExpertRelationship).where(ExpertRelationship.expert_id == expert))).all()
        assert sorted((r.company_id, r.relation) for r in relations) == [("co-huacheng", "亲属任职"), ("co-yuejia", "前雇主")]
    rows[0][8] = "co-yuejia:前雇主"
    changed = await dry_run(api, cast, EXPERTS, xlsx_file(EXPERTS, rows[:1]))
    assert next(o for o in changed["rows"] if o["row"] == 2)["changes"] == {
        "relationships": [[["co-huacheng", "亲属任职"], ["co-yuejia", "前雇主"]], [["co-yuejia", "前雇主"]]]}
