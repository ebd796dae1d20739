"""The data layer's errors: what a repository or a commit tells its caller, never a driver exception.

The API maps each of them once to a problem response (``api/errors.py``); an activity lets them
fail the attempt, so Temporal retries it and the retry finds what the other writer stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

# SQLSTATE class 23 (PostgreSQL) and SQLite's extended result codes for the same violations.
_UNIQUE = {"23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}
_FOREIGN_KEY = {"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"}


class RepositoryError(Exception):
    """Base of the data layer's errors; ``detail`` is what the caller may be told."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(RepositoryError):
    """The record a write or a count needs does not exist."""


class AlreadyExists(RepositoryError):
    """A unique key is taken: another request stored the same record first."""


class ConflictingWrite(RepositoryError):
    """The write conflicts with what is stored now (a row changed or vanished meanwhile, a closed period)."""


class NotStored(RepositoryError):
    """The database did not take the change (connection lost, lock timeout); nothing was stored."""


def violation_kind(exc: IntegrityError) -> str:
    """``unique``, ``foreign_key`` or ``other`` for an integrity error of either engine."""
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or getattr(orig, "sqlite_errorname", None)
    if code in _UNIQUE:
        return "unique"
    if code in _FOREIGN_KEY:
        return "foreign_key"
    return "other"


def translated(exc: IntegrityError, *, exists: str, missing: str | None = None) -> RepositoryError:
    """The data-layer error for an integrity violation: ``exists`` for a taken key, ``missing`` for a vanished reference."""
    kind = violation_kind(exc)
    if kind == "unique":
        return AlreadyExists(exists)
    if kind == "foreign_key":
        return NotFound(missing) if missing else ConflictingWrite("a record this change refers to no longer exists; nothing was stored")
    return ConflictingWrite("the change conflicts with the stored data; nothing was stored")


@contextmanager
def integrity_as(*, exists: str, missing: str | None = None) -> Iterator[None]:
    """Turn an integrity violation raised inside the block into the data layer's error."""
    try:
        yield
    except IntegrityError as exc:
        raise translated(exc, exists=exists, missing=missing) from exc
