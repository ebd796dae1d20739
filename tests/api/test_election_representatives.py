"""潍坊 Art. 34: an institutional owner (单位业主) stands through the natural person it authorises, recorded on the owner record."""

from __future__ import annotations

from datetime import UTC, datetime

from db.repositories import election as election_repo
from tests.factories import create_test_estate
from tests.factories_election import PATH, ElectionDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

AUTHORISATION = "青州市某某商贸有限公司授权委托书〔2026〕3号"


async def test_an_authorised_representative_of_an_institutional_owner_may_stand(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    authorised, unauthorised, natural = cast.households[0], cast.households[1], cast.households[2]
    async with sessions() as s:
        for unit in (authorised, unauthorised):
            await election_repo.set_owner(s, household_id=unit, owner_key=f"org-{unit}", natural_person=False, at=datetime.now(UTC))
        await s.commit()

    url = f"/households/{authorised}/owner/representative"
    body = {"name": "张建国", "authorisation_ref": AUTHORISATION}
    assert (await api.put(url, json=body, headers=cast.headers("owner"))).status_code == 403
    assert (await api.put(url, json=body, headers=cast.headers("other_street"))).status_code == 403
    r = await api.put(f"/households/{natural}/owner/representative", json=body, headers=cast.headers("street"))
    assert r.status_code == 422 and "natural person" in r.json()["detail"]
    assert (await api.put(url, json={"name": "张建国"}, headers=cast.headers("street"))).status_code == 422
    r = await api.put(url, json=body, headers=cast.headers("street"))
    assert r.status_code == 200, r.text
    assert r.json() == {"household_id": authorised, "owner_key": f"org-{authorised}", "natural_person": False,
                        "representative_name": "张建国", "authorisation_ref": AUTHORISATION}

    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group()
    nominations = f"{PATH}/{drv.case_id}/nominations"
    names = await drv.names()
    for unit, name in ((authorised, "张建国"), (unauthorised, "李卫东"), (authorised, "王五")):
        r = await api.post(nominations, headers=cast.headers("community"),
                           json={"household_id": unit, "name": name, "channel": "residents_committee"})
        assert r.status_code == (409 if name == "王五" else 200), r.text  # one nomination per unit
    await drv.nominate(5, first=3)
    await drv.close_nominations(env)
    findings = {c["household_id"]: c["findings"] for c in (await drv.case())["facts"]["candidates"]}
    # The authorised person stands; an institution with no authorisation on record does not.
    assert findings[authorised] == []
    assert findings[unauthorised] == ["非自然人业主，须由单位业主授权的自然人代表参选，未登记授权"]
    assert all(findings[h] == [] for h in cast.households[3:8])
    assert names[authorised] != "张建国"  # the register names the unit's owner of record, not the person

    # Withdrawn, the authorisation no longer counts for a later check.
    r = await api.delete(url, headers=cast.headers("street"))
    assert r.status_code == 200 and r.json()["representative_name"] is None
    async with sessions() as s:
        facts = await election_repo.candidate_facts(s, cast.estate_id, [("c1", authorised)], datetime.now(UTC))
    assert facts[0].representative_name is None and not facts[0].natural_person
