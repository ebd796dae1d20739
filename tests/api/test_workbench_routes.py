"""The routes the workbench added: the estates a form offers, an owner's units, the development sign-in, the pages."""

from __future__ import annotations

from datetime import UTC, datetime

from httpx import ASGITransport, AsyncClient

from api.main import create_app
from db.repositories import election as election_repo
from domain.fund_emergency import PriceReviewData, check_price_review
from domain.tasks import DecisionRefused
from tests.factories import create_test_estate
from tests.fixture_types import Sessions, Settings, WorkflowEnvironment


async def test_the_estates_a_caller_may_choose_are_those_of_their_jurisdiction(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)

    async def listed(who: str) -> bool:
        r = await api.get("/estates", headers=cast.headers(who))
        assert r.status_code == 200, r.text
        return cast.estate_id in {e["id"] for e in r.json()}

    for who in ("clerk", "street", "community", "committee", "owner", "company", "agency", "bureau", "auditor"):
        assert await listed(who), who
    for who in ("other_clerk", "other_street", "other_community", "other_company"):
        assert not await listed(who), who
    # An estate-level user is offered their own estate only.
    own = (await api.get("/estates", headers=cast.headers("committee"))).json()
    assert [e["id"] for e in own] == [cast.estate_id]


async def test_an_estate_lists_each_buildings_units(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=2, units=3)
    estate = (await api.get(f"/estates/{cast.estate_id}", headers=cast.headers("clerk"))).json()
    assert [len(b["units"]) for b in estate["buildings"]] == [3, 3]
    assert all(u["id"].startswith(b["id"]) for b in estate["buildings"] for u in b["units"])


async def test_my_units_are_an_owners_own_units_with_their_balances(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    mine = sorted(cast.households[3:5])
    async with sessions() as s:
        for unit in mine:
            await election_repo.set_owner(s, household_id=unit, owner_key=cast.actors["owner"].subject, at=datetime.now(UTC))
        await s.commit()
    r = await api.get("/me/units", headers=cast.headers("owner"))
    assert r.status_code == 200, r.text
    assert [u["household_id"] for u in r.json()] == mine
    assert all(u["balance_fen"] > 0 for u in r.json())
    # Anyone else has no units of their own, a committee included.
    assert (await api.get("/me/units", headers=cast.headers("committee"))).json() == []


async def test_the_demo_user_picker_answers_a_development_run_on_loopback_only(
    env: WorkflowEnvironment, settings: Settings, worker: None,
) -> None:
    async def ask(env_name: str, host: str) -> tuple[int, int]:
        app = create_app(settings.model_copy(update={"env": env_name}), client=env.client)
        async with app.router.lifespan_context(app):
            transport = ASGITransport(app=app, client=(host, 50000))
            async with AsyncClient(transport=transport, base_url=f"http://{host}:8000") as c:
                users = await c.get("/dev/users")
                token = await c.post("/dev/users/auditor-city/token")
                if token.status_code == 200:
                    me = await c.get("/me", headers={"Authorization": f"Bearer {token.json()['token']}"})
                    assert me.json()["name"] == "韩审计"
                    assert any(u["subject"] == "clerk-yidu" and u["roles"][0]["label"] for u in users.json())
                return users.status_code, token.status_code

    assert await ask("development", "127.0.0.1") == (200, 200)
    assert await ask("development", "10.1.2.3") == (404, 404)
    assert await ask("test", "127.0.0.1") == (404, 404)


async def test_the_pages_are_served_at_the_root(api: AsyncClient) -> None:
    r = await api.get("/")
    assert r.status_code in (302, 307) and r.headers["location"] == "/ui/"
    page = await api.get("/ui/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text and "app.js" in page.text
    script = await api.get("/ui/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_a_price_review_refusal_names_its_field() -> None:
    """The workbench shows the server's reason next to the field a refusal names."""
    try:
        check_price_review(5_000_000, PriceReviewData(approved_amount_fen=5_000_001))
    except DecisionRefused as exc:
        assert [e["loc"] for e in exc.errors] == [["data", "approved_amount_fen"]]
    else:
        raise AssertionError("an approved amount above the request passed")
    try:
        check_price_review(5_000_000, PriceReviewData(approved_amount_fen=4_999_999))
    except DecisionRefused as exc:
        assert [e["loc"] for e in exc.errors] == [["data", "reasons"]]
    else:
        raise AssertionError("a cut without reasons passed")
    check_price_review(5_000_000, PriceReviewData(approved_amount_fen=5_000_000))
