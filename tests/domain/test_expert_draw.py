"""The expert draw: committee size and share (招标投标法 Art. 37), conflicts, and a reproducible choice."""

from __future__ import annotations

import random

import pytest

from domain.expert_draw import (
    CommitteeTooSmall,
    DrawRound,
    ExpertProfile,
    committee_plan,
    conflicts,
    draw_experts,
    eligible_experts,
    verify_round,
)
from domain.rules import TENDER


def pool() -> list[ExpertProfile]:
    return [
        ExpertProfile(id="e1", name="甲", employer="华成物业", employer_company_id="co-a", specialty="物业"),
        ExpertProfile(id="e2", name="乙", employer="学院", specialty="物业", related_company_ids=["co-b"]),
        ExpertProfile(id="e3", name="丙", employer="设计院", specialty="建筑", related_company_ids=["co-z"]),
        *[ExpertProfile(id=f"e{i}", name=f"专家{i}", employer="协会", specialty="物业") for i in range(4, 10)],
    ]


def test_the_default_committee_is_five_with_four_experts() -> None:
    plan = committee_plan(TENDER)
    assert (plan.size, plan.experts, plan.representatives) == (5, 4, 1)


@pytest.mark.parametrize(("size", "reps", "ok"), [
    (5, 1, True), (7, 2, True), (9, 3, True),  # 6 of 9 is exactly 2/3
    (9, 4, False), (5, 2, False),  # 3 of 5 is less than 2/3
    (6, 0, False),  # even
    (3, 0, False),  # fewer than 5
])
def test_committee_size_is_odd_at_least_five_with_two_thirds_experts(size: int, reps: int, ok: bool) -> None:
    rules = TENDER.model_copy(update={"committee_size": size, "tenderer_representatives": reps})
    if ok:
        assert committee_plan(rules).experts == size - reps
    else:
        with pytest.raises(ValueError):
            committee_plan(rules)


def test_conflicts_same_employer_and_recorded_relationship_only_with_bidders() -> None:
    out = conflicts(pool(), ["co-a", "co-b", "co-c"], {"co-a": "华成"})
    assert [(x.expert_id, x.company_id) for x in out] == [("e1", "co-a"), ("e2", "co-b")]
    assert "华成" in out[0].reason and "relationship" in out[1].reason
    assert eligible_experts(pool(), out) == ["e3", "e4", "e5", "e6", "e7", "e8", "e9"]
    assert eligible_experts(pool(), out, ["e3", "e9"]) == ["e4", "e5", "e6", "e7", "e8"]


def test_the_draw_is_a_function_of_its_recorded_values() -> None:
    eligible = ["e3", "e4", "e5", "e6", "e7", "e8", "e9"]
    assert draw_experts(eligible, 3, [0.0, 0.0, 0.0]) == ["e3", "e4", "e5"]
    assert draw_experts(eligible, 3, [0.999, 0.999, 0.999]) == ["e9", "e8", "e7"]
    # The order the pool was loaded in does not matter.
    assert draw_experts(list(reversed(eligible)), 3, [0.5, 0.1, 0.7]) == draw_experts(eligible, 3, [0.5, 0.1, 0.7])
    rng = random.Random(7)
    for _ in range(200):
        values = [rng.random() for _ in range(4)]
        chosen = draw_experts(eligible, 4, values)
        assert len(set(chosen)) == 4 and set(chosen) <= set(eligible)
        assert verify_round(DrawRound(eligible=eligible, rng_values=values, chosen=chosen))
    assert not verify_round(DrawRound(eligible=eligible, rng_values=[0.0], chosen=["e9"]))


def test_too_few_eligible_or_bad_values_are_refused() -> None:
    with pytest.raises(CommitteeTooSmall):
        draw_experts(["e1", "e2"], 3, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError):
        draw_experts(["e1", "e2"], 1, [1.0])
    with pytest.raises(ValueError):
        draw_experts(["e1", "e2"], 2, [0.1])
