"""`wuyeflow-audit`: replay recorded histories and check audit-log chains for a filter of cases.

    wuyeflow-audit replay [--kind K] [--status S] [--street ID] [--estate ID] [--from D] [--to D] [--key TEXT]
                          [--source auto|temporal|archive]
    wuyeflow-audit replay-archive --year YYYY [--kind K] [--type WORKFLOW_TYPE] [--key TEXT]
    wuyeflow-audit verify-log [same filters as replay]
    wuyeflow-audit consistency [same filters as replay]

``replay`` reads each case's history from Temporal while it holds it, else from the archive.
``replay-archive`` replays every archived run that closed in a year (city time), cases and the
workflows they started, read a page at a time. Each archived history is checked against the
sha256 in its audit chain first; a tampered one is reported, not replayed. Prints a progress bar
on stderr and a summary at the end; exits 1 if anything is inconsistent or tampered.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from core.archive_store import make_object_store
from core.audit_anchor import check_anchored_chain
from core.consistency import check_case
from core.history_archive import HistoryArchive
from core.logging import configure_logging
from core.replay import ReplayReport, verify_histories
from core.settings import get_settings
from core.temporal import connect
from db.models import ArchivedHistory
from db.repositories import archive as archive_repo
from db.repositories.audit_search import search_cases
from db.repositories.cases import CaseFilter
from db.session import make_engine, make_session_factory
from domain.access import SYSTEM_ACTOR
from domain.calendar import CITY_TZ
from domain.read_access import Access, CaseAccess

PAGE = 500
# The tool runs on the server with the database's own rights: it replays and checks every case.
EVERY_CASE = CaseAccess({}, Access.JURISDICTION)


class Progress:
    """A one-line text progress bar."""

    def __init__(self, total: int, out: TextIO | None = None, width: int = 30) -> None:
        self.total, self.done, self.out, self.width = total, 0, out or sys.stderr, width

    def step(self, label: str = "") -> None:
        self.done += 1
        filled = self.width * self.done // max(self.total, 1)
        self.out.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {label[:50]:<50}")
        if self.done >= self.total:
            self.out.write("\n")
        self.out.flush()


def _filters(args: argparse.Namespace) -> CaseFilter:
    return CaseFilter(kind=args.kind, status=args.status, street_id=args.street, estate_id=args.estate,
                      created_from=args.date_from, created_to=args.date_to)


async def _case_ids(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> list[str]:
    ids: list[str] = []
    async with sessions() as session:
        offset = 0
        while True:
            total, rows = await search_cases(session, SYSTEM_ACTOR, _filters(args), key=args.key, actor_subject=None, limit=PAGE, offset=offset,
                                             access=EVERY_CASE)
            ids += [r.id for r in rows]
            offset += PAGE
            if offset >= total:
                return ids


async def run_replay(args: argparse.Namespace, out: TextIO, client: Client | None = None) -> int:
    """Replay the filtered cases: from Temporal while it holds a history, else from the archive."""
    settings = get_settings()
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    archive = HistoryArchive(sessions, make_object_store(settings, sessions))
    try:
        case_ids = await _case_ids(sessions, args)
        if client is None and args.source != "archive":
            client = await connect(settings)
        progress = Progress(len(case_ids))
        sources: Counter[str] = Counter()
        gone: list[str] = []
        tampered: list[tuple[str, str]] = []

        async def histories() -> AsyncIterator[WorkflowHistory]:
            for case_id in case_ids:
                if args.source != "archive":
                    assert client is not None
                    try:
                        history = await client.get_workflow_handle(case_id).fetch_history()
                    except RPCError as exc:
                        if exc.status != RPCStatusCode.NOT_FOUND:
                            raise
                    else:
                        sources["Temporal"] += 1
                        yield history
                        continue
                read = await archive.read(case_id) if args.source != "temporal" else None
                if read is None:
                    gone.append(case_id)
                    progress.step(case_id)
                elif not read.intact:
                    tampered.append((case_id, read.reason or "tampered"))
                    progress.step(case_id)
                else:
                    sources["the archive"] += 1
                    yield read.history()

        failures = await _replay(histories(), progress)
    finally:
        await engine.dispose()
    replayed = sum(sources.values())
    where = ", ".join(f"{n} from {name}" for name, n in sources.items()) or "none read"
    out.write(f"replayed {replayed} histories: {replayed - len(failures)} consistent, {len(failures)} inconsistent ({where}); "
              f"{len(tampered)} tampered; {len(gone)} held by neither Temporal nor the archive\n")
    _write_problems(out, failures, tampered)
    return 1 if failures or tampered else 0


async def _replay(histories: AsyncIterator[WorkflowHistory], progress: Progress) -> list[ReplayReport]:
    failures = []
    async for report in verify_histories(histories):
        progress.step(report.workflow_id)
        if not report.consistent:
            failures.append(report)
    return failures


def _write_problems(out: TextIO, failures: list[ReplayReport], tampered: list[tuple[str, str]]) -> None:
    for report in failures:
        out.write(f"  INCONSISTENT {report.workflow_id} at event {report.event_id}: {report.error}\n")
    for name, reason in tampered:
        out.write(f"  TAMPERED {name}: {reason}\n")


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    """A calendar year of the city (Asia/Shanghai), as the aware instants that bound it."""
    return datetime(year, 1, 1, tzinfo=CITY_TZ), datetime(year + 1, 1, 1, tzinfo=CITY_TZ)


async def run_replay_archive(args: argparse.Namespace, out: TextIO) -> int:
    """Replay every archived run that closed in the year, checked against its audit chain first."""
    settings = get_settings()
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    archive = HistoryArchive(sessions, make_object_store(settings, sessions))
    start, end = _year_bounds(args.year)
    filters = {"closed_from": start, "closed_to": end, "workflow_type": args.type, "kind": args.kind, "key": args.key}
    kinds: Counter[str] = Counter()
    tampered: list[tuple[str, str]] = []
    try:
        async with sessions() as session:
            total = await archive_repo.count_archived(session, **filters)
        progress = Progress(total)

        async def histories() -> AsyncIterator[WorkflowHistory]:
            after = None
            while True:
                async with sessions() as session:
                    page = await archive_repo.archived_page(session, **filters, after=after, limit=200)
                if not page:
                    return
                for row in page:
                    read = await archive.read_row(row)
                    if not read.intact:
                        tampered.append((f"{row.workflow_id} (run {row.run_id})", read.reason or "tampered"))
                        progress.step(row.workflow_id)
                        continue
                    kinds["cases" if row.kind else "other workflows"] += 1
                    yield read.history()
                last: ArchivedHistory = page[-1]
                after = (last.closed_at, last.workflow_id, last.run_id)

        failures = await _replay(histories(), progress)
    finally:
        await engine.dispose()
    replayed = sum(kinds.values())
    split = ", ".join(f"{n} {name}" for name, n in kinds.items()) or "none"
    out.write(f"replayed {replayed} archived histories closed in {args.year} ({split}): {replayed - len(failures)} consistent, "
              f"{len(failures)} inconsistent; {len(tampered)} tampered\n")
    _write_problems(out, failures, tampered)
    return 1 if failures or tampered else 0


async def run_verify_log(args: argparse.Namespace, out: TextIO, client: Client | None = None) -> int:
    """Check each case's chain against its stored head and, while Temporal holds the case, its workflow's count."""
    settings = get_settings()
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    broken = []
    if client is None:
        try:
            client = await connect(settings)
        except Exception as exc:  # the chains and their stored heads are still checked
            out.write(f"Temporal unreachable ({exc}): chains checked against their stored heads only\n")
    try:
        case_ids = await _case_ids(sessions, args)
        progress = Progress(len(case_ids))
        async with sessions() as session:
            for case_id in case_ids:
                brk = (await check_anchored_chain(session, client, case_id)).broken
                progress.step(case_id)
                if brk is not None:
                    broken.append((case_id, brk))
    finally:
        await engine.dispose()
    out.write(f"checked {len(case_ids)} audit chains: {len(case_ids) - len(broken)} intact, {len(broken)} broken\n")
    for case_id, brk in broken:
        out.write(f"  BROKEN {case_id} at entry {brk.seq}: {brk.reason}\n")
    return 1 if broken else 0


async def run_consistency(args: argparse.Namespace, out: TextIO, client: Client | None = None) -> int:
    """Compare each case's audit log and read model with its history (``core.consistency``)."""
    settings = get_settings()
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    client = client or await connect(settings)
    failures, gone = [], []
    try:
        case_ids = await _case_ids(sessions, args)
        progress = Progress(len(case_ids))
        for case_id in case_ids:
            try:
                report = await check_case(client, sessions, case_id)
            except RPCError as exc:
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise
                gone.append(case_id)
            else:
                if not report.consistent:
                    failures.append(report)
            progress.step(case_id)
    finally:
        await engine.dispose()
    checked = len(case_ids) - len(gone)
    out.write(f"checked {checked} cases against their histories: {checked - len(failures)} consistent, "
              f"{len(failures)} inconsistent; {len(gone)} no longer held by Temporal\n")
    for report in failures:
        out.write(f"  INCONSISTENT {report.case_id}: {report.error or ''}\n")
        for issue in report.issues:
            out.write(f"    {issue.kind.value}: {issue.detail}\n")
    return 1 if failures else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wuyeflow-audit", description="Audit tools for wuyeflow cases.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, help_text in (("replay", "replay recorded histories against the current code"),
                            ("verify-log", "check the hash chain of each case's audit log"),
                            ("consistency", "compare each case's audit log and read model with its history")):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("--kind")
        s.add_argument("--status")
        s.add_argument("--street")
        s.add_argument("--estate")
        s.add_argument("--from", dest="date_from", type=date.fromisoformat)
        s.add_argument("--to", dest="date_to", type=date.fromisoformat)
        s.add_argument("--key", help="part of the case id or title")
        if name == "replay":
            s.add_argument("--source", choices=("auto", "temporal", "archive"), default="auto",
                           help="auto: Temporal while it holds a history, else the archive")
    s = sub.add_parser("replay-archive", help="replay every archived history that closed in a year")
    s.add_argument("--year", type=int, required=True, help="the city's calendar year the runs closed in")
    s.add_argument("--kind", help="only cases of this process")
    s.add_argument("--type", help="only this workflow type (e.g. CommitteeTerm)")
    s.add_argument("--key", help="part of the workflow id (a case id, an estate)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(get_settings())
    runners = {"replay": run_replay, "replay-archive": run_replay_archive, "verify-log": run_verify_log, "consistency": run_consistency}
    return asyncio.run(runners[args.command](args, sys.stdout))


if __name__ == "__main__":
    sys.exit(main())
