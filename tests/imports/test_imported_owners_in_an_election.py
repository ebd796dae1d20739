"""Imported owners in a real election: the owner of two units signs in through their binding, votes once for both
and counts once in the headcount (山东 Art. 25); an institutional owner's authorised representative is nominated
and passes the qualification review (潍坊 Art. 34) — the owner records as the bureau's file brought them."""

from __future__ import annotations

import uuid

from domain.access import Level, Role
from domain.registry_import import ImportKind
from tests.factories import create_test_estate, make_actor
from tests.factories_election import PATH, ElectionDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.imports.files import apply, csv_file, dry_run, id_number
from tests.imports.test_owner_and_fund_import import AUTHORISATION, COMPANY_CODE, owner_row


async def test_an_imported_owner_of_two_units_votes_once_and_an_institutions_representative_stands(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    e, units = cast.estate_id, cast.households
    zhang = id_number(61)
    rows = [owner_row(e, units[0], "张三", zhang), owner_row(e, units[1], "张三", zhang),
            owner_row(e, units[2], "青州市某某商贸有限公司", COMPANY_CODE, natural=False, rep="张建国", ref=AUTHORISATION)]
    run = await dry_run(api, cast, ImportKind.OWNERS, csv_file(ImportKind.OWNERS, rows, encoding="gb18030"))
    await apply(api, cast, ImportKind.OWNERS, run["id"])
    subject = f"citizen-{uuid.uuid4().hex[:8]}"
    r = await api.put(f"/users/{subject}/owner", json={"id_number": zhang, "reason": "本人持身份证核验"}, headers=cast.headers("bureau"))
    assert r.status_code == 200 and r.json()["households"] == sorted(units[:2]), r.text
    # The institution's representative signs in for it: bound by its credit code and the authorisation on record.
    r = await api.put(f"/users/rep-{subject}/owner", json={"credit_code": COMPANY_CODE, "reason": "授权委托书核验"}, headers=cast.headers("admin"))
    assert r.status_code == 200 and r.json()["households"] == [units[2]], r.text
    r = await api.put(f"/users/rep-{subject}/owner", json={"credit_code": COMPANY_CODE, "id_number": zhang, "reason": "两者"},
                      headers=cast.headers("admin"))
    assert r.status_code == 422

    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group()
    r = await api.post(f"{PATH}/{drv.case_id}/nominations", headers=cast.headers("community"),
                       json={"household_id": units[2], "name": "张建国", "channel": "residents_committee"})
    assert r.status_code == 200, r.text
    representative = r.json()["facts"]["candidates"][-1]["id"]
    ids = [representative, *await drv.nominate(5, first=3)]
    await drv.close_nominations(env)
    candidates = {c["id"]: c for c in (await drv.case())["facts"]["candidates"]}
    assert candidates[representative]["findings"] == [] and candidates[representative]["name"] == "张建国"
    r = await drv.review()
    assert {c["id"]: c["status"] for c in r.json()["facts"]["candidates"]}[representative] == "qualified"
    await drv.end_notice(env)

    # 张三 signs in as himself: one electronic ballot covers both his units on the roll.
    zhang_token = cast.headers(make_actor(Role.OWNER, Level.ESTATE, e, subject=subject))
    r = await api.post(f"{PATH}/{drv.case_id}/ballots/electronic", headers=zhang_token, json={"choices": ids[:5]})
    assert r.status_code == 201, r.text
    assert sorted(r.json()["receipts"]) == sorted(units[:2])
    await drv.paper([{"household_id": h, "choices": ids[:5]} for h in units[2:]])

    case = await drv.close_voting(env, then="first_meeting")
    tally = case["facts"]["attempts"][0]["tally"]
    assert tally["ballots"] == len(units) and tally["voters"] == len(units)
    assert tally["total_headcount"] == len(units) - 1 == tally["participating_headcount"]  # 张三 once
    assert representative in [m["candidate_id"] for m in case["facts"]["elected"]]
