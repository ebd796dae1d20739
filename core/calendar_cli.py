"""`wuyeflow-calendar`: publish a year of the holiday calendar from a small file, or list the published years.

    wuyeflow-calendar import FILE [--by SUBJECT] [--name NAME]
    wuyeflow-calendar show [YEAR]

FILE is TOML (or JSON with the same keys): the year, the notice's reference, each festival's days
off and the 调休 working days, as the State Council's notice lists them::

    year = 2027
    notice = "国办发明电〔2026〕×号"
    makeup_workdays = [2027-02-20]

    [[holidays]]
    name = "元旦"
    first = 2027-01-01
    last = 2027-01-03

The import takes the same path as ``PUT /calendar/{year}``: the same checks, a new revision in
the audit log (the operator as ``--by``), then the recount of the running cases' deadlines.
Exit status: 0 published (or already so), 1 the file is not valid (each problem is printed),
2 stored, but Temporal was not reachable to recount the running cases: run the same import again.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError
from temporalio.client import Client

from core.calendar_publication import CalendarRejected, start_recount, store_year
from core.logging import configure_logging
from core.settings import Settings, get_settings
from core.temporal import connect
from db.repositories import holiday_calendar as calendar_repo
from db.session import make_engine, make_session_factory, transaction
from domain.access import Actor, Jurisdiction, Level, Role
from domain.holiday_calendar import CalendarYearWrite


class CalendarFile(CalendarYearWrite):
    """The import file: a year and what ``PUT /calendar/{year}`` takes."""

    year: int


def read_file(path: Path) -> CalendarFile:
    """Parse a TOML or JSON calendar file (raises ValueError with what is wrong)."""
    text = path.read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    return CalendarFile.model_validate(raw)


def operator(subject: str | None, name: str | None) -> Actor:
    """Who publishes from the command line: an administrator, named by ``--by`` (default: the login)."""
    who = subject or f"cli:{getpass.getuser()}"
    return Actor(subject=who, name=name or who, roles=(Role.ADMIN,), jurisdiction=Jurisdiction(level=Level.CITY),
                 organisation="wuyeflow-calendar")


async def run_import(args: argparse.Namespace, out: TextIO, settings: Settings, client: Client | None = None) -> int:
    try:
        body = read_file(Path(args.file))
    except (OSError, ValueError, ValidationError) as exc:
        out.write(f"无法读取 {args.file}: {exc}\n")
        return 1
    engine = make_engine(settings)
    try:
        async with transaction(make_session_factory(engine)) as session:
            published, changed = await store_year(
                session, body.year, CalendarYearWrite.model_validate(body.model_dump(exclude={"year"})),
                actor=operator(args.by, args.name), at=datetime.now(UTC), source="import",
            )
    except CalendarRejected as exc:
        for error in exc.errors:
            out.write(f"  {'.'.join(error['loc'])}: {error['msg']}\n")
        out.write(f"{body.year}年节假日安排有误，未发布\n")
        return 1
    finally:
        await engine.dispose()
    what = f"已发布为第{published.revision}版" if changed else f"与现行第{published.revision}版相同，未改动"
    out.write(f"{published.year}年节假日安排（{published.notice}，放假{len(published.holiday_dates())}天，"
              f"调休上班{len(published.makeup_workdays)}天）{what}\n")
    try:
        client = client or await connect(settings)
        workflow_id = await start_recount(client, settings.task_queue, published)
    except Exception as exc:  # any failure to reach Temporal leaves the same remedy
        out.write(f"未能连接工作流引擎，进行中案件的期限尚未重算：请再次运行同一导入命令（{exc}）\n")
        return 2
    out.write(f"进行中案件的工作日期限按新日历重算：{workflow_id}\n")
    return 0


async def run_show(args: argparse.Namespace, out: TextIO, settings: Settings) -> int:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            years = await calendar_repo.published_years(session)
    finally:
        await engine.dispose()
    if args.year is not None:
        years = [y for y in years if y.year == args.year]
        if not years:
            out.write(f"{args.year}年节假日安排尚未发布（工作日暂按周一至周五计算）\n")
            return 1
    for y in years:
        out.write(f"{y.year}  第{y.revision}版  {y.notice}  放假{len(y.holiday_dates())}天  调休上班{len(y.makeup_workdays)}天\n")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wuyeflow-calendar", description="The holiday calendar the city publishes each year.")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="publish a year from a TOML or JSON file")
    imp.add_argument("file")
    imp.add_argument("--by", help="the publishing administrator's subject (default: cli:<login>)")
    imp.add_argument("--name", help="the administrator's name for the audit log")
    show = sub.add_parser("show", help="list the published years")
    show.add_argument("year", nargs="?", type=int)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings)
    if args.command == "import":
        return asyncio.run(run_import(args, sys.stdout, settings))
    return asyncio.run(run_show(args, sys.stdout, settings))


if __name__ == "__main__":
    sys.exit(main())
