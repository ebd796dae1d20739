"""`wuyeflow-import`: the template, a dry run that lists the refused rows and its id, the apply of that id."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from core.import_cli import parser, run_command, write_template
from db.models import Household
from domain.registry_import import ImportKind, template_rows
from tests.fixture_types import Sessions, Settings
from tests.imports.files import csv_file, estate_rows, new_estate_id


async def cli(argv: list[str], settings: Settings, content: bytes = b"") -> tuple[int, str]:
    out = io.StringIO()
    code = await run_command(parser().parse_args(argv), out, settings, content)
    return code, out.getvalue()


async def test_the_command_line_dry_runs_then_applies_by_id(tmp_path: Path, sessions: Sessions, settings: Settings) -> None:
    out = io.StringIO()
    assert write_template(parser().parse_args(["template", "owners", str(tmp_path / "t.xlsx")]), out) == 0
    assert [c.value for c in load_workbook(tmp_path / "t.xlsx").worksheets[0][1]] == template_rows(ImportKind.OWNERS)[0]

    rows = estate_rows(new_estate_id(), households=2)
    bad = [*rows, [*rows[0][:12], "-1"]]
    code, text = await cli(["dry-run", "estates", "estates.csv"], settings, csv_file(ImportKind.ESTATES, bad, encoding="gb18030"))
    assert code == 1 and "第4行" in text and "专有面积（平方米）：面积必须大于0" in text and "拒绝 1" in text
    code, text = await cli(["dry-run", "estates", "estates.csv", "--by", "cli:clerk"], settings, csv_file(ImportKind.ESTATES, rows))
    assert code == 0 and "新增 2" in text
    run_id = re.search(r"试运行编号：(imp-[0-9a-f]+)", text).group(1)  # type: ignore[union-attr]
    code, text = await cli(["apply", "estates", run_id], settings)
    assert code == 0 and "变更" in text
    async with sessions() as s:
        assert await s.get(Household, rows[1][9]) is not None
    code, text = await cli(["apply", "estates", run_id], settings)
    assert code == 1 and "不能重复导入" in text
