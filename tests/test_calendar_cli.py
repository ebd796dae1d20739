"""`wuyeflow-calendar import`: a year from a small file takes the API's path (checks, audit log, recount)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from core.calendar_cli import parser, run_import, run_show
from core.settings import Settings
from db.repositories import holiday_calendar as calendar_repo
from tests.factories_calendar import unpublish

YEAR = 2097

TOML = f"""
year = {YEAR}
notice = "测试用通知（非国务院办公厅通知）"
makeup_workdays = [{YEAR}-02-02]

[[holidays]]
name = "元旦"
first = {YEAR}-01-01
last = {YEAR}-01-01

[[holidays]]
name = "春节"
first = {YEAR}-01-23
last = {YEAR}-01-29
"""


async def cli(argv: list[str], settings: Settings, client: object = None) -> tuple[int, str]:
    out = io.StringIO()
    args = parser().parse_args(argv)
    code = await (run_import(args, out, settings, client) if args.command == "import" else run_show(args, out, settings))  # type: ignore[arg-type]
    return code, out.getvalue()


async def test_import_a_year_from_a_toml_file(
    tmp_path: Path, env: WorkflowEnvironment, worker: None, sessions: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    await unpublish(sessions, YEAR)
    try:
        path = tmp_path / f"{YEAR}.toml"
        path.write_text(TOML, encoding="utf-8")
        code, out = await cli(["import", str(path), "--by", "admin-wang", "--name", "王管理员"], settings, env.client)
        assert code == 0, out
        assert "放假8天" in out and "调休上班1天" in out and "第1版" in out and f"calendar-recount-{YEAR}-r1" in out
        async with sessions() as session:
            stored = await calendar_repo.year_of(session, YEAR)
            [entry] = await calendar_repo.publications(session, YEAR)
        assert stored is not None and stored.published_by == "admin-wang" and stored.revision == 1
        assert (entry.actor_name, entry.data["source"]) == ("王管理员", "import")

        again, out = await cli(["import", str(path)], settings, env.client)
        assert again == 0 and "未改动" in out
        code, out = await cli(["show", str(YEAR)], settings)
        assert code == 0 and out.startswith(f"{YEAR}  第1版")
    finally:
        await unpublish(sessions, YEAR)


async def test_a_bad_file_is_refused_with_each_problem(tmp_path: Path, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({
        "year": YEAR, "notice": "", "holidays": [{"name": "元旦", "first": f"{YEAR - 1}-12-31", "last": f"{YEAR}-01-01"}],
        "makeup_workdays": [f"{YEAR}-01-01"],
    }), encoding="utf-8")
    code, out = await cli(["import", str(path)], settings)
    assert code == 1
    assert "notice:" in out and "holidays.0.first:" in out and "makeup_workdays.0:" in out and "未发布" in out
    code, out = await cli(["import", str(tmp_path / "missing.toml")], settings)
    assert code == 1 and "无法读取" in out
    code, out = await cli(["show", str(YEAR)], settings)
    assert code == 1 and "尚未发布" in out


async def test_without_temporal_the_year_is_stored_and_the_import_says_to_run_again(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    await unpublish(sessions, YEAR)
    try:
        path = tmp_path / f"{YEAR}.toml"
        path.write_text(TOML, encoding="utf-8")
        offline = settings.model_copy(update={"temporal_address": "127.0.0.1:9"})
        code, out = await cli(["import", str(path)], offline)
        assert code == 2 and "请再次运行同一导入命令" in out
        async with sessions() as session:
            assert await calendar_repo.revision_of(session, YEAR) == 1
    finally:
        await unpublish(sessions, YEAR)
