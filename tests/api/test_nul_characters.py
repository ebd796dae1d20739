"""A NUL character in what a client sends (a path, a query, a body) is a problem to correct, never a 500.

SQLite stores it; PostgreSQL refuses it (SQLSTATE 22021), so on PostgreSQL these are 422s."""

from __future__ import annotations

from api.auth import issue_token
from domain.access import Level, Role
from tests.factories import make_actor
from tests.fixture_types import AsyncClient, Settings


async def test_a_nul_character_in_a_street_filter_a_company_id_or_a_record_body_is_not_a_500(api: AsyncClient, settings: Settings) -> None:
    bureau = {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.HOUSING_BUREAU, Level.CITY, None))}"}
    answers = [
        await api.get("/inbox", params={"street": "yidu\x00"}, headers=bureau),
        await api.get("/credit/companies/co%00/timeline", headers=bureau),
        await api.post("/credit/records", json={"company_id": "co\x00", "type": "award", "reason": "评优"},
                       headers={**bureau, "Idempotency-Key": "nul-company"}),
    ]
    for r in answers:
        assert r.status_code in (200, 404, 422), (r.request.url, r.status_code, r.text)
        if r.status_code != 200:
            assert r.headers["content-type"].startswith("application/problem+json")
