"""Used Idempotency-Keys, each bound to the one request it was first used for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class UsedKey(Base):
    """An Idempotency-Key and the request it names: its caller, route, target, decision and body hash.

    ``fingerprint`` covers all of them; another request with the key is refused. ``response``
    holds what the first request answered once it has answered, so a repeat answers the same.
    """

    __tablename__ = "used_idempotency_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    actor_subject: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(300))
    decision: Mapped[str | None] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
