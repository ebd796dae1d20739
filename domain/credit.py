"""Credit of property companies (信用管理): records in force, score, grade bands, blacklist, disclosure.

Pure rules, no I/O. A company's score is its basic score plus its good records and minus its bad
records in force, plus the quarter's figures (the monthly-check average and its tickets' overdue
and satisfaction rates), each weighted by the rules (``domain.rules.CreditRules``). The grade
bands have inclusive lower bounds: exactly 85 is AAA, exactly 60 is B.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from domain.calendar import CITY_TZ
from domain.rules import CREDIT, CreditRecordType, CreditRules

CENT = Decimal("0.01")


class Grade(StrEnum):
    """信用等级 (山东 物业服务企业信用信息管理办法 via Jinan [S])."""

    AAA = "AAA"
    AA = "AA"
    A = "A"
    B = "B"
    C = "C"


class RecordStatus(StrEnum):
    """A record's status at a moment: in force, expired (left the score), revoked after an objection."""

    IN_FORCE = "in_force"
    EXPIRED = "expired"
    REVOKED = "revoked"


# 缺失: a company that serves estates but is not registered in the credit system is C, marked missing
# (DOMAIN.md credit, 山东 物业服务企业信用信息管理办法 via Jinan [S]).
MISSING_LABEL = "缺失"


def grade_label(grade: Grade | None, *, missing: bool = False) -> str:
    """The grade as published: ``C（缺失）`` for a company the credit system holds nothing on (or no grade at all)."""
    if grade is None or missing:
        return f"{Grade.C.value}（{MISSING_LABEL}）"
    return grade.value


STATUS_LABELS: dict[str, str] = {RecordStatus.IN_FORCE: "有效", RecordStatus.EXPIRED: "已过期", RecordStatus.REVOKED: "已撤销"}


class UnknownRecordType(ValueError):
    """A record type the rules do not name."""


class CreditRecordView(BaseModel):
    """One credit record as the rules and the company's file see it."""

    id: int
    company_id: str
    type: str
    type_label: str
    kind: str  # good / bad
    points: int
    serious: bool = False
    joint: bool = False
    case_id: str | None = None
    evidence: str | None = None
    reason: str
    recording_role: str
    recorded_by: str | None = None
    recorded_at: datetime
    valid_until: datetime | None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    def status(self, at: datetime) -> RecordStatus:
        # An upheld objection finds the record wrong (Art. 39: corrected): it never counted, whenever asked.
        if self.revoked_at is not None:
            return RecordStatus.REVOKED
        if self.valid_until is not None and at >= self.valid_until:
            return RecordStatus.EXPIRED
        return RecordStatus.IN_FORCE

    def in_force(self, at: datetime) -> bool:
        return self.recorded_at <= at and self.status(at) == RecordStatus.IN_FORCE


def record_type(code: str, rules: CreditRules = CREDIT) -> CreditRecordType:
    """The rules' entry for a record type; an unknown code is refused."""
    found = rules.record_types.get(code)
    if found is None:
        raise UnknownRecordType(f"no credit record type {code!r}")
    return found


def add_years(moment: datetime, years: int) -> datetime:
    """The same city-time moment ``years`` later (29 February falls back to 28 February)."""
    local = moment.astimezone(CITY_TZ)
    try:
        moved = local.replace(year=local.year + years)
    except ValueError:
        moved = local.replace(year=local.year + years, day=28)
    return moved.astimezone(UTC)


def valid_until(code: str, conduct_ended: datetime, rules: CreditRules = CREDIT) -> datetime:
    """When a record leaves the score and the public view.

    Serious dishonesty: 5 years from the end of the conduct (山东社会信用条例 Art. 38 [P]); any
    other record: one year unless stated [S].
    """
    if record_type(code, rules).serious:
        return add_years(conduct_ended, rules.serious_disclosure_years)
    return conduct_ended + rules.record_validity


def publicly_disclosed(record: CreditRecordView, at: datetime) -> bool:
    """Whether the public sees the record: in force (an expired or revoked one stays in the audit trail only)."""
    return record.in_force(at)


class QuarterFigures(BaseModel):
    """A company's figures for one quarter: its monthly checks and its tickets."""

    check_average: Decimal | None = None  # 0–100; None: no check this quarter
    tickets: int = 0
    overdue: int = 0
    closed: int = 0
    satisfied: int = 0

    def satisfaction_rate(self) -> Decimal:
        # No closed ticket: no resident left unsatisfied.
        return Decimal(self.satisfied) / Decimal(self.closed) if self.closed else Decimal(1)

    def overdue_rate(self) -> Decimal:
        return Decimal(self.overdue) / Decimal(self.tickets) if self.tickets else Decimal(0)


class ScoreBreakdown(BaseModel):
    """How a score was made, so the company and an auditor can follow it."""

    basic: Decimal
    good: Decimal
    bad: Decimal  # positive: what the bad records take away
    checks: Decimal
    tickets: Decimal
    total: Decimal


def score(records: list[CreditRecordView], figures: QuarterFigures, at: datetime, rules: CreditRules = CREDIT) -> ScoreBreakdown:
    """basic + good (capped) − bad records in force at ``at`` + the weighted quarter figures, to the cent."""
    live = [r for r in records if r.in_force(at)]
    good = min(Decimal(sum(r.points for r in live if r.kind == "good")), rules.good_points_cap)
    bad = Decimal(-sum(r.points for r in live if r.kind == "bad"))
    checks = (figures.check_average * rules.check_weight) if figures.check_average is not None else Decimal(0)
    tickets = figures.satisfaction_rate() * rules.satisfaction_weight - figures.overdue_rate() * rules.overdue_weight
    parts = [rules.basic_score, good, -bad, checks, tickets]
    return ScoreBreakdown(
        basic=rules.basic_score, good=good, bad=bad, checks=checks.quantize(CENT), tickets=tickets.quantize(CENT),
        total=sum(parts, Decimal(0)).quantize(CENT),
    )


def grade_for(total: Decimal, *, has_bad_record: bool, rules: CreditRules = CREDIT) -> Grade:
    """The band of a score; lower bounds inclusive. Below 60 is B without a bad record in force, C with one."""
    if total >= rules.grade_aaa_from:
        return Grade.AAA
    if total >= rules.grade_aa_from:
        return Grade.AA
    if total >= rules.grade_a_from:
        return Grade.A
    if total >= rules.grade_b_from or not has_bad_record:
        return Grade.B
    return Grade.C


class BlacklistEntry(BaseModel):
    """Why, since when and until when a company is on the blacklist, and which records put it there."""

    reason: str
    since: datetime
    until: datetime | None
    record_ids: list[int]


def blacklist_entry(records: list[CreditRecordView], at: datetime, rules: CreditRules = CREDIT) -> BlacklistEntry | None:
    """The blacklist (山东社会信用条例 Art. 30): a serious-dishonesty record in force, or bad points in force over the threshold."""
    live = [r for r in records if r.in_force(at)]
    serious = [r for r in live if r.serious]
    if serious:
        return BlacklistEntry(
            reason="严重失信行为：" + "；".join(r.reason for r in serious), since=min(r.recorded_at for r in serious),
            until=max((r.valid_until for r in serious if r.valid_until is not None), default=None),
            record_ids=[r.id for r in serious],
        )
    bad = sorted((r for r in live if r.kind == "bad"), key=lambda r: r.recorded_at)
    if -sum(r.points for r in bad) < rules.blacklist_bad_points:
        return None
    # Since the record that reached the threshold; until the first of them expires (then it is counted again).
    total, since = 0, bad[0].recorded_at
    for r in bad:
        total -= r.points
        if total >= rules.blacklist_bad_points:
            since = r.recorded_at
            break
    return BlacklistEntry(
        reason=f"有效不良记录累计扣{-sum(r.points for r in bad)}分（不低于{rules.blacklist_bad_points}分）", since=since,
        until=min((r.valid_until for r in bad if r.valid_until is not None), default=None), record_ids=[r.id for r in bad],
    )


class Quarter(BaseModel):
    """A calendar quarter, written ``2026Q3``; it starts and ends at midnight city time."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        year, sep, number = text.upper().partition("Q")
        if not sep or not year.isdigit() or number not in ("1", "2", "3", "4") or not 2000 <= int(year) <= 2100:
            raise ValueError(f"not a quarter: {text!r} (e.g. 2026Q3)")
        return cls(year=int(year), number=int(number))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(year=day.year, number=(day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    def previous(self) -> Quarter:
        return Quarter(year=self.year - 1, number=4) if self.number == 1 else Quarter(year=self.year, number=self.number - 1)

    def next(self) -> Quarter:
        return Quarter(year=self.year + 1, number=1) if self.number == 4 else Quarter(year=self.year, number=self.number + 1)

    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    def start(self) -> datetime:
        return datetime.combine(self.first_day(), time(0), tzinfo=CITY_TZ).astimezone(UTC)

    def end(self) -> datetime:
        """The first moment after the quarter (exclusive)."""
        return self.next().start()

    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"


def quarter_assessed_at(moment: datetime) -> Quarter:
    """The quarter an assessment started at ``moment`` assesses: the one that just ended."""
    return Quarter.of(moment.astimezone(CITY_TZ).date()).previous()


class CreditEntry(BaseModel):
    """What a source writes: one record of a type of the rules, once per cause (``key``).

    The kind, recording unit, seriousness and validity come from the type; ``points`` may be given
    by the source's own rules (a ticket case carries its points), else the type's apply.
    """

    key: str
    company_id: str
    type: str
    reason: str
    at: datetime
    points: int | None = None
    case_id: str | None = None
    evidence: str | None = None
    recorded_by: str | None = None
    # The end of the conduct when it differs from ``at`` (Art. 38 counts the disclosure from it).
    conduct_ended: datetime | None = None
