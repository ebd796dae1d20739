"""The history archive: every closed workflow run's history, kept after Temporal's retention deletes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class ArchivedHistory(Base):
    """One archived run: where its compressed history is stored and the sha256 the audit chain holds."""

    __tablename__ = "archived_histories"
    workflow_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_type: Mapped[str] = mapped_column(String(100), index=True)
    # The case's process when the workflow is a case (a row in `cases`), else None (timers, reports).
    kind: Mapped[str | None] = mapped_column(String(32), index=True)
    # Temporal's close status: completed, failed, terminated, canceled, timed_out, continued_as_new.
    status: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    closed_at: Mapped[datetime] = mapped_column(index=True)
    events: Mapped[int] = mapped_column(Integer)
    # The serialised history (Temporal's History protobuf) and its stored, gzip'd size.
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    stored_bytes: Mapped[int] = mapped_column(BigInteger)
    # sha256 of the serialised history, as written into the workflow's audit chain.
    sha256: Mapped[str] = mapped_column(String(64))
    store: Mapped[str] = mapped_column(String(16))
    object_key: Mapped[str] = mapped_column(String(600))
    archived_at: Mapped[datetime]


class ArchiveObject(Base):
    """An object of the "database" archive store (the default): a key and its bytes."""

    __tablename__ = "archive_objects"
    key: Mapped[str] = mapped_column(String(600), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
