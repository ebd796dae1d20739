"""Official Chinese public-holiday schedule (放假调休安排) of 2024–2026 as static data.

Each year's data transcribes the General Office of the State Council notice
(国务院办公厅关于 YYYY 年部分节假日安排的通知). Holidays are inclusive date
ranges of days off; makeup working days (调休上班日) are weekend days on which
people work.

These three years seed the table of published years (migration ``holiday_calendar_1``);
the system counts on that table. Later years are not added here: the city publishes
each one through ``PUT /calendar/{year}`` or the import command (README, "The holiday
calendar"). Keep this data as it is: the migration reads it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from types import MappingProxyType

DateRange = tuple[date, date]

# The notice each year transcribes (its reference, as the table of published years stores it).
NOTICES: Mapping[int, str] = MappingProxyType({
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
})

# The festival each range of days off is for, in the order of _HOLIDAY_RANGES.
HOLIDAY_NAMES: Mapping[int, tuple[str, ...]] = MappingProxyType({
    2024: ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"),
    2025: ("元旦", "春节", "清明节", "劳动节", "端午节", "国庆节、中秋节"),
    2026: ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"),
})

_HOLIDAY_RANGES: dict[int, tuple[DateRange, ...]] = {
    # 国办发明电〔2023〕7号, dated 2023-10-25.
    2024: (
        (date(2024, 1, 1), date(2024, 1, 1)),  # 元旦
        (date(2024, 2, 10), date(2024, 2, 17)),  # 春节
        (date(2024, 4, 4), date(2024, 4, 6)),  # 清明节
        (date(2024, 5, 1), date(2024, 5, 5)),  # 劳动节
        (date(2024, 6, 10), date(2024, 6, 10)),  # 端午节
        (date(2024, 9, 15), date(2024, 9, 17)),  # 中秋节
        (date(2024, 10, 1), date(2024, 10, 7)),  # 国庆节
    ),
    # 国办发明电〔2024〕12号, dated 2024-11-12 (first year under the
    # 2024-11 revision of 全国年节及纪念日放假办法: +1 day each for 春节 and 劳动节).
    2025: (
        (date(2025, 1, 1), date(2025, 1, 1)),  # 元旦
        (date(2025, 1, 28), date(2025, 2, 4)),  # 春节 (from 除夕)
        (date(2025, 4, 4), date(2025, 4, 6)),  # 清明节
        (date(2025, 5, 1), date(2025, 5, 5)),  # 劳动节
        (date(2025, 5, 31), date(2025, 6, 2)),  # 端午节
        (date(2025, 10, 1), date(2025, 10, 8)),  # 国庆节、中秋节 (merged)
    ),
    # 国办发明电〔2025〕7号, dated 2025-11-04 (published by Xinhua the same day).
    2026: (
        (date(2026, 1, 1), date(2026, 1, 3)),  # 元旦
        (date(2026, 2, 15), date(2026, 2, 23)),  # 春节 (腊月二十八 to 正月初七)
        (date(2026, 4, 4), date(2026, 4, 6)),  # 清明节
        (date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节
        (date(2026, 6, 19), date(2026, 6, 21)),  # 端午节
        (date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节
        (date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节
    ),
}

_MAKEUP_WORKDAYS: dict[int, tuple[date, ...]] = {
    # 国办发明电〔2023〕7号.
    2024: (
        date(2024, 2, 4),  # Sun, 春节
        date(2024, 2, 18),  # Sun, 春节
        date(2024, 4, 7),  # Sun, 清明节
        date(2024, 4, 28),  # Sun, 劳动节
        date(2024, 5, 11),  # Sat, 劳动节
        date(2024, 9, 14),  # Sat, 中秋节
        date(2024, 9, 29),  # Sun, 国庆节
        date(2024, 10, 12),  # Sat, 国庆节
    ),
    # 国办发明电〔2024〕12号.
    2025: (
        date(2025, 1, 26),  # Sun, 春节
        date(2025, 2, 8),  # Sat, 春节
        date(2025, 4, 27),  # Sun, 劳动节
        date(2025, 9, 28),  # Sun, 国庆节
        date(2025, 10, 11),  # Sat, 国庆节
    ),
    # 国办发明电〔2025〕7号.
    2026: (
        date(2026, 1, 4),  # Sun, 元旦
        date(2026, 2, 14),  # Sat, 春节
        date(2026, 2, 28),  # Sat, 春节
        date(2026, 5, 9),  # Sat, 劳动节
        date(2026, 9, 20),  # Sun, 国庆节
        date(2026, 10, 10),  # Sat, 国庆节
    ),
}

# Read-only views so importers cannot mutate the official data by accident.
HOLIDAY_RANGES: Mapping[int, tuple[DateRange, ...]] = MappingProxyType(_HOLIDAY_RANGES)
MAKEUP_WORKDAYS: Mapping[int, tuple[date, ...]] = MappingProxyType(_MAKEUP_WORKDAYS)

PUBLISHED_YEARS: frozenset[int] = frozenset(_HOLIDAY_RANGES)


def _expand(ranges: tuple[DateRange, ...]) -> Iterator[date]:
    """Yield every date inside the inclusive ranges."""
    for first, last in ranges:
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)


def holiday_dates() -> frozenset[date]:
    """Return every official day off (holiday or bridged weekend) of all published years."""
    return frozenset(day for ranges in _HOLIDAY_RANGES.values() for day in _expand(ranges))


def makeup_workdays() -> frozenset[date]:
    """Return every official makeup working day (调休上班日) of all published years."""
    return frozenset(day for days in _MAKEUP_WORKDAYS.values() for day in days)
