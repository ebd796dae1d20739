"""Exact apportionment of money (in fen) by exclusive area.

Shared costs are split in proportion to each owner's exclusive (专有部分)
area: 民法典 Art. 283 makes this the default absent an agreement, and
潍坊市物业管理条例 Art. 67 (binding in Qingzhou, a county-level city of
Weifang) applies the same rule to property costs. Money is handled as integer
fen and areas as integer hundredths of a m² so that no float rounding can make
the shares disagree with the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

K = TypeVar("K")


def apportion_by_area(total_fen: int, weights: Mapping[K, int]) -> dict[K, int]:
    """Split ``total_fen`` proportionally to positive integer weights (largest remainder)."""
    if isinstance(total_fen, bool) or not isinstance(total_fen, int):
        raise TypeError(f"total_fen must be an int, got {type(total_fen).__name__}")
    if total_fen < 0:
        raise ValueError(f"total_fen must be >= 0, got {total_fen}")
    if not weights:
        raise ValueError("weights must not be empty")
    for key, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise TypeError(f"weight of {key!r} must be an int, got {type(weight).__name__}")
        if weight <= 0:
            raise ValueError(f"weight of {key!r} must be > 0, got {weight}")

    # Iterate in key order so the result (including its dict order) does not
    # depend on the caller's insertion order; keys must therefore be orderable.
    keys: list[Any] = sorted(weights)
    total_weight = sum(weights.values())

    shares: dict[K, int] = {}
    remainders: dict[K, int] = {}
    for key in keys:
        # Exact quota total*w/W split into integer floor and remainder (0 <= r < W).
        shares[key], remainders[key] = divmod(total_fen * weights[key], total_weight)

    # Sum of remainders is leftover * W with each remainder < W, so leftover is
    # smaller than the number of keys with a positive remainder: every extra fen
    # goes to a distinct key whose exact quota was not an integer.
    leftover = total_fen - sum(shares.values())
    # Largest remainder first; ties go to the larger weight, then to key order
    # (sorted() is stable and ``keys`` is already in key order).
    ranked = sorted(keys, key=lambda k: (-remainders[k], -weights[k]))
    for key in ranked[:leftover]:
        shares[key] += 1
    return shares


def area_to_hundredths(area_m2: Decimal) -> int:
    """Convert a positive Decimal area in m² with at most 2 decimals to hundredths of a m²."""
    if not isinstance(area_m2, Decimal):
        # Floats cannot represent most centi-m² values exactly, so refuse them.
        raise TypeError(f"area_m2 must be a Decimal, got {type(area_m2).__name__}")
    if not area_m2.is_finite():
        raise ValueError(f"area_m2 must be finite, got {area_m2}")
    if area_m2 <= 0:
        raise ValueError(f"area_m2 must be > 0, got {area_m2}")
    # Work on the digit tuple instead of Decimal arithmetic, which would round
    # to the context precision (28 digits) for very long inputs.
    _sign, digits, raw_exponent = area_m2.as_tuple()
    exponent = int(raw_exponent)  # an int for finite values (checked above)
    coefficient = int("".join(map(str, digits)))
    shift = exponent + 2
    if shift >= 0:
        return coefficient * int(10**shift)
    divisor = int(10**-shift)
    if coefficient % divisor:
        raise ValueError(f"area_m2 has more than 2 decimal places: {area_m2}")
    return coefficient // divisor
