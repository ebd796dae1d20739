"""Registry import at a city's scale: a generated file of 50,000 households, dry run then apply, on PostgreSQL.

The target (issue 17): dry run + apply of the estates file (estates → buildings → units →
households) in under 60 s on the 2-core machine. Each run imports new estates (creation is the
costly path: every row is written and audited); the same file's second dry run + apply (every row
unchanged, nothing written) and the owners' file of the same households are measured beside it.
Run it alone with ``python -m bench --only imports`` (it needs no Temporal).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

from bench import postgres
from bench.report import Metric
from bench.stack import BIN, ROOT
from core import registry_import
from core.settings import Settings
from db.session import make_engine, make_session_factory, transaction
from domain.access import Actor, Jurisdiction, Level, Role
from domain.personal_data import id_number_check_digit
from domain.registry_import import COLUMNS, ImportKind

TARGET_SECONDS = 60.0
BUILDINGS, UNITS, FLOORS, ROOMS = 20, 4, 25, 2  # 4,000 households per estate; 50,000 make 12.5 estates
OPERATOR = Actor(subject="bench-import", name="基准导入", roles=(Role.ADMIN,), jurisdiction=Jurisdiction(level=Level.CITY))


def _csv(kind: ImportKind, rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS[kind]])
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")  # as the bureau's Excel writes it


def households_file(prefix: str, households: int) -> tuple[bytes, bytes]:
    """The estates file and the owners file of ``households`` households (every tenth owner holds two units)."""
    estate_rows, owner_rows = [], []
    per_estate = BUILDINGS * UNITS * FLOORS * ROOMS
    for n in range(households):
        e, rest = divmod(n, per_estate)
        b, rest = divmod(rest, UNITS * FLOORS * ROOMS)
        u, rest = divmod(rest, FLOORS * ROOMS)
        f, r = divmod(rest, ROOMS)
        estate, building = f"{prefix}-e{e:02d}", f"{prefix}-e{e:02d}-b{b + 1}"
        unit, household = f"{building}-u{u + 1}", f"{building}-u{u + 1}-{f + 1}0{r + 1}"
        area = f"{78 + (n * 37) % 66}.{(n * 13) % 100:02d}"
        estate_rows.append([estate, f"基准导入小区{e:02d}", "yidu", "yidu-c1", "", building, f"{b + 1}号楼", unit, f"{u + 1}单元",
                            household, f"{f + 1}0{r + 1}", f"业主{n:06d}", area])
        owner = n - 1 if n % 10 == 1 else n
        first17 = f"3707811980{owner % 100:02d}01{owner % 10_000:04d}"[:17].ljust(17, "0")
        owner_rows.append([estate, household, "自然人", f"业主{n:06d}", first17 + id_number_check_digit(first17), "", "", "", "0", "0", "", ""])
    return _csv(ImportKind.ESTATES, estate_rows), _csv(ImportKind.OWNERS, owner_rows)


def _migrate_and_seed(url: str) -> None:
    """The schema at every head and the demo city (its streets and communities are what the file names)."""
    env = {**os.environ, "DATABASE_URL": url, "WUYEFLOW_ENV": "development"}
    subprocess.run([str(BIN / "alembic"), "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "python"), "-m", "db.seed"], cwd=ROOT, env=env, check=True, capture_output=True)


async def _timed(settings: Settings, kind: ImportKind, content: bytes) -> tuple[float, float, dict[str, int], int]:
    engine = make_engine(settings)
    try:
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        async with transaction(sessions) as session:
            run = await registry_import.dry_run(session, kind=kind, content=content, file_name=f"bench-{kind.value}.csv",
                                                actor=OPERATOR, secret=settings.owner_key_secret)
            run_id, counts = run.id, dict(run.counts)
        dry = time.perf_counter() - started
        started = time.perf_counter()
        async with transaction(sessions) as session:
            changed = (await registry_import.apply(session, kind=kind, run_id=run_id, actor=OPERATOR)).changed
        return dry, time.perf_counter() - started, counts, changed
    finally:
        await engine.dispose()


async def imports(postgres_url: str, households: int, runs: int, say: Callable[[str], None]) -> tuple[list[Metric], dict[str, Any]]:
    """Dry run + apply of a ``households``-household estates file (new each run), the same file again, and its owners."""
    url = postgres.sibling(postgres_url, "imports")
    await postgres.recreate(url)
    await asyncio.to_thread(_migrate_and_seed, url)
    settings = Settings.model_validate({"DATABASE_URL": url})
    first = Metric("import: estates file, dry run + apply (new)", "s", target=("<=", TARGET_SECONDS, "value"),
                   note=f"{households:,} households, GB18030 CSV, PostgreSQL")
    again = Metric("import: the same file again (unchanged)", "s", note="dry run + apply, nothing written")
    owners = Metric("import: owners file, dry run + apply (new)", "s", note=f"{households:,} owner records")
    details: dict[str, Any] = {"households": households, "runs": []}
    for n in range(runs):
        estates_csv, owners_csv = households_file(f"bi{n}", households)
        dry, apply, counts, changed = await _timed(settings, ImportKind.ESTATES, estates_csv)
        first.ours.append(dry + apply)
        say(f"  run {n + 1}: estates dry run {dry:.1f} s + apply {apply:.1f} s ({counts['created']:,} created, {changed:,} records written)")
        dry2, apply2, counts2, changed2 = await _timed(settings, ImportKind.ESTATES, estates_csv)
        assert counts2["unchanged"] == households and changed2 == 0, (counts2, changed2)
        again.ours.append(dry2 + apply2)
        dry3, apply3, counts3, _ = await _timed(settings, ImportKind.OWNERS, owners_csv)
        owners.ours.append(dry3 + apply3)
        say(f"  run {n + 1}: again {dry2 + apply2:.1f} s (all unchanged); owners {dry3:.1f} s + {apply3:.1f} s")
        details["runs"].append({"estates": [dry, apply], "again": [dry2, apply2], "owners": [dry3, apply3], "bytes": len(estates_csv),
                                "counts": counts, "owners_counts": counts3})
    return [first, again, owners], details
