"""Spreadsheets in and out: .xlsx (openpyxl) and .csv in UTF-8 or GB18030, as rows of text.

Chinese offices' Excel saves CSV in GB18030 (GBK); a file that is not valid UTF-8 (with or without
the byte-order mark) is read as GB18030.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A registry of 50,000 households is about 8 MB as CSV; beyond this a file is not a registry.
MAX_FILE_BYTES = 32 * 1024 * 1024


class UnreadableFile(ValueError):
    """Neither an .xlsx workbook nor a CSV text; ``detail`` is in Chinese."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # repr keeps what Excel showed (89.35, not 89.34999999999999); an integral float is its integer
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


def decode_csv(content: bytes) -> str:
    """The CSV's text: UTF-8 (a BOM allowed), else GB18030."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile("无法识别文件编码：请另存为 .xlsx，或 UTF-8 / GB18030 编码的 .csv") from None


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """The first sheet's rows; any workbook openpyxl cannot read is the uploader's problem, not a 500."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError):
        raise UnreadableFile("无法读取该 .xlsx 文件") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, IndexError):
        raise UnreadableFile("无法读取该 .xlsx 文件") from None
    finally:
        workbook.close()


def read_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    """The first sheet (or the CSV) as its header row and data rows of text."""
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if content[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(content)
    else:
        if b"\x00" in content:
            raise UnreadableFile("不是 .xlsx 或 .csv 文件")
        try:
            rows = list(csv.reader(io.StringIO(decode_csv(content))))
        except csv.Error as exc:
            raise UnreadableFile(f"CSV 格式有误：{exc}") from None
    if not rows:
        raise UnreadableFile("文件是空的")
    return [h.strip() for h in rows[0]], rows[1:]


def _cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: "=…" is never a formula, an ID number never a number
    if bold:
        cell.font = Font(bold=True)
    return cell


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, its Chinese headers and its rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """The workbook's bytes: each sheet with its header row in bold and frozen, each cell as given (text always as text)."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, h, bold=True) for h in spec.headers])
        for row in spec.rows:
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook of one sheet."""
    return write_workbook([Sheet(title, headers, rows)])
