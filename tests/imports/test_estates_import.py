"""Importing estates → buildings → units → households: a dry run lists every row, apply writes all or nothing, once."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook
from sqlalchemy import select

from db.models import AuditEntry, Building, Community, Estate, Household, Unit
from db.repositories import audit as audit_repo
from domain.registry_import import ImportKind, template_rows
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings
from tests.imports.files import apply, csv_file, dry_run, estate_rows, new_estate_id, outcomes, reasons, xlsx_file

ESTATES = ImportKind.ESTATES


async def test_the_template_has_the_published_chinese_headers(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    for kind in ImportKind:
        r = await api.get(f"/imports/{kind.value}/template.xlsx", headers=cast.headers("bureau"))
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == template_rows(kind)[0]
    assert (await api.get("/imports/estates/template.xlsx", headers=cast.headers("clerk"))).status_code == 403


async def test_every_kind_of_bad_row_is_refused_with_its_column_and_nothing_is_applied(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    estate = new_estate_id()
    good, *rest = estate_rows(estate, households=8)
    rows = [good]
    bad = [list(r) for r in rest]
    bad[0][12] = "0"  # area not positive
    bad[1][12] = "89.505"  # more than two decimals
    bad[2][12] = "八十九"  # not a number
    bad[3][9] = good[9]  # the same household twice in the file
    bad[4][2] = "nowhere"  # unknown street
    bad[5][3] = "wangfu-c1"  # a community of another street
    bad[6][11] = ""  # a required cell empty
    rows += bad
    run = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows))
    assert run["status"] == "dry_run" and run["counts"]["created"] == 1 and run["counts"]["refused"] == 7
    assert outcomes(run)[2] == "created"
    assert reasons(run, 3) == [("专有面积（平方米）", "面积必须大于0")]
    assert reasons(run, 4) == [("专有面积（平方米）", "面积最多保留两位小数")]
    assert reasons(run, 5) == [("专有面积（平方米）", "不是数字")]
    assert reasons(run, 6) == [("房屋编号", "与第2行重复")]
    assert ("镇街编号", "镇街“nowhere”不存在") in reasons(run, 7)  # (and the estate now differs from row 2)
    assert ("社区编号", "社区“wangfu-c1”属于镇街“wangfu”") in reasons(run, 8)
    assert reasons(run, 9) == [("登记业主", "必填")]

    refused = await apply(api, cast, ESTATES, run["id"], expect=409)
    assert "7 行被拒绝" in refused["detail"]
    async with sessions() as s:
        assert (await s.scalars(select(Household).where(Household.estate_id == estate))).all() == []


async def test_an_applied_file_again_changes_nothing_and_a_changed_row_is_audited_old_to_new(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    estate = new_estate_id()
    rows = estate_rows(estate, households=6)
    first = await dry_run(api, cast, ESTATES, xlsx_file(ESTATES, rows), who="bureau")
    assert first["counts"] == {"created": 6, "updated": 0, "unchanged": 0, "refused": 0, "removed": 0}
    async with sessions() as s:
        assert await s.get(Household, rows[0][9]) is None  # a dry run writes nothing
    done = await apply(api, cast, ESTATES, first["id"], who="bureau")
    assert done["status"] == "applied" and done["changed"] == 1 + 1 + 2 + 6  # estate, building, units, households
    assert (await apply(api, cast, ESTATES, first["id"], expect=409))["detail"].endswith("不能重复导入")

    again = await dry_run(api, cast, ESTATES, xlsx_file(ESTATES, rows))
    assert again["counts"]["unchanged"] == 6 and again["counts"]["created"] == again["counts"]["updated"] == 0
    assert (await apply(api, cast, ESTATES, again["id"]))["changed"] == 0

    rows[2][12] = "90.25"
    changed = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows))
    assert outcomes(changed)[4] == "updated" and changed["counts"]["unchanged"] == 5
    assert next(o for o in changed["rows"] if o["row"] == 4)["changes"] == {"area": ["89.50", "90.25"]}
    await apply(api, cast, ESTATES, changed["id"])
    async with sessions() as s:
        assert str((await s.get(Household, rows[2][9])).area_m2) == "90.25"  # type: ignore[union-attr]
        entries = (await s.scalars(select(AuditEntry).where(AuditEntry.case_id == "registry:estates", AuditEntry.entry_key.like(f"import:{changed['id']}:%")))).all()
        assert [(e.decision, e.actor_subject, e.data["fields"]) for e in entries] == [
            ("update", cast.actors["admin"].subject, {"area": ["89.50", "90.25"]})]
        assert (await audit_repo.check_chain(s, "registry:estates"))[1] is None


async def test_a_dry_run_is_stale_once_the_registry_changed_after_it(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    estate = new_estate_id()
    rows = estate_rows(estate, households=2)
    await apply(api, cast, ESTATES, (await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows)))["id"])
    rows[0][12] = "70.00"
    reviewed = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows))
    rows[0][12] = "71.00"
    await apply(api, cast, ESTATES, (await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows)))["id"])
    stale = await apply(api, cast, ESTATES, reviewed["id"], expect=409)
    assert "试运行已过期" in stale["detail"]
    async with sessions() as s:
        assert str((await s.get(Household, rows[0][9])).area_m2) == "71.00"  # type: ignore[union-attr]


async def _registry_rows(sessions: Sessions, estate_id: str) -> tuple[list[Household], list[list[str]]]:
    """The estate's households as an estates file states them now."""
    async with sessions() as s:
        found = (await s.execute(
            select(Household, Unit, Building).join(Unit, Unit.id == Household.unit_id).join(Building, Building.id == Unit.building_id)
            .where(Household.estate_id == estate_id).order_by(Household.id))).all()
        name = (await s.get(Estate, estate_id)).name  # type: ignore[union-attr]
    return [h for h, _, _ in found], [[estate_id, name, "yidu", "yidu-c1", "", b.id, b.name, u.id, u.name, h.id, h.room, h.owner_name,
                                       f"{h.area_m2:.2f}"] for h, u, b in found]


async def test_the_area_of_a_household_in_an_open_public_notice_is_not_changed(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    _homes, rows = await _registry_rows(sessions, cast.estate_id)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.through_approval()
    rows[0][12] = "150.00"
    before = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows))
    assert outcomes(before)[2] == "updated"  # approved and paid in part, but no notice yet
    await drv.decide("committee", "completion_acceptance", "confirm")
    await drv.decide("company", "completion_acceptance", "confirm")
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_000_000, "acceptance_certificate": "YS-1"})
    await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000})
    run = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows))
    assert reasons(run, 2) == [("专有面积（平方米）", f"该户在维修资金案件 {drv.case_id} 的公示分摊范围内，公示期间不能变更面积")]
    assert outcomes(run)[3] == "unchanged"
    assert (await apply(api, cast, ESTATES, before["id"], expect=409))["detail"]


async def test_removing_a_household_in_an_open_fund_case_is_refused(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    homes, rows = await _registry_rows(sessions, cast.estate_id)
    drv = FundCaseDriver(api, cast)
    await drv.start(scope="unit", scope_id=homes[0].unit_id)
    run = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows[1:]))
    removed = next(o for o in run["rows"] if o["key"] == homes[0].id)
    assert removed["outcome"] == "refused" and removed["row"] is None
    assert any(drv.case_id in e["reason"] and "不能删除" in e["reason"] for e in removed["errors"])
    assert "被拒绝" in (await apply(api, cast, ESTATES, run["id"], expect=409))["detail"]
    async with sessions() as s:
        assert await s.get(Household, homes[0].id) is not None


async def test_importing_needs_the_administrator_or_the_bureau_and_a_readable_file(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    content = csv_file(ESTATES, estate_rows(new_estate_id()))
    for who in ("clerk", "street", "auditor", "owner"):
        assert (await api.post("/imports/estates", content=content, headers=cast.headers(who))).status_code == 403
    for bad in (b"", b"\x00\x01binary", b"PK\x03\x04broken zip", "小区编号\n".encode()):
        r = await api.post("/imports/estates", content=bad, headers=cast.headers("admin"))
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", bad
    r = await api.post("/imports/estates", content="房号,面积\n101,89\n".encode(), headers=cast.headers("admin"))
    assert r.status_code == 422 and "表头缺少列" in r.json()["detail"]
    assert (await api.post("/imports/nothing", content=content, headers=cast.headers("admin"))).status_code == 422
    assert (await api.post("/imports/estates/imp-unknown/apply", headers=cast.headers("admin"))).status_code == 404


async def test_a_new_community_is_created_in_its_street_when_the_file_names_it(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    estate, community = new_estate_id(), f"yidu-{uuid.uuid4().hex[:6]}"
    rows = estate_rows(estate, households=3)
    for row in rows:
        row[3] = community
    rows[0][4] = "东城社区"  # its name once is enough; the later rows find it
    unnamed = estate_rows(new_estate_id(), households=1)
    unnamed[0][3] = f"yidu-{uuid.uuid4().hex[:6]}"
    run = await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows + unnamed))
    assert [outcomes(run)[n] for n in (2, 3, 4, 5)] == ["created", "created", "created", "refused"]
    assert reasons(run, 5) == [("社区编号", f"社区“{unnamed[0][3]}”不存在（新社区请填写社区名称）")]
    await apply(api, cast, ESTATES, (await dry_run(api, cast, ESTATES, csv_file(ESTATES, rows)))["id"])
    async with sessions() as s:
        created = await s.get(Community, community)
        assert created is not None and created.street_id == "yidu" and created.name == "东城社区"
