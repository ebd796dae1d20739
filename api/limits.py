"""Bounded input: request body sizes, a decision's data, and the ranges of paging and date parameters.

Everything a client sends is bounded before it reaches the database or Temporal: a body larger
than its limit is refused with 413 before the app reads it, a decision's ``data`` is measured
and its nesting counted before the update is sent (Temporal refuses payloads over 2 MB by failing
the workflow task, which blocks the case for everyone), and paging and date parameters have
ranges the database and the city calendar can represent.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response

MIB = 1024 * 1024
# Every body but a batch of written ballots: 1 MiB is far above any form (a decision's data is
# bounded to DECISION_DATA_BYTES below) and well under Temporal's 2 MB payload limit.
BODY_LIMIT = MIB
# A batch of written ballots goes straight to the database: 5,000 lines of 11 choices each.
BALLOT_BATCH_LIMIT = 6 * MIB
# A registry spreadsheet: 50,000 households are about 8 MB as CSV.
REGISTRY_FILE_LIMIT = 32 * MIB
# (method, path) -> the larger limit; the paths are the routes' own templates.
LARGER_BODIES: list[tuple[str, re.Pattern[str], int]] = [
    ("POST", re.compile(r"^/cases/owners-election/[^/]+/ballots/paper$"), BALLOT_BATCH_LIMIT),
    ("POST", re.compile(r"^/imports/[^/]+$"), REGISTRY_FILE_LIMIT),
]

# A decision's data: the largest legitimate one (an election group of 11 members, a tender's
# scores for every bid, a handover checklist) is a few kilobytes.
DECISION_DATA_BYTES = 64 * 1024
DECISION_DATA_DEPTH = 6
ATTACHMENT_REF_CHARS = 500

# Paging: an offset beyond what any table holds is refused rather than sent to the database,
# whose integers end at 2^63 - 1.
MAX_OFFSET = 1_000_000
# Dates a filter may name: the city's records start after 2000; the bounds keep every
# conversion between city time and UTC inside what datetime represents (year 1 and 9999 do not).
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)


CityDay = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]


def date_query(description: str) -> Any:
    """A query parameter naming a day (city calendar) between MIN_DATE and MAX_DATE; use with ``CityDay | None``."""
    return Query(description=f"{description}; {MIN_DATE} to {MAX_DATE}")


Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"rows to skip, at most {MAX_OFFSET:,}")]
# A row number in a path: a positive 32-bit integer, as the database's integer keys are (a larger one is a 422, not a driver error).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a record's number")]
DateFrom = Annotated[CityDay | None, date_query("from this day (city time), included")]
DateTo = Annotated[CityDay | None, date_query("to this day (city time), included")]


def body_limit_for(method: str, path: str) -> int:
    for m, pattern, limit in LARGER_BODIES:
        if method == m and pattern.match(path):
            return limit
    return BODY_LIMIT


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0, ``{}`` is 1)."""
    depth, level = 0, [(value, 1)]
    while level:
        item, d = level.pop()
        if isinstance(item, dict):
            depth = max(depth, d)
            level.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            depth = max(depth, d)
            level.extend((v, d + 1) for v in item)
    return depth


def check_decision_data(data: dict[str, Any]) -> dict[str, Any]:
    """A decision's data within its size and depth limits, or ValueError with the limit it broke."""
    if json_depth(data) > DECISION_DATA_DEPTH:
        raise ValueError(f"data nests deeper than {DECISION_DATA_DEPTH} levels")
    size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    if size > DECISION_DATA_BYTES:
        raise ValueError(f"data is {size} bytes; at most {DECISION_DATA_BYTES} are accepted")
    return data


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a request body over its limit with 413, before the app reads any of it.

    The declared ``Content-Length`` is checked first; a body sent without one (chunked) is read
    up to the limit and handed on only when it ended within it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope["method"], scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        try:
            chunks = await self._read(receive, limit)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _read(receive: Receive, limit: int) -> list[bytes]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return chunks
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413, "payload-too-large", "The request body is too large",
            f"请求体超过 {limit // MIB} MB 的上限 (the body may be at most {limit} bytes)", scope["path"],
            limit_bytes=limit,
        )
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)
