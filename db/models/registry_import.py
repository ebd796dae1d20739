"""Registry imports: a dry run of one spreadsheet, kept until it is applied or found stale."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class RegistryImport(Base):
    """One dry run: the file's validated records (no raw personal data), its outcome per row and the plan's digest.

    Apply re-plans the stored records against the database as it is then; a different digest
    means the registry changed since the review, and the run is refused as stale.
    """

    __tablename__ = "registry_imports"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # dry_run / applied
    plan_digest: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]]
    records: Mapped[list[Any]]
    outcomes: Mapped[list[Any]]
    applied_at: Mapped[datetime | None]
    applied_by: Mapped[str | None] = mapped_column(String(64))
    changed: Mapped[int] = mapped_column(Integer, default=0)
