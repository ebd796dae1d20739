"""``python -m bench.archive``: archive 10,000 closed fund-case histories, replay 1,000 from the archive.

Standalone (no Temporal server): the histories are the closed fund cases the test suite recorded
(``tests/golden/fund-emergency-*.json``: a case completed through its final payment and a rejected
one), archived under distinct workflow ids, each case with an audit chain of the usual length
before its archive entry. Measured:

1. archiving: ``HistoryArchive.archive_history`` per case (canonical JSON, gzip, sha256, the
   object put, the row and the chain entry in one transaction), cases per second and bytes per
   case, on a fresh database migrated with ``alembic upgrade heads`` (SQLite, or ``--database``);
2. replay: 1,000 archived histories read back (object, gunzip, sha256 against the chain, the
   chain checked) and replayed through ``core.replay.verify_histories``, against the bare
   ``Replayer.replay_workflows`` on the same histories already in memory; alternating which
   goes first, after an untimed warm-up of both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CHAIN_LENGTH = 40  # about what a closed fund case's audit log holds (steps, decisions, timers)


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.archive", description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--replay", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--database", help="a database URL of the benchmark's own (dropped and rebuilt); default: a fresh SQLite file")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "archive.json")
    return ap.parse_args(argv)


def _histories():  # type: ignore[no-untyped-def]
    from temporalio.client import WorkflowHistory

    paths = [GOLDEN / "fund-emergency-happy-path.json", GOLDEN / "fund-emergency-rejected.json"]
    return [WorkflowHistory.from_json(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in paths]


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True)


async def _seed_chains(sessions, case_ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    from db.repositories import audit as audit_repo
    from db.session import transaction
    from domain.audit import AuditEvent

    at = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(0, len(case_ids), 250):
        async with transaction(sessions) as session:
            for case_id in case_ids[i:i + 250]:
                events = [AuditEvent(key=f"{case_id}:{n}", at=at + timedelta(minutes=n), kind="decision", step="bureau_review",
                                     task_id="t4", actor_subject="bureau-li", actor_name="李科长", actor_role="housing_bureau",
                                     decision="approve", comment="同意应急使用", data={"n": n}) for n in range(CHAIN_LENGTH)]
                await audit_repo.append_events(session, case_id, events, maybe_stored=False)


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    from temporalio.client import WorkflowHistory
    from temporalio.worker import Replayer

    from core.archive_store import DatabaseStore
    from core.history_archive import HistoryArchive
    from core.registry import workflow_types
    from core.replay import verify_histories
    from core.settings import Settings
    from core.temporal import DATA_CONVERTER
    from db.repositories import archive as archive_repo
    from db.session import make_engine, make_session_factory

    url = args.database or f"sqlite+aiosqlite:///{workdir}/archive-bench.db"
    _migrate(url)
    engine = make_engine(Settings(database_url=url))
    sessions = make_session_factory(engine)
    archive = HistoryArchive(sessions, DatabaseStore(sessions))
    sources = _histories()
    case_ids = [f"fund-emergency-bench-{uuid.uuid4().hex[:8]}-{i}" for i in range(args.cases)]
    say(f"seeding {len(case_ids)} audit chains of {CHAIN_LENGTH} entries ...")
    await _seed_chains(sessions, case_ids)

    say(f"archiving {len(case_ids)} closed fund-case histories ...")
    closed = datetime(2026, 3, 2, tzinfo=UTC)
    t0 = time.perf_counter()
    for i, case_id in enumerate(case_ids):
        source = sources[i % len(sources)]
        await archive.archive_history(
            WorkflowHistory(case_id, source.events), run_id=str(uuid.uuid4()), workflow_type="MaintenanceFundEmergency",
            status="completed", started_at=closed - timedelta(days=20), closed_at=closed + timedelta(seconds=i),
        )
        if (i + 1) % 2000 == 0:
            say(f"  {i + 1} archived, {(i + 1) / (time.perf_counter() - t0):.0f}/s")
    archive_seconds = time.perf_counter() - t0
    async with sessions() as session:
        rows = list(await archive_repo.archived_page(session, key="fund-emergency-bench-", limit=args.cases))
    per_case = {name: statistics.mean(getattr(r, name) for r in rows) for name in ("size_bytes", "stored_bytes", "events")}

    replay_rows = rows[: args.replay]
    in_memory = [(await archive.read_row(r)).history() for r in replay_rows]

    async def ours() -> float:
        async def read() -> AsyncIterator[WorkflowHistory]:
            for row in replay_rows:
                checked = await archive.read_row(row)
                if not checked.intact:
                    raise RuntimeError(f"{row.workflow_id}: {checked.reason}")
                yield checked.history()

        t = time.perf_counter()
        reports = [r async for r in verify_histories(read())]
        elapsed = time.perf_counter() - t
        if len(reports) != len(replay_rows) or not all(r.consistent for r in reports):
            raise RuntimeError("a replay from the archive was inconsistent")
        return len(reports) / elapsed

    async def bare() -> float:
        async def each() -> AsyncIterator[WorkflowHistory]:
            for history in in_memory:
                yield history

        t = time.perf_counter()
        results = await Replayer(workflows=workflow_types(), data_converter=DATA_CONVERTER).replay_workflows(
            each(), raise_on_replay_failure=False,
        )
        elapsed = time.perf_counter() - t
        if results.replay_failures:
            raise RuntimeError("a bare replay failed")
        return len(in_memory) / elapsed

    warm = replay_rows[:20]
    replay_rows, saved = warm, replay_rows
    await ours()
    replay_rows = saved
    in_memory_saved, in_memory = in_memory, in_memory[:20]
    await bare()
    in_memory = in_memory_saved
    ours_rates, bare_rates = [], []
    for r in range(args.runs):
        for side in (("ours", "bare") if r % 2 == 0 else ("bare", "ours")):
            (ours_rates if side == "ours" else bare_rates).append(await (ours if side == "ours" else bare)())
        say(f"  replay run {r + 1}: archive {ours_rates[-1]:.1f}/s, bare Replayer {bare_rates[-1]:.1f}/s")
    await engine.dispose()
    return {
        "cases": len(case_ids), "archive_seconds": archive_seconds, "archive_cases_per_second": len(case_ids) / archive_seconds,
        "serialised_bytes_per_case": per_case["size_bytes"], "stored_bytes_per_case": per_case["stored_bytes"],
        "events_per_case": per_case["events"], "compression_ratio": per_case["size_bytes"] / per_case["stored_bytes"],
        "replayed": len(saved), "replay_archive_per_second": ours_rates, "replay_bare_per_second": bare_rates,
        "replay_ratio_median": statistics.median(o / b for o, b in zip(ours_rates, bare_rates, strict=True)),
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
    }


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="wuyeflow-archive-bench-"))
    os.environ.setdefault("WUYEFLOW_ENV", "test")
    started = datetime.now(UTC)
    try:
        result = asyncio.run(run(args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result.update(started=started.isoformat(), cores=os.cpu_count(), loadavg_end=os.getloadavg())
    say()
    say(f"archived {result['cases']} closed fund-case histories in {result['archive_seconds']:.1f} s: "
        f"{result['archive_cases_per_second']:.0f} cases/s")
    say(f"  per case: {result['events_per_case']:.0f} events, {result['serialised_bytes_per_case'] / 1024:.1f} KiB serialised, "
        f"{result['stored_bytes_per_case'] / 1024:.1f} KiB stored (gzip, {result['compression_ratio']:.1f}x)")
    say(f"replayed {result['replayed']} from the archive: {statistics.median(result['replay_archive_per_second']):.1f}/s "
        f"vs bare Replayer {statistics.median(result['replay_bare_per_second']):.1f}/s, "
        f"ratio {result['replay_ratio_median']:.2f} (median of {len(result['replay_archive_per_second'])} runs)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    say(f"written: {args.out}")


if __name__ == "__main__":
    main()
