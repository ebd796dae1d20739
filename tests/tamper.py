"""Tampering with the audit log as someone with the database owner's rights would: its append-only triggers off meanwhile."""

from __future__ import annotations

from sqlalchemy import Executable, text

from tests.fixture_types import Sessions


async def tamper(sessions: Sessions, *statements: Executable) -> None:
    """Run ``statements`` against the audit log with its append-only triggers lifted, then put them back.

    The application cannot do this (the triggers refuse it); an owner of the database can, which
    is what the hash chain and its anchors are there to detect.
    """
    async with sessions() as session, session.begin():
        if session.bind.dialect.name == "postgresql":
            await session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            for statement in statements:
                await session.execute(statement)
            await session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            return
        triggers = (await session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"))).all()
        for name, _ in triggers:
            await session.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            await session.execute(statement)
        for _, sql in triggers:
            await session.execute(text(sql))
