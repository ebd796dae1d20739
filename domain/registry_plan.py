"""A dry run's plan: each read row against the registry as it is — created, updated, unchanged or refused (pure).

The plan is a list of changes (create / update / delete of one record, with old and new values)
and an outcome per row. Its digest is what a reviewed dry run is applied by: apply plans the same
records again against the database as it is then, and a different digest means the registry
changed since the review. Changes that would break running cases are refused here: a household in
the scope of an open fund case is not removed, and the area of one in an open public notice (its
share is published) is not changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from domain.registry_import import KEY_FIELDS, ImportKind, ParsedRow, Record, header_of

OUTCOME_LABELS = {"created": "新增", "updated": "更新", "unchanged": "无变化", "refused": "拒绝", "removed": "删除"}


@dataclass
class HouseholdLock:
    """What running cases and history say about removing a household or changing its area."""

    open_case: str | None = None  # an open fund case whose scope covers the household
    notice_case: str | None = None  # … and whose public notice (公示) is published
    has_history: bool = False  # ledger lines or a place on an election roll


@dataclass
class RegistryView:
    """The part of the registry a plan compares with; a repository fills what the kind needs."""

    streets: set[str] = field(default_factory=set)
    communities: dict[str, str] = field(default_factory=dict)  # community → its street
    estates: dict[str, Record] = field(default_factory=dict)
    buildings: dict[str, Record] = field(default_factory=dict)
    units: dict[str, Record] = field(default_factory=dict)
    households: dict[str, Record] = field(default_factory=dict)  # in the estates the file names (estates kind)
    household_estate: dict[str, str] = field(default_factory=dict)  # every household the rows name → its estate
    current: dict[str, Record] = field(default_factory=dict)  # owners, accounts, companies, experts by key
    companies: set[str] = field(default_factory=set)
    locks: dict[str, HouseholdLock] = field(default_factory=dict)


@dataclass
class Plan:
    outcomes: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    counts: dict[str, int]
    digest: str

    @property
    def refused(self) -> int:
        return self.counts.get("refused", 0)


def _diff(old: Record | None, new: Record) -> dict[str, list[Any]]:
    if old is None:
        return {k: [None, v] for k, v in new.items()}
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


class _Planner:
    def __init__(self, kind: ImportKind, view: RegistryView) -> None:
        self.kind, self.view = kind, view
        self.outcomes: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []

    def refuse(self, parsed: ParsedRow, errors: list[dict[str, str]]) -> None:
        self.outcomes.append({"row": parsed.row, "key": parsed.key, "outcome": "refused", "label": OUTCOME_LABELS["refused"],
                              "errors": errors, "changes": {}})

    def change(self, op: str, entity: str, key: str, old: Record | None, new: Record | None) -> dict[str, list[Any]]:
        """Record a create / update / delete; returns the field changes (empty: nothing to do)."""
        fields = _diff(old, new) if new is not None else {k: [v, None] for k, v in (old or {}).items()}
        if op == "update" and not fields:
            return {}
        self.changes.append({"op": op, "entity": entity, "key": key, "fields": fields})
        return fields

    def done(self, parsed: ParsedRow, created: bool, changes: dict[str, list[Any]]) -> None:
        outcome = "created" if created else "updated" if changes else "unchanged"
        # A created row's values are the row itself; old → new is shown for updates.
        self.outcomes.append({"row": parsed.row, "key": parsed.key, "outcome": outcome, "label": OUTCOME_LABELS[outcome],
                              "errors": [], "changes": {} if created else changes})

    def upsert(self, parsed: ParsedRow, entity: str, record: Record) -> None:
        assert parsed.key is not None
        record = {f: v for f, v in record.items() if f != KEY_FIELDS[self.kind]}
        old = self.view.current.get(parsed.key)
        if old is None:
            # A new owner record of a unit whose registered owner's name is already this one: the name is no change.
            name = self.view.households.get(parsed.key, {}).get("owner_name")
            if name is not None and record.get("owner_name") == name:
                record = {f: v for f, v in record.items() if f != "owner_name"}
        self.done(parsed, old is None, self.change("create" if old is None else "update", entity, parsed.key, old, record))


def _err(kind: ImportKind, column: str, reason: str) -> dict[str, str]:
    return {"column": header_of(kind, column), "reason": reason}


def _household_place(p: _Planner, parsed: ParsedRow, record: Record) -> list[dict[str, str]]:
    """Owners and fund rows: the estate must exist and the household be in it."""
    estate = p.view.household_estate.get(record["household_id"])
    if record["estate_id"] not in p.view.estates:
        return [_err(p.kind, "estate_id", f"小区“{record['estate_id']}”不存在")]
    if estate is None:
        return [_err(p.kind, "household_id", "房屋编号不存在（请先导入小区、楼栋、单元、房屋）")]
    if estate != record["estate_id"]:
        return [_err(p.kind, "household_id", f"该房屋属于小区“{estate}”")]
    return []


def _estate_entities(record: Record) -> dict[str, Record]:
    """The estate, building, unit and household a row describes."""
    return {
        "estate": {"name": record["estate_name"], "street_id": record["street_id"], "community_id": record["community_id"]},
        "building": {"estate_id": record["estate_id"], "name": record["building_name"]},
        "unit": {"building_id": record["building_id"], "name": record["unit_name"]},
        "household": {"estate_id": record["estate_id"], "unit_id": record["unit_id"], "room": record["room"],
                      "owner_name": record["owner_name"], "area": record["area"]},
    }


_PLACES = (("estate", "estate_id", "estate_name", None), ("building", "building_id", "building_name", "estate_id"),
           ("unit", "unit_id", "unit_name", "building_id"))


def _stores(v: RegistryView) -> dict[str, dict[str, Record]]:
    return {"estate": v.estates, "building": v.buildings, "unit": v.units}


def _estate_errors(p: _Planner, record: Record, entities: dict[str, Record], first: set[tuple[str, str]]) -> list[dict[str, str]]:
    """A row against the registry and the rows before it: places known and consistent, no area change under a notice."""
    v, k = p.view, p.kind
    errors: list[dict[str, str]] = []
    community = v.communities.get(record["community_id"])
    if record["street_id"] not in v.streets:
        errors.append(_err(k, "street_id", f"镇街“{record['street_id']}”不存在"))
    elif community is None and not record.get("community_name"):
        errors.append(_err(k, "community_id", f"社区“{record['community_id']}”不存在（新社区请填写社区名称）"))
    elif community is not None and community != record["street_id"]:
        errors.append(_err(k, "community_id", f"社区“{record['community_id']}”属于镇街“{community}”"))
    for entity, key_field, header, parent in _PLACES:
        key, new = record[key_field], entities[entity]
        old = _stores(v)[entity].get(key)
        if parent and old is not None and old[parent] != new[parent]:
            errors.append(_err(k, header, f"编号“{key}”已属于“{old[parent]}”"))
        elif (entity, key) in first and old is not None and old != new:
            errors.append(_err(k, header, f"与前面行中“{key}”的信息不一致"))
    old_household = v.households.get(record["household_id"])
    if old_household is not None and old_household["estate_id"] != record["estate_id"]:
        errors.append(_err(k, "household_id", f"该房屋已登记在小区“{old_household['estate_id']}”"))
    lock = v.locks.get(record["household_id"])
    if old_household is not None and lock and lock.notice_case and old_household["area"] != record["area"]:
        errors.append(_err(k, "area", f"该户在维修资金案件 {lock.notice_case} 的公示分摊范围内，公示期间不能变更面积"))
    return errors


def _estate_row(p: _Planner, parsed: ParsedRow, record: Record, first: set[tuple[str, str]]) -> None:
    v = p.view
    entities = _estate_entities(record)
    if errors := _estate_errors(p, record, entities, first):
        p.refuse(parsed, errors)
        return
    changes: dict[str, list[Any]] = {}
    if record["community_id"] not in v.communities:
        v.communities[record["community_id"]] = record["street_id"]  # later rows find it
        fields = p.change("create", "community", record["community_id"], None,
                          {"street_id": record["street_id"], "name": record["community_name"]})
        changes.update({f"community.{f}": pair for f, pair in fields.items()})
    for entity, key_field, _header, _parent in _PLACES:
        key, store = record[key_field], _stores(v)[entity]
        if (entity, key) in first:
            continue
        first.add((entity, key))
        old = store.get(key)
        fields = p.change("create" if old is None else "update", entity, key, old, entities[entity])
        store[key] = entities[entity]  # later rows compare with what this row makes it
        changes.update({f"{entity}.{f}": pair for f, pair in fields.items()})
    old_household = v.households.get(record["household_id"])
    changes.update(p.change("create" if old_household is None else "update", "household", record["household_id"], old_household,
                            entities["household"]))
    p.done(parsed, old_household is None, changes)


def _removals(p: _Planner, estates: set[str], kept: set[str]) -> None:
    for household_id, old in sorted(p.view.households.items()):
        if old["estate_id"] not in estates or household_id in kept:
            continue
        lock = p.view.locks.get(household_id) or HouseholdLock()
        reasons = []
        if lock.open_case:
            reasons.append(f"该户在办理中的维修资金案件 {lock.open_case} 的范围内，不能删除")
        if lock.has_history:
            reasons.append("该户已有维修资金分户账或选举名册记录，不能删除")
        entry: dict[str, Any] = {"row": None, "key": household_id, "label": "", "changes": {}}
        if reasons:
            p.outcomes.append({**entry, "outcome": "refused", "label": OUTCOME_LABELS["refused"],
                               "errors": [{"column": header_of(ImportKind.ESTATES, "household_id"), "reason": r} for r in reasons]})
        else:
            fields = p.change("delete", "household", household_id, old, None)
            p.outcomes.append({**entry, "outcome": "removed", "label": OUTCOME_LABELS["removed"], "errors": [], "changes": fields})


def _company_row(p: _Planner, parsed: ParsedRow, record: Record, claimed: dict[tuple[str, str], int]) -> None:
    errors = [_err(p.kind, "estates", f"小区“{e}”不存在") for e in record["estates"] if e not in p.view.estates]
    if record["kind"] == "contractor" and record["estates"]:
        errors.append(_err(p.kind, "estates", "施工单位不登记服务小区"))
    # An estate has one property company and one pricing agency: a claim is on the estate's place of the row's kind.
    for e in record["estates"]:
        if (record["kind"], e) in claimed:
            errors.append(_err(p.kind, "estates", f"小区“{e}”已由第{claimed[record['kind'], e]}行的企业服务"))
        claimed.setdefault((record["kind"], e), parsed.row)
    if errors:
        p.refuse(parsed, errors)
    else:
        p.upsert(parsed, "company", record)


def _expert_row(p: _Planner, parsed: ParsedRow, record: Record) -> None:
    errors = []
    if record["employer_company_id"] and record["employer_company_id"] not in p.view.companies:
        errors.append(_err(p.kind, "employer_company_id", f"企业“{record['employer_company_id']}”不存在"))
    errors += [_err(p.kind, "relationships", f"企业“{c}”不存在") for c, _ in record["relationships"] if c not in p.view.companies]
    if errors:
        p.refuse(parsed, errors)
    else:
        p.upsert(parsed, "expert", record)


def plan_import(kind: ImportKind, rows: list[ParsedRow], view: RegistryView) -> Plan:
    """Every row's outcome and the changes that applying the file makes (nothing if any row is refused)."""
    p = _Planner(kind, view)
    first: set[tuple[str, str]] = set()
    claimed: dict[tuple[str, str], int] = {}
    for parsed in rows:
        record = parsed.record
        if record is None:
            p.refuse(parsed, parsed.errors)
        elif kind is ImportKind.ESTATES:
            _estate_row(p, parsed, record, first)
        elif kind is ImportKind.COMPANIES:
            _company_row(p, parsed, record, claimed)
        elif kind is ImportKind.EXPERTS:
            _expert_row(p, parsed, record)
        elif errors := _household_place(p, parsed, record):
            p.refuse(parsed, errors)
        else:
            entity = "owner" if kind is ImportKind.OWNERS else "fund_account"
            p.upsert(parsed, entity, {f: v for f, v in record.items() if f not in ("estate_id", "household_id")})
    if kind is ImportKind.ESTATES:
        _removals(p, {r.record["estate_id"] for r in rows if r.record}, {r.key for r in rows if r.key})
    counts = dict.fromkeys(OUTCOME_LABELS, 0)
    for outcome in p.outcomes:
        counts[outcome["outcome"]] += 1
    body = json.dumps(p.changes, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return Plan(outcomes=p.outcomes, changes=p.changes, counts=counts, digest=hashlib.sha256(body.encode()).hexdigest())


def households_in_scope(scope: str, scope_id: str | None, estate_id: str, places: dict[str, tuple[str, str, str]]) -> list[str]:
    """The households a fund case's scope covers, from each household's (estate, building, unit)."""
    index = {"estate": 0, "building": 1, "unit": 2}[scope] if scope in ("estate", "building", "unit") else 0
    target = estate_id if index == 0 else scope_id
    return [h for h, place in places.items() if place[0] == estate_id and place[index] == target]
