"""Reading what offices upload: xlsx cells as the sheet shows them, CSV in UTF-8 or GB18030, and no 500 for a bad file."""

from __future__ import annotations

import pytest

from core.spreadsheets import UnreadableFile, read_table, write_xlsx
from domain.personal_data import id_number_problem, mask_id_number, uscc_problem
from domain.registry_cells import CellRefused, area, yuan_as_fen


def test_csv_in_utf8_with_a_bom_and_in_gb18030() -> None:
    text = "房号,专有面积（平方米）\n101,89.50\n"
    for encoded in (("\ufeff" + text).encode("utf-8"), text.encode("gb18030")):
        assert read_table(encoded) == (["房号", "专有面积（平方米）"], [["101", "89.50"]])


def test_xlsx_numbers_read_as_the_sheet_shows_them() -> None:
    _headers, rows = read_table(write_xlsx("t", ["a", "b", "c"], [[89.35, 100.0, "0101"]]))
    assert rows == [["89.35", "100", "0101"]]


@pytest.mark.parametrize("content", [b"", b"\x00\x01", b"PK\x03\x04not a zip", ("x" * 200_000).encode(), b"\xff\xfe\x00a"])
def test_a_file_that_is_not_a_table_is_refused_in_words(content: bytes) -> None:
    with pytest.raises(UnreadableFile):
        read_table(content)


def test_cells_at_their_boundaries() -> None:
    assert area("0.01") == "0.01" and area("89.5") == "89.50"
    for bad in ("0", "-1", "0.001", "1e400", "NaN"):
        with pytest.raises(CellRefused):
            area(bad)
    assert yuan_as_fen("12.34") == 1234 and yuan_as_fen("0") == 0
    with pytest.raises(CellRefused):
        yuan_as_fen("12.345")
    # GB 11643's published example and its check digit X; one digit off is refused.
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("110105194912310021") == "身份证号码校验位错误（GB 11643）"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert uscc_problem("91370781MA3C4X2F4F") is None and uscc_problem("91370781MA3C4X2F40") is not None
