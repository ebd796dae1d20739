"""One spreadsheet cell read as what its column holds, or refused with the reason in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.personal_data import id_number_problem, phone_problem, uscc_problem

# Numeric(10, 2): the registry keeps areas below 10^8 m².
MAX_AREA = Decimal("99999999.99")
# Money in fen fits a BigInteger easily; a spreadsheet amount above a billion yuan is a typing error.
MAX_YUAN = Decimal("1000000000")


class CellRefused(ValueError):
    """The cell cannot be read; ``reason`` is what the clerk reads."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Parse = Callable[[str], Any]


def text(max_length: int) -> Parse:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellRefused(f"不能超过{max_length}个字符")
        return value

    return parse


_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def code(max_length: int = 64) -> Parse:
    """An id made of letters, digits, ``-`` and ``_`` (it appears in URLs and case ids)."""

    def parse(value: str) -> str:
        if len(value) > max_length or not _CODE.match(value):
            raise CellRefused(f"编号只能由字母、数字、-、_ 组成，不超过{max_length}位")
        return value

    return parse


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise CellRefused("不是数字") from None
    if not number.is_finite():
        raise CellRefused("不是数字")
    return number


def area(value: str) -> str:
    """专有面积: a positive number of m² with at most 2 decimals, kept as its canonical text ("89.50")."""
    number = _decimal(value)
    if number <= 0:
        raise CellRefused("面积必须大于0")
    if number > MAX_AREA:
        raise CellRefused("面积超出范围")
    if number != number.quantize(Decimal("0.01")):
        raise CellRefused("面积最多保留两位小数")
    return f"{number:.2f}"


def yuan_as_fen(value: str) -> int:
    """An amount in yuan that is a whole number of fen (分), not negative."""
    number = _decimal(value)
    if number < 0:
        raise CellRefused("金额不能为负数")
    if number > MAX_YUAN:
        raise CellRefused("金额超出范围")
    fen = number * 100
    if fen != fen.to_integral_value():
        raise CellRefused("金额须为整数分（最多两位小数）")
    return int(fen)


def whole_number(low: int, high: int) -> Parse:
    def parse(value: str) -> int:
        number = _decimal(value)
        if not low <= number <= high or number != number.to_integral_value():
            raise CellRefused(f"应为{low}至{high}之间的整数")
        return int(number)

    return parse


def yes_no(value: str) -> bool:
    if value in {"是", "Y", "y", "1", "true", "TRUE"}:
        return True
    if value in {"否", "N", "n", "0", "false", "FALSE"}:
        return False
    raise CellRefused("应填“是”或“否”")


def iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value[:10].replace("/", "-")).isoformat()
    except ValueError:
        raise CellRefused("日期格式应为 YYYY-MM-DD") from None


def id_number(value: str) -> str:
    """A citizen's ID number (the raw value: the caller masks it and derives the owner key at once)."""
    value = value.upper()
    if (problem := id_number_problem(value)) is not None:
        raise CellRefused(problem)
    return value


def credit_code(value: str) -> str:
    value = value.upper()
    if (problem := uscc_problem(value)) is not None:
        raise CellRefused(problem)
    return value


def phone(value: str) -> str:
    if (problem := phone_problem(value)) is not None:
        raise CellRefused(problem)
    return value


def id_list(value: str) -> list[str]:
    """Ids separated by 、，, ; or spaces, sorted and without repeats."""
    for sep in "、，,；; ":
        value = value.replace(sep, " ")
    ids = sorted(set(value.split()))
    for one in ids:
        code()(one)
    return ids
