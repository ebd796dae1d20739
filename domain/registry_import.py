"""What a registry spreadsheet of each kind holds, and each row read into a record or refused (pure).

The housing bureau's fund system exports the registry in spreadsheets; the published template of
each kind (``GET /imports/{kind}/template.xlsx``) has these Chinese headers. A row is read cell by
cell (``domain.registry_cells``), then checked as a whole; a refusal names the column and the
reason in Chinese. Records hold no raw personal data: an owner's ID number becomes its masked
form and the owner key at once (``domain.personal_data``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain import registry_cells as cells
from domain.personal_data import mask_id_number, mask_phone, owner_key_of

Record = dict[str, Any]


class ImportKind(StrEnum):
    ESTATES = "estates"
    OWNERS = "owners"
    FUND_BALANCES = "fund-balances"
    COMPANIES = "companies"
    EXPERTS = "experts"


KIND_LABELS: dict[ImportKind, str] = {
    ImportKind.ESTATES: "小区、楼栋、单元、房屋",
    ImportKind.OWNERS: "业主名册",
    ImportKind.FUND_BALANCES: "维修资金分户余额",
    ImportKind.COMPANIES: "物业服务企业",
    ImportKind.EXPERTS: "评标专家",
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    parse: cells.Parse
    required: bool = True
    example: str = ""


COMPANY_KINDS = {"物业服务企业": "property", "审价机构": "pricing_agency", "施工单位": "contractor"}
OWNER_TYPES = {"自然人": True, "单位": False}


def _choice(options: dict[str, Any]) -> cells.Parse:
    def parse(value: str) -> Any:
        if value not in options:
            raise cells.CellRefused("应为：" + "、".join(options))
        return options[value]

    return parse


COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.ESTATES: (
        Column("estate_id", "小区编号", cells.code(), example="yidu-xinyuan"),
        Column("estate_name", "小区名称", cells.text(200), example="新苑小区"),
        Column("street_id", "镇街编号", cells.code(), example="yidu"),
        Column("community_id", "社区编号", cells.code(), example="yidu-c1"),
        # Only for a community the registry does not have yet: it is created in the street.
        Column("community_name", "社区名称（新社区填写）", cells.text(100), required=False),
        Column("building_id", "楼栋编号", cells.code(), example="yidu-xinyuan-b1"),
        Column("building_name", "楼栋名称", cells.text(100), example="1号楼"),
        Column("unit_id", "单元编号", cells.code(), example="yidu-xinyuan-b1-u1"),
        Column("unit_name", "单元名称", cells.text(100), example="1单元"),
        Column("household_id", "房屋编号", cells.code(), example="yidu-xinyuan-b1-u1-101"),
        Column("room", "房号", cells.text(32), example="101"),
        Column("owner_name", "登记业主", cells.text(100), example="张三"),
        Column("area", "专有面积（平方米）", cells.area, example="89.50"),
    ),
    ImportKind.OWNERS: (
        Column("estate_id", "小区编号", cells.code(), example="yidu-xinyuan"),
        Column("household_id", "房屋编号", cells.code(), example="yidu-xinyuan-b1-u1-101"),
        Column("natural_person", "业主类型", _choice(OWNER_TYPES), example="自然人"),
        Column("owner_name", "业主姓名或单位名称", cells.text(100), example="张三"),
        Column("id_number", "证件号码", cells.text(18), example="11010519491231002X"),
        Column("phone", "联系电话", cells.phone, required=False, example="13800000000"),
        Column("representative_name", "授权代表", cells.text(100), required=False),
        Column("authorisation_ref", "授权文书编号", cells.text(200), required=False),
        Column("fee_arrears_fen", "欠缴物业费（元）", cells.yuan_as_fen, required=False, example="0"),
        Column("fund_arrears_fen", "欠缴维修资金（元）", cells.yuan_as_fen, required=False, example="0"),
        Column("arrears_as_of", "欠费日期", cells.iso_date, required=False),
        Column("arrears_source", "欠费来源", cells.text(200), required=False),
    ),
    ImportKind.FUND_BALANCES: (
        Column("estate_id", "小区编号", cells.code(), example="yidu-xinyuan"),
        Column("household_id", "房屋编号", cells.code(), example="yidu-xinyuan-b1-u1-101"),
        Column("balance_fen", "维修资金余额（元）", cells.yuan_as_fen, example="6800.00"),
        Column("initial_deposit_fen", "首次交存额（元）", cells.yuan_as_fen, example="8950.00"),
    ),
    ImportKind.COMPANIES: (
        Column("company_id", "企业编号", cells.code(), example="co-xinyuan"),
        Column("name", "企业名称", cells.text(200), example="青州新苑物业服务有限公司"),
        Column("kind", "企业类型", _choice(COMPANY_KINDS), example="物业服务企业"),
        Column("business_licence", "统一社会信用代码", cells.credit_code, example="91370781MA3C4X2F4F"),
        Column("contact_name", "联系人", cells.text(100), required=False, example="李经理"),
        Column("contact_phone", "联系电话", cells.phone, required=False, example="13900000000"),
        Column("estates", "服务小区编号", cells.id_list, required=False, example="yidu-xinyuan"),
    ),
    ImportKind.EXPERTS: (
        Column("expert_id", "专家编号", cells.code(), example="ex-101"),
        Column("name", "姓名", cells.text(100), example="王工"),
        Column("specialty", "专业", cells.text(100), example="物业管理"),
        Column("years_of_practice", "从业年限", cells.whole_number(0, 70), example="12"),
        Column("title", "职称", cells.text(100), required=False, example="高级工程师"),
        Column("employer", "工作单位", cells.text(200), example="青州市建筑设计院"),
        Column("employer_company_id", "工作单位企业编号", cells.code(), required=False),
        Column("active", "在库", cells.yes_no, example="是"),
        Column("relationships", "利害关系（企业编号:关系，多项用；分隔）", cells.text(1000), required=False),
    ),
}

KEY_FIELDS: dict[ImportKind, str] = {
    ImportKind.ESTATES: "household_id", ImportKind.OWNERS: "household_id", ImportKind.FUND_BALANCES: "household_id",
    ImportKind.COMPANIES: "company_id", ImportKind.EXPERTS: "expert_id",
}
# Optional numbers default to zero; other optional cells to nothing.
_ZERO_DEFAULTS = {"fee_arrears_fen", "fund_arrears_fen"}


class FileRefused(ValueError):
    """The file as a whole cannot be read (no rows, a header missing); ``detail`` is in Chinese."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class ParsedRow:
    """One data row: its number in the sheet (the header is row 1), its record, or its refusals."""

    row: int
    key: str | None
    record: Record | None
    errors: list[dict[str, str]]


def header_of(kind: ImportKind, field: str) -> str:
    return next(c.header for c in COLUMNS[kind] if c.field == field)


def _column_positions(kind: ImportKind, headers: Sequence[str]) -> dict[str, int]:
    found = {h.strip(): i for i, h in enumerate(headers) if h and h.strip()}
    missing = [c.header for c in COLUMNS[kind] if c.required and c.header not in found]
    if missing:
        raise FileRefused("表头缺少列：" + "、".join(missing) + "（请使用发布的模板）")
    return {c.field: found[c.header] for c in COLUMNS[kind] if c.header in found}


def _read_cells(kind: ImportKind, positions: dict[str, int], values: Sequence[str]) -> tuple[Record, list[dict[str, str]]]:
    record: Record = {}
    errors: list[dict[str, str]] = []
    for column in COLUMNS[kind]:
        at = positions.get(column.field)
        raw = values[at].strip() if at is not None and at < len(values) else ""
        if not raw:
            if column.required:
                errors.append({"column": column.header, "reason": "必填"})
            record[column.field] = 0 if column.field in _ZERO_DEFAULTS else None
            continue
        try:
            record[column.field] = column.parse(raw)
        except cells.CellRefused as exc:
            errors.append({"column": column.header, "reason": exc.reason})
    return record, errors


def _owner_row(record: Record, secret: str, errors: list[dict[str, str]]) -> None:
    """An owner's row as a whole: the ID kind by owner type, the representative, the arrears' date and source.

    The raw ID number and phone leave the record here: only the masks and the owner key stay.
    """
    def h(field: str) -> str:
        return header_of(ImportKind.OWNERS, field)

    raw_id, raw_phone = record.pop("id_number", None), record.pop("phone", None)
    record["phone_masked"] = mask_phone(raw_phone) if raw_phone else None
    record["owner_key"] = record["id_number_masked"] = None
    if raw_id is not None and record.get("natural_person") is not None:
        try:
            number = cells.id_number(raw_id) if record["natural_person"] else cells.credit_code(raw_id)
        except cells.CellRefused as exc:
            errors.append({"column": h("id_number"), "reason": exc.reason})
        else:
            record["owner_key"], record["id_number_masked"] = owner_key_of(number, secret), mask_id_number(number)
    if record.get("natural_person") and (record.get("representative_name") or record.get("authorisation_ref")):
        errors.append({"column": h("representative_name"), "reason": "自然人业主不登记授权代表"})
    if bool(record.get("representative_name")) != bool(record.get("authorisation_ref")):
        errors.append({"column": h("authorisation_ref"), "reason": "授权代表与授权文书编号须同时填写（潍坊条例第34条）"})
    owes = (record.get("fee_arrears_fen") or 0) + (record.get("fund_arrears_fen") or 0)
    if owes > 0 and not (record.get("arrears_as_of") and record.get("arrears_source")):
        errors.append({"column": h("arrears_as_of"), "reason": "有欠费时须填写欠费日期和欠费来源"})


def _expert_row(record: Record, _secret: str, errors: list[dict[str, str]]) -> None:
    raw = record.get("relationships") or ""
    relations: list[list[str]] = []
    for part in raw.replace(";", "；").split("；"):
        if not part.strip():
            continue
        company, sep, relation = part.replace(":", "：").partition("：")
        if not sep or not company.strip() or not relation.strip():
            errors.append({"column": header_of(ImportKind.EXPERTS, "relationships"), "reason": f"“{part.strip()}”应为 企业编号:关系"})
            continue
        relations.append([company.strip(), relation.strip()])
    record["relationships"] = sorted(relations)


def _company_row(record: Record, _secret: str, _errors: list[dict[str, str]]) -> None:
    raw = record.pop("contact_phone", None)
    record["contact_phone_masked"] = mask_phone(raw) if raw else None
    record["estates"] = record.get("estates") or []


ROW_CHECKS: dict[ImportKind, Callable[[Record, str, list[dict[str, str]]], None]] = {
    ImportKind.OWNERS: _owner_row,
    ImportKind.EXPERTS: _expert_row,
    ImportKind.COMPANIES: _company_row,
}


def parse_rows(kind: ImportKind, headers: Sequence[str], rows: Sequence[Sequence[str]], *, secret: str) -> list[ParsedRow]:
    """Every data row read into a record or refused; a key twice in the file refuses the later rows."""
    if not rows:
        raise FileRefused("文件中没有数据行")
    positions = _column_positions(kind, headers)
    key_field = KEY_FIELDS[kind]
    first_row: dict[str, int] = {}
    out: list[ParsedRow] = []
    for number, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue  # a blank line Excel left behind
        record, errors = _read_cells(kind, positions, values)
        if (check := ROW_CHECKS.get(kind)) is not None:
            check(record, secret, errors)
        key = record.get(key_field)
        if key is not None:
            if key in first_row:
                errors.append({"column": header_of(kind, key_field), "reason": f"与第{first_row[key]}行重复"})
            else:
                first_row[key] = number
        out.append(ParsedRow(row=number, key=key, record=None if errors else record, errors=errors))
    if not out:
        raise FileRefused("文件中没有数据行")
    return out


def template_rows(kind: ImportKind) -> tuple[list[str], list[str]]:
    """The template's header row and one example row."""
    return [c.header for c in COLUMNS[kind]], [c.example for c in COLUMNS[kind]]
