"""The benchmark's own PostgreSQL database, recreated empty for every run of the inbox benchmark."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/wuyeflow_bench"
PROTECTED = {"test", "postgres", "template0", "template1"}


async def recreate(url: str) -> None:
    """Drop and create the database named in ``url``; refuses the suite's and the system's databases."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name in PROTECTED or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to recreate database {name!r}: use a database of the benchmark's own")
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, database="postgres", timeout=5,
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def sibling(url: str, suffix: str) -> str:
    """The URL of another database of the benchmark's own, next to the one in ``url``."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


async def analyze(url: str) -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would shortly after."""
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, database=parsed.database, timeout=5,
    )
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
