"""``python -m bench [--full]``: every benchmark against one fresh stack; prints a table, writes JSON."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.imports import imports as imports_bench
from bench.postgres import DEFAULT_URL
from bench.report import Metric, table, write_json
from bench.runner import FULL, QUICK, Sizes, run_all
from bench.stack import ROOT

BENCHMARKS = ("process", "latency", "replay", "election", "memory", "inbox", "inbox-city", "city-year", "imports")


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--full", action="store_true", help="the sizes of issue 7 (1,000 histories, 1,000 open cases, ...)")
    ap.add_argument("--runs", type=int, help="runs per benchmark (at least 3 for min/median/max)")
    ap.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    ap.add_argument("--postgres", default=os.environ.get("WUYEFLOW_BENCH_POSTGRES", DEFAULT_URL),
                    help="a database of the benchmark's own; it is dropped and recreated")
    ap.add_argument("--app-db", choices=("sqlite", "postgresql"), default="sqlite",
                    help="the database of the API and worker under test in benchmarks 1, 2, 5, 6 and the city year (default: SQLite, as `make run`)")
    ap.add_argument("--scale", type=float, help="city-year: the share of a year to simulate (quick: 0.05, --full: 1)")
    ap.add_argument("--seed", type=int, help="city-year: the seed of the generated year (default 2027)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, databases)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    sizes = FULL if args.full else QUICK
    if args.runs:
        sizes = Sizes(**{**sizes.__dict__, "runs": max(1, args.runs), "runs_year": max(1, args.runs)})
    if args.scale is not None:
        sizes = Sizes(**{**sizes.__dict__, "year_scale": args.scale})
    if args.seed is not None:
        sizes = Sizes(**{**sizes.__dict__, "year_seed": args.seed})
    only = set(args.only or BENCHMARKS)
    workdir = Path(tempfile.mkdtemp(prefix="wuyeflow-bench-"))
    started = datetime.now(UTC)
    load_start = os.getloadavg()  # other work on the machine skews every number: it is recorded
    command = " ".join(["python -m bench", *(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))])
    say(f"wuyeflow benchmarks ({'full' if args.full else 'quick'}), {os.cpu_count()} cores, work dir {workdir}")
    metrics: list[Metric] = []
    details: dict[str, object] = {}
    ok = False
    try:
        if "imports" in only:  # the registry import needs only PostgreSQL, no Temporal stack
            say(f"7. registry import: {sizes.import_households:,} households on PostgreSQL")
            found, details["imports"] = asyncio.run(imports_bench(args.postgres, sizes.import_households, sizes.runs, say))
            metrics += found
        if only - {"imports"}:
            asyncio.run(run_all(workdir, sizes, only, args.postgres, args.app_db, metrics, details, say))
        ok = True
    finally:
        if metrics:
            say()
            say(table(metrics))
            context = {
                "command": command, "mode": "full" if args.full else "quick", "started": started.isoformat(),
                "finished": datetime.now(UTC).isoformat(), "complete": ok,
                "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                            "loadavg_start": load_start, "loadavg_end": os.getloadavg()},
                "sizes": sizes.__dict__, "app_database": args.app_db,
            }
            write_json(args.out, context, metrics, details)
            say(f"\nwritten: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"logs and databases kept in {workdir}")


if __name__ == "__main__":
    main()
