"""山东社会信用条例 Art. 40: a record the bureau revokes leaves the published quarter too (the platform 撤销或者变更该信息)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from activities.credit import CreditActivities, RevokeRequest
from api.auth import issue_token
from db.repositories import credit as credit_repo
from domain.access import Level, Role
from domain.credit import CreditEntry, QuarterFigures
from domain.credit_facts import AssessmentLine, assess_company
from tests.factories import make_actor
from tests.factories_credit import clear_quarter, create_company
from tests.fixture_types import AsyncClient, Sessions, Settings

QUARTER = "2001Q1"  # long past: never the newest published quarter another test reads


async def test_a_revoked_record_is_taken_off_the_published_line_which_is_republished_with_a_note(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    bureau = {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.HOUSING_BUREAU, Level.CITY, None))}"}
    company = await create_company(sessions)
    body = {"company_id": company, "type": "serious_dishonesty", "reason": "伪造业主大会表决结果", "evidence": "青住建罚〔2026〕3号"}
    record = (await api.post("/credit/records", json=body, headers={**bureau, "Idempotency-Key": uuid.uuid4().hex})).json()
    try:
        at = datetime.now(UTC)
        async with sessions() as s, s.begin():
            views = (await credit_repo.record_views(s, [company]))[company]
            line = assess_company(company, "信用测试物业", views, QuarterFigures(), at)
            await credit_repo.save_line(s, quarter=QUARTER, case_id=f"credit-test-{company}", company_id=company,
                                        grade=line.grade.value, line=line.model_dump(mode="json"), at=at)
            await credit_repo.publish_lines(s, QUARTER, at)

        async def published() -> dict[str, object]:
            r = await api.get(f"/credit/published/{QUARTER}")
            assert r.status_code == 200, r.text
            [mine] = [x for x in r.json()["lines"] if x["company_id"] == company]
            return mine  # type: ignore[no-any-return]

        before = await published()
        assert [b["type"] for b in before["bad_records"]] == ["serious_dishonesty"] and before["blacklisted"]  # type: ignore[union-attr]
        revocation = {"reason": "行政处罚决定已被复议机关撤销", "evidence": "青政复决〔2026〕8号"}
        r = await api.post(f"/credit/records/{record['id']}/revocation", json=revocation, headers=bureau)
        assert r.status_code == 200, r.text
        after = await published()
        assert after["bad_records"] == [] and not after["blacklisted"]
        assert after["republished_at"] is not None and "第四十条" in str(after["note"])
        assert after["grade"] != before["grade"]
    finally:
        await clear_quarter(sessions, QUARTER)


async def test_the_note_of_an_upheld_objection_names_the_city_day_it_was_upheld(sessions: Sessions) -> None:
    company = await create_company(sessions)
    # 1 December 2026, 01:00 in the city: still 30 November in UTC.
    upheld = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    try:
        async with sessions() as s, s.begin():
            record = await credit_repo.record_credit(s, CreditEntry(
                key=f"note-day-{company}", company_id=company, type="supervision_refused", reason="拒不接受监督检查", at=upheld))
            views = (await credit_repo.record_views(s, [company]))[company]
            line = assess_company(company, "信用测试物业", views, QuarterFigures(), upheld)
            await credit_repo.save_line(s, quarter=QUARTER, case_id=f"credit-test-{company}", company_id=company,
                                        grade=line.grade.value, line=line.model_dump(mode="json"), at=upheld)
        await CreditActivities(sessions).revoke(RevokeRequest(quarter=QUARTER, record_id=record.id, reason="异议成立", at=upheld))
        async with sessions() as s:
            row = await credit_repo.line_of(s, QUARTER, company)
        assert row is not None
        assert str(AssessmentLine.model_validate(row.line).note).startswith("2026-12-01 ")
    finally:
        await clear_quarter(sessions, QUARTER)
