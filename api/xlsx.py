"""Excel workbooks for the reports (openpyxl): one sheet per table, Chinese headers in bold."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The workbook's bytes: each sheet with its header row frozen."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)  # the empty default sheet
    for sheet in sheets:
        ws = book.create_sheet(sheet.title)
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(list(row))
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
