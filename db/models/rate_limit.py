"""Token buckets of the rate limits, shared by every API process (api/ratelimit.py)."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class RateBucket(Base):
    """One caller's bucket for one kind of request (``<kind>:token:<subject>`` or ``<kind>:address:<ip>``).

    ``tokens`` as of ``at`` (seconds since the epoch); ``granted`` says whether the last take got
    one, so the one statement that takes it can answer with it.
    """

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)
    granted: Mapped[bool] = mapped_column(Boolean)
