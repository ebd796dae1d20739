"""`wuyeflow-audit`: replay recorded histories and check audit-log chains for a filter of cases.

    wuyeflow-audit replay [--kind K] [--status S] [--street ID] [--estate ID] [--from D] [--to D] [--key TEXT]
    wuyeflow-audit verify-log [same filters]
    wuyeflow-audit consistency [same filters]

Prints a progress bar on stderr and a summary at the end; exits 1 if anything is inconsistent.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import TextIO

from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from core.consistency import check_case
from core.logging import configure_logging
from core.replay import verify_histories
from core.settings import get_settings
from core.temporal import connect
from db.repositories import audit as audit_repo
from db.repositories.audit_search import search_cases
from db.repositories.cases import CaseFilter
from db.session import make_engine, make_session_factory
from domain.access import SYSTEM_ACTOR

PAGE = 500


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


async def _case_ids(sessions, args: argparse.Namespace) -> list[str]:  # type: ignore[no-untyped-def]
    ids: list[str] = []
    async with sessions() as session:
        offset = 0
        while True:
            total, rows = await search_cases(session, SYSTEM_ACTOR, _filters(args), key=args.key, actor_subject=None, limit=PAGE, offset=offset)
            ids += [r.id for r in rows]
            offset += PAGE
            if offset >= total:
                return ids


async def _fetch(client: Client, case_ids: list[str], gone: list[str]) -> list[WorkflowHistory]:
    histories = []
    for case_id in case_ids:
        try:
            histories.append(await client.get_workflow_handle(case_id).fetch_history())
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            gone.append(case_id)
    return histories


async def run_replay(args: argparse.Namespace, out: TextIO, client: Client | None = None) -> int:
    settings = get_settings()
    engine = make_engine(settings)
    try:
        case_ids = await _case_ids(make_session_factory(engine), args)
    finally:
        await engine.dispose()
    client = client or await connect(settings)
    gone: list[str] = []
    histories = await _fetch(client, case_ids, gone)
    progress = Progress(len(histories))
    failures = []
    async for report in verify_histories(histories):
        progress.step(report.workflow_id)
        if not report.consistent:
            failures.append(report)
    out.write(f"replayed {len(histories)} histories: {len(histories) - len(failures)} consistent, {len(failures)} inconsistent; "
              f"{len(gone)} no longer held by Temporal\n")
    for report in failures:
        out.write(f"  INCONSISTENT {report.workflow_id} at event {report.event_id}: {report.error}\n")
    return 1 if failures else 0


async def run_verify_log(args: argparse.Namespace, out: TextIO) -> int:
    settings = get_settings()
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    broken = []
    try:
        case_ids = await _case_ids(sessions, args)
        progress = Progress(len(case_ids))
        async with sessions() as session:
            for case_id in case_ids:
                count, brk = await audit_repo.check_chain(session, case_id)
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(get_settings())
    runner = {"replay": run_replay, "verify-log": run_verify_log, "consistency": run_consistency}[args.command]
    return asyncio.run(runner(args, sys.stdout))


if __name__ == "__main__":
    sys.exit(main())
