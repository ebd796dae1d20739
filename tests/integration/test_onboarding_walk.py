"""The issue's "done when": a new city replaces the demo with its own estate from the templates, drives a fund
case on it and exports the registry with the new balances — the README's steps (Onboarding a city), through
the HTTP API of a development run on loopback, as ``make run`` serves it.

Each step is the README's curl: the template downloaded, filled as Excel would (its example row replaced),
posted raw as ``curl --data-binary`` sends it, the dry run read, the reviewed id applied; the estate's deciders
recorded as users and signed in through the development sign-in; the walk's decisions; the export read back.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

import openpyxl
from httpx import ASGITransport

from api.main import create_app
from core.settings import DEV_JWT_SECRET
from domain.personal_data import id_number_check_digit
from tests.clock import skip_past, wait_until
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def id_number(first17: str) -> str:
    return first17 + id_number_check_digit(first17)


@asynccontextmanager
async def make_run(settings: Settings, env: WorkflowEnvironment) -> AsyncIterator[AsyncClient]:
    """The API as ``make run`` serves it: a development run, its development secret, called over loopback."""
    dev = settings.model_validate({**settings.model_dump(), "env": "development", "auth": None, "jwt_secret": DEV_JWT_SECRET})
    app = create_app(dev, client=env.client)
    transport = ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with app.router.lifespan_context(app), AsyncClient(transport=transport, base_url="http://127.0.0.1:8000", timeout=60) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def token(http: AsyncClient, subject: str) -> str:
    """``token() { curl -s -X POST $API/dev/users/$1/token | …["token"]; }``"""
    r = await http.post(f"/dev/users/{subject}/token")
    assert r.status_code == 200, r.text
    value: str = r.json()["token"]
    return value


def filled(template: bytes, rows: list[list[Any]]) -> bytes:
    """The template as Excel saves it once the example row is replaced with the city's rows (headers kept)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    assert sheet is not None
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def import_file(http: AsyncClient, admin: str, kind: str, rows: list[list[Any]]) -> dict[str, Any]:
    """Template → fill → dry run (reviewed: nothing refused) → apply."""
    template = await http.get(f"/imports/{kind}/template.xlsx", headers=bearer(admin))
    assert template.status_code == 200
    r = await http.post(f"/imports/{kind}", params={"file_name": f"{kind}.xlsx"}, content=filled(template.content, rows),
                        headers={**bearer(admin), "Content-Type": "application/x-www-form-urlencoded"})  # curl --data-binary
    assert r.status_code == 201, r.text
    run: dict[str, Any] = r.json()
    assert [o for o in run["rows"] if o["outcome"] == "refused"] == [] and run["counts"]["created"] + run["counts"]["updated"] > 0
    r = await http.post(f"/imports/{kind}/{run['id']}/apply", headers=bearer(admin))
    assert r.status_code == 200, r.text
    return run


def registry(estate: str, households: list[tuple[str, str, Decimal]]) -> dict[str, list[list[Any]]]:
    """The files of one estate: a building of two units, two owners of record (one holds two units), the bureau's balances."""
    b = f"{estate}-b1"
    estates = [[estate, "新苑小区", "yidu", "yidu-c1", None, b, "1号楼", h.rsplit("-", 1)[0], f"{h.split('-u')[1][0]}单元", h, room,
                f"业主{room}", float(area)] for h, room, area in households]
    owner_a, owner_b = id_number("37078119800101123"), id_number("37078119850505456")
    owners = [[estate, h, "自然人", "林一" if n < 2 else f"业主{room}", owner_a if n < 2 else owner_b if n == 2 else id_number(f"370781199001{n:02d}789"),
               None, None, None, 0, 0, None, None] for n, (h, room, _a) in enumerate(households)]
    balances = [[estate, h, 8000 + n * 100.5, 9000] for n, (h, _r, _a) in enumerate(households)]
    companies = [
        [f"co-{estate}", "青州新苑物业服务有限公司", "物业服务企业", credit_code("91370781MA3XY0001"), "李经理", "13900000000", estate],
        [f"pa-{estate}", "青州新苑工程造价咨询有限公司", "审价机构", credit_code("91370781MA3XY0002"), None, None, estate],
    ]
    return {"estates": estates, "owners": owners, "fund-balances": balances, "companies": companies}


async def people(http: AsyncClient, admin: str, estate: str) -> dict[str, str]:
    """``PUT /users/{subject}`` for those who decide on the new estate, then the development sign-in of each."""
    users = {
        f"rep-{estate}": ("林代表", "owner_rep", "estate", estate),
        f"company-{estate}": ("李经理", "property_company", "company", f"co-{estate}"),
        f"agency-{estate}": ("何造价师", "pricing_agency", "company", f"pa-{estate}"),
    }
    for subject, (name, role, level, where) in users.items():
        r = await http.put(f"/users/{subject}", headers=bearer(admin), json={
            "name": name, "roles": [role], "level": level, "jurisdiction_id": where, "reason": "新小区接入"})
        assert r.status_code == 200, r.text
    tokens = {role: await token(http, subject) for subject, (_n, role, _l, _w) in users.items()}
    return {**tokens, "community": await token(http, "community-yidu-c1"), "clerk": await token(http, "clerk-yidu"),
            "bureau": await token(http, "bureau-li")}


async def decide(http: AsyncClient, who: str, case: str, task: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await http.post(f"/cases/{case}/tasks/{task}/decisions", headers={**bearer(who), "Idempotency-Key": uuid.uuid4().hex}, json=body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def walk(http: AsyncClient, env: WorkflowEnvironment, t: dict[str, str], estate: str) -> dict[str, Any]:
    """"Walk one emergency case" on the new estate: its residents' committee stands in for the committee it has not elected."""
    r = await http.post("/cases/fund-emergency", headers={**bearer(t["clerk"]), "Idempotency-Key": uuid.uuid4().hex}, json={
        "estate_id": estate, "category": "elevator_failure", "scope": "building", "scope_id": f"{estate}-b1",
        "description": "1号楼电梯钢丝绳断股，已停运"})
    assert r.status_code == 201, r.text
    case = r.json()["id"]
    for who in ("owner_rep", "community", "property_company"):
        await decide(http, t[who], case, "t1", {"decision": "confirm", "comment": "现场属实"})
    await decide(http, t["property_company"], case, "t2", {"decision": "submit", "data": {"amount_fen": 5000000, "contractor": "青州建安维修工程有限公司"}})
    await decide(http, t["pricing_agency"], case, "t3", {"decision": "approve", "data": {"approved_amount_fen": 4200000, "reasons": "钢丝绳单价按信息价核减"}})
    await decide(http, t["bureau"], case, "t4", {"decision": "approve", "comment": "同意应急使用"})
    for who in ("community", "property_company"):
        await decide(http, t[who], case, "t5", {"decision": "confirm", "data": {"certificate": "YS-2026-101"}})
    await decide(http, t["property_company"], case, "t6", {"decision": "submit", "data": {"amount_fen": 4100000, "acceptance_certificate": "YS-2026-101"}})
    noticed = await decide(http, t["pricing_agency"], case, "t7", {"decision": "approve", "data": {"approved_amount_fen": 4000000, "reasons": "按实结算"}})
    # 7. after the notice period the final payment is made and the case closes (结案)
    await skip_past(env, datetime.fromisoformat(noticed["facts"]["public_notice"]["end"]))

    async def completed() -> dict[str, Any] | None:
        answer: dict[str, Any] = (await http.get(f"/cases/{case}", headers=bearer(t["bureau"]))).json()
        return answer if answer["status"]["code"] == "completed" else None

    return await wait_until(completed)


async def test_a_new_city_replaces_the_demo_with_its_estate_drives_a_fund_case_and_exports_the_new_balances(
    settings: Settings, env: WorkflowEnvironment, worker: None, sessions: Sessions,
) -> None:
    estate = f"yidu-xy{uuid.uuid4().hex[:4]}"
    households = [(f"{estate}-b1-u{u}-{f}0{r}", f"{u}-{f}0{r}", Decimal(f"{80 + u * 7 + f * 3 + r}.{u * f * r * 7 % 100:02d}"))
                  for u in (1, 2) for f in (1, 2) for r in (1, 2)]
    async with make_run(settings, env) as http:
        admin = await token(http, "admin")
        for kind, rows in registry(estate, households).items():
            await import_file(http, admin, kind, rows)
        t = await people(http, admin, estate)
        case = await walk(http, env, t, estate)
        assert case["facts"]["final_payment_fen"] is not None

        r = await http.get("/exports/registry.xlsx", params={"estate_id": estate}, headers=bearer(t["bureau"]))
        assert r.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        assert sheet is not None
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        exported = {row[header.index("房屋编号")]: Decimal(str(row[header.index("维修资金余额（元）")])) for row in rows}
        assert sorted(exported) == sorted(h for h, _r, _a in households)
        debited = 0
        for n, (h, _r, _a) in enumerate(households):
            ledger = (await http.get(f"/households/{h}/fund", headers=bearer(t["bureau"]))).json()
            paid = -sum(line["amount_fen"] for line in ledger["ledger"] if line["case_id"] == case["id"])
            imported = round((8000 + n * 100.5) * 100)
            assert paid > 0 and exported[h] * 100 == imported - paid == ledger["balance_fen"], h  # to the fen
            debited += paid
        assert debited == 4_000_000  # the settlement, every fen of it out of the building's accounts
