"""The inbox narrowed to one case, one process, one street or one estate: what a work list's filters ask the server for."""

from __future__ import annotations

from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_the_inbox_is_narrowed_to_a_case_a_process_or_an_estate(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    first = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await first.start()
    second = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await second.start()
    # Both reports wait for the owners' representative's verification, each in its own estate.
    mine = await first.inbox("owner_rep")
    assert mine and {i["case_id"] for i in mine} == {first.case_id}
    headers = second.headers("owner_rep")

    async def case_ids(**params: str) -> set[str]:
        r = await api.get("/inbox", params={**params, "limit": "500"}, headers=headers)
        assert r.status_code == 200, r.text
        return {i["case_id"] for i in r.json()}

    assert second.case_id in await case_ids()
    assert await case_ids(estate_id=second.cast.estate_id) == await case_ids(process="fund-emergency") == {second.case_id}
    assert await case_ids(estate_id=first.cast.estate_id) == set() == await case_ids(process="election")
    assert (await api.get("/inbox", params={"case_id": "no-such-case"}, headers=headers)).json() == []
    too_long = await api.get("/inbox", params={"case_id": "x" * 201}, headers=headers)
    assert too_long.status_code == 422 and too_long.headers["content-type"].startswith("application/problem+json")


async def test_the_inbox_is_narrowed_to_a_street(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    # One company serves an estate in 益都街道 and one in 王府街道: its inbox holds both verifications.
    yidu = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await yidu.start()
    wangfu = FundCaseDriver(api, await create_test_estate(sessions, settings, street_id="wangfu", community_id="wangfu-c1"))
    await wangfu.start()
    headers = yidu.headers("company")

    async def case_ids(**params: str) -> set[str]:
        r = await api.get("/inbox", params={**params, "limit": "500"}, headers=headers)
        assert r.status_code == 200, r.text
        return {i["case_id"] for i in r.json()}

    assert {yidu.case_id, wangfu.case_id} <= await case_ids()
    in_wangfu = await case_ids(street="wangfu")
    assert wangfu.case_id in in_wangfu and yidu.case_id not in in_wangfu
    assert yidu.case_id in await case_ids(street="yidu", process="fund-emergency")
    assert await case_ids(street="wangfu", estate_id=yidu.cast.estate_id) == set()
    assert await case_ids(street="no-such-street") == set()
    too_long = await api.get("/inbox", params={"street": "x" * 65}, headers=headers)
    assert too_long.status_code == 422 and too_long.headers["content-type"].startswith("application/problem+json")
