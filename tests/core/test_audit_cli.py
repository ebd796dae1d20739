"""`wuyeflow-audit` reads the archive: a case Temporal no longer holds, and a whole year of archived runs."""

from __future__ import annotations

import io

import pytest
from httpx import AsyncClient
from temporalio.testing import WorkflowEnvironment

from core.archive_store import DatabaseStore
from core.audit_cli import parser, run_replay, run_replay_archive
from core.settings import Settings
from db.repositories import archive as archive_repo
from domain.calendar import CITY_TZ
from tests.activities.test_archive import archived_row, withdrawn_case
from tests.clock import wait_until
from tests.factories import create_test_estate
from tests.fixture_types import Sessions


async def test_a_year_of_archived_histories_replays_with_a_summary_and_tampering_is_named(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    cast = await create_test_estate(sessions, settings)
    cases = [await withdrawn_case(api, cast) for _ in range(3)]
    rows = [await wait_until(lambda d=d: archived_row(sessions, d.case_id), within=60) for d in cases]
    year = rows[0].closed_at.astimezone(CITY_TZ).year

    out = io.StringIO()
    args = parser().parse_args(["replay-archive", "--year", str(year), "--key", cast.estate_id])
    assert await run_replay_archive(args, out) == 0
    assert f"replayed 3 archived histories closed in {year} (3 cases): 3 consistent, 0 inconsistent; 0 tampered" in out.getvalue()
    assert "3/3" in capsys.readouterr().err  # the progress bar
    out = io.StringIO()
    assert await run_replay_archive(parser().parse_args(["replay-archive", "--year", str(year - 1), "--key", cast.estate_id]), out) == 0
    assert "replayed 0 archived histories" in out.getvalue()

    # The case replay reads the archive for what Temporal no longer holds (here: asked to read only the archive).
    out = io.StringIO()
    assert await run_replay(parser().parse_args(["replay", "--estate", cast.estate_id, "--source", "archive"]), out, client=env.client) == 0
    assert "replayed 3 histories: 3 consistent, 0 inconsistent (3 from the archive); 0 tampered" in out.getvalue()

    async with sessions() as s:
        packed = bytearray(await archive_repo.get_object(s, rows[1].object_key))
    packed[-12] ^= 0x55  # inside the gzip stream: its check fails
    await DatabaseStore(sessions).put(rows[1].object_key, bytes(packed))
    out = io.StringIO()
    assert await run_replay_archive(parser().parse_args(["replay-archive", "--year", str(year), "--key", cast.estate_id]), out) == 1
    assert "2 consistent, 0 inconsistent; 1 tampered" in out.getvalue()
    assert f"TAMPERED {cases[1].case_id} (run {rows[1].run_id})" in out.getvalue()
