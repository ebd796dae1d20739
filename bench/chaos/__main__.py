"""``python -m bench.chaos [--full]`` (``make chaos``): the fault suite; exit 1 on any loss, any 500, any stuck case."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench.chaos.faults import FAULTS
from bench.chaos.report import problems, table, write_json
from bench.chaos.runner import FULL, QUICK, session


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    ap.add_argument("--full", action="store_true", help="30 cases per fault, 10 in flight, 2 workers, more faults per phase")
    ap.add_argument("--cases", type=int, help="cases per fault (default: 4, full: 30)")
    ap.add_argument("--only", nargs="+", choices=[f.name for f in FAULTS], help="run only these faults")
    ap.add_argument("--json", type=Path, help="where to write the JSON (default: chaos.json in the work directory)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, databases) also on success")
    return ap.parse_args(argv)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = FULL if args.full else QUICK
    if args.cases:
        plan = replace(plan, cases=max(1, args.cases))
    if args.only:
        plan = replace(plan, faults=tuple(args.only))
    # Stopped like Ctrl+C, also when a shell started us with SIGINT ignored: everything started is stopped.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="wuyeflow-chaos-"))
    out = args.json or workdir / "chaos.json"
    started = datetime.now(UTC)
    say(f"wuyeflow fault suite ({'full' if args.full else 'quick'}): {plan.cases} cases per fault, "
        f"{os.cpu_count()} cores, work dir {workdir}")
    ok = False
    try:
        phases, verdict, stack_info = asyncio.run(session(workdir, plan, args.full, say))
        say()
        say(table(phases, verdict))
        for line in problems(verdict):
            say(f"  ! {line}")
        context = {"command": " ".join(["python -m bench.chaos", *(argv if argv is not None else sys.argv[1:])]),
                   "mode": "full" if args.full else "quick", "started": started.isoformat(),
                   "finished": datetime.now(UTC).isoformat(), "plan": plan.__dict__, "stack": stack_info,
                   "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "loadavg_end": os.getloadavg()}}
        write_json(out, context, phases, verdict)
        say(f"\nwritten: {out}")
        ok = verdict.ok
        say("PASS: no loss, no 500, no stuck case" if ok else "FAIL: see the table and the problems above")
    except KeyboardInterrupt:
        say("interrupted: everything started was stopped")
    finally:
        if ok and not args.keep:
            # The logs and databases go; the JSON stays (it may be inside the work directory).
            for item in workdir.iterdir():
                if item != out:
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
        else:
            say(f"logs and databases kept in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
