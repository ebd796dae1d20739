"""Registry files for the import tests: CSV in UTF-8 or GB18030 and .xlsx, built from the published headers."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from typing import Any

from httpx import AsyncClient

from core.spreadsheets import write_xlsx
from domain.personal_data import id_number_check_digit
from domain.registry_import import COLUMNS, ImportKind
from tests.factories import Cast


def headers(kind: ImportKind) -> list[str]:
    return [c.header for c in COLUMNS[kind]]


def csv_file(kind: ImportKind, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(kind))
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(kind: ImportKind, rows: Sequence[Sequence[Any]]) -> bytes:
    return write_xlsx(kind.value, headers(kind), rows)


def id_number(serial: int) -> str:
    """A citizen's ID number with a correct check digit (GB 11643)."""
    first17 = f"370781198{serial % 10}0101{serial % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def estate_rows(estate_id: str, households: int = 4, area: str = "89.50", name: str = "导入小区") -> list[list[Any]]:
    """One building, two units, ``households`` households in the street 益都, community yidu-c1."""
    rows = []
    for n in range(households):
        unit = f"{estate_id}-b1-u{n % 2 + 1}"
        rows.append([estate_id, name, "yidu", "yidu-c1", "", f"{estate_id}-b1", "1号楼", unit, f"{n % 2 + 1}单元",
                     f"{unit}-{n + 1:03d}", f"{n + 1:03d}", f"业主{n + 1}", area])
    return rows


def new_estate_id() -> str:
    return f"imp-{uuid.uuid4().hex[:8]}"


async def dry_run(api: AsyncClient, cast: Cast, kind: ImportKind, content: bytes, who: str = "admin", expect: int = 201) -> dict[str, Any]:
    r = await api.post(f"/imports/{kind.value}", content=content, headers=cast.headers(who), params={"file_name": f"{kind.value}.csv"})
    assert r.status_code == expect, r.text
    body: dict[str, Any] = r.json()
    return body


async def apply(api: AsyncClient, cast: Cast, kind: ImportKind, run_id: str, who: str = "admin", expect: int = 200) -> dict[str, Any]:
    r = await api.post(f"/imports/{kind.value}/{run_id}/apply", headers=cast.headers(who))
    assert r.status_code == expect, r.text
    body: dict[str, Any] = r.json()
    return body


def outcomes(run: dict[str, Any]) -> dict[Any, str]:
    """Row (or key, for a household the file leaves out) → outcome."""
    return {o["row"] or o["key"]: o["outcome"] for o in run["rows"]}


def reasons(run: dict[str, Any], row: int) -> list[tuple[str, str]]:
    return [(e["column"], e["reason"]) for o in run["rows"] if o["row"] == row for e in o["errors"]]
