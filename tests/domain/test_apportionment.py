"""Tests for domain.apportionment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.apportionment import apportion_by_area, area_to_hundredths

weights_st = st.dictionaries(
    keys=st.text(min_size=1, max_size=6),
    values=st.integers(min_value=1, max_value=10**7),
    min_size=1,
    max_size=40,
)
totals_st = st.integers(min_value=0, max_value=10**10)


# --- exact examples -------------------------------------------------------


def test_three_equal_weights_first_key_gets_leftover_fen() -> None:
    assert apportion_by_area(100, {"c": 1, "a": 1, "b": 1}) == {"a": 34, "b": 33, "c": 33}


def test_largest_remainder_wins() -> None:
    # Exact quotas 33.33 and 66.67: the larger remainder (b) gets the extra fen.
    assert apportion_by_area(100, {"a": 1, "b": 2}) == {"a": 33, "b": 67}


def test_remainder_tie_goes_to_larger_weight() -> None:
    # Exact quotas 0.5 and 1.5: equal remainders, b has the larger weight.
    assert apportion_by_area(2, {"a": 1, "b": 3}) == {"a": 0, "b": 2}


def test_exact_division_has_no_leftover() -> None:
    assert apportion_by_area(1000, {1: 100, 2: 300, 3: 600}) == {1: 100, 2: 300, 3: 600}


def test_realistic_areas() -> None:
    areas = {
        "1-101": area_to_hundredths(Decimal("89.56")),
        "1-102": area_to_hundredths(Decimal("120.3")),
        "1-201": area_to_hundredths(Decimal("89.56")),
    }
    shares = apportion_by_area(123_456, areas)
    assert sum(shares.values()) == 123_456
    assert shares["1-101"] == shares["1-201"] or abs(shares["1-101"] - shares["1-201"]) == 1


def test_single_key_gets_everything() -> None:
    assert apportion_by_area(12345, {"only": 7}) == {"only": 12345}


def test_zero_total() -> None:
    assert apportion_by_area(0, {"a": 5, "b": 1}) == {"a": 0, "b": 0}


def test_result_order_is_key_order() -> None:
    assert list(apportion_by_area(10, {"b": 1, "a": 1})) == ["a", "b"]


# --- invalid input ----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights"),
    [(-1, {"a": 1}), (10, {}), (10, {"a": 0}), (10, {"a": 1, "b": -3})],
)
def test_invalid_values_raise_value_error(total: int, weights: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        apportion_by_area(total, weights)


@pytest.mark.parametrize(
    ("total", "weights"),
    [(10.0, {"a": 1}), (10, {"a": 1.5}), (True, {"a": 1}), (10, {"a": True})],
)
def test_non_int_inputs_raise_type_error(total: object, weights: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        apportion_by_area(total, weights)  # type: ignore[arg-type]


@given(total=st.integers(max_value=-1), weights=weights_st)
def test_negative_total_always_raises(total: int, weights: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        apportion_by_area(total, weights)


@given(
    total=totals_st,
    weights=weights_st,
    bad=st.integers(max_value=0),
)
def test_any_non_positive_weight_raises(total: int, weights: dict[str, int], bad: int) -> None:
    with pytest.raises(ValueError):
        apportion_by_area(total, {**weights, "\x00bad": bad})


# --- properties -------------------------------------------------------------


@given(total=totals_st, weights=weights_st)
def test_sum_is_exact_and_keys_preserved(total: int, weights: dict[str, int]) -> None:
    shares = apportion_by_area(total, weights)
    assert set(shares) == set(weights)
    assert sum(shares.values()) == total
    assert all(s >= 0 for s in shares.values())


@given(total=totals_st, weights=weights_st)
def test_each_share_within_one_fen_of_exact_quota(total: int, weights: dict[str, int]) -> None:
    shares = apportion_by_area(total, weights)
    w_sum = sum(weights.values())
    for key, weight in weights.items():
        # |share - total*w/W| < 1, multiplied through by W to stay in integers.
        assert abs(shares[key] * w_sum - total * weight) < w_sum


@given(total=totals_st, weights=weights_st, data=st.data())
def test_deterministic_and_insertion_order_independent(
    total: int, weights: dict[str, int], data: st.DataObject
) -> None:
    items = data.draw(st.permutations(list(weights.items())))
    reordered = dict(items)
    first = apportion_by_area(total, weights)
    assert apportion_by_area(total, weights) == first
    second = apportion_by_area(total, reordered)
    assert second == first
    assert list(second.items()) == list(first.items())


@given(total=totals_st, weights=weights_st, factor=st.integers(min_value=2, max_value=1000))
def test_scaling_weights_does_not_change_shares(
    total: int, weights: dict[str, int], factor: int
) -> None:
    scaled = {k: w * factor for k, w in weights.items()}
    assert apportion_by_area(total, scaled) == apportion_by_area(total, weights)


@given(total=totals_st, weights=weights_st)
def test_larger_weight_never_gets_less(total: int, weights: dict[str, int]) -> None:
    shares = apportion_by_area(total, weights)
    for a, wa in weights.items():
        for b, wb in weights.items():
            if wa > wb:
                assert shares[a] >= shares[b]


# --- area_to_hundredths -----------------------------------------------------


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (Decimal("89.56"), 8956),
        (Decimal("120.3"), 12030),
        (Decimal("100"), 10000),
        (Decimal("0.01"), 1),
        (Decimal("1.230"), 123),  # trailing zero is not extra precision
        (Decimal("1E+3"), 100000),
        (Decimal("123456789012345678901234567890.12"), 12345678901234567890123456789012),
    ],
)
def test_area_to_hundredths(area: Decimal, expected: int) -> None:
    assert area_to_hundredths(area) == expected


@pytest.mark.parametrize(
    "area",
    [Decimal("0"), Decimal("-1.5"), Decimal("1.234"), Decimal("0.001"), Decimal("NaN"),
     Decimal("Infinity")],
)
def test_area_to_hundredths_rejects_bad_values(area: Decimal) -> None:
    with pytest.raises(ValueError):
        area_to_hundredths(area)


def test_area_to_hundredths_rejects_float() -> None:
    with pytest.raises(TypeError):
        area_to_hundredths(89.56)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=10**12))
def test_area_round_trip(hundredths: int) -> None:
    assert area_to_hundredths(Decimal(hundredths).scaleb(-2)) == hundredths
