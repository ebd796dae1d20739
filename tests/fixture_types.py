"""The types of conftest's fixtures, in one import for typed test signatures.

``api: AsyncClient`` (the app over ASGI), ``env: WorkflowEnvironment`` (the time-skipping server),
``sessions: Sessions``, ``settings: Settings``.
"""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings

Sessions = async_sessionmaker[AsyncSession]
"""The ``sessions`` fixture: sessions on the migrated, seeded test database."""

__all__ = ["AsyncClient", "Sessions", "Settings", "WorkflowEnvironment"]
