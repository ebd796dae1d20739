"""Every number the processes use, with its source.

Tags: [P] read in the statute text (article given); [S] secondary source; [C] our configurable
default where no source was found. Cities differ and rules change: change them here, never in
workflow code. Statute texts are kept under the project's reference material.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict


class FundEmergencyRules(BaseModel):
    """维修资金应急使用: emergency use of the residential special maintenance fund.

    A case carries the rules it started under in its input, so the history shows them and a
    later change of rules never alters a running case.
    """

    model_config = ConfigDict(frozen=True)

    # Joint on-site verification: if the countersign is not complete within this time after the
    # report, the street office is tasked with organising the repair itself. 聊城 Art. 51 [P]
    # names the takeover; the period is ours [C].
    verification_deadline: timedelta = timedelta(hours=48)
    # The street office's takeover task: it sets a deadline and organises the repair [C].
    street_takeover_working_days: int = 2
    # Housing-bureau review within 2 working days. 滨州 Art. 43 [P].
    bureau_review_working_days: int = 2
    # Yellow reminder one working day before the review deadline; escalation to the bureau's
    # supervisor one working day after it [C].
    remind_before_working_days: int = 1
    escalate_after_working_days: int = 1
    # Pricing agency's budget and settlement reviews: not fixed by statute [C].
    price_review_working_days: int = 5
    # First payment to the contractor at most 50% of the approved budget. [S] Shenzhen/Haikou; [C].
    first_payment_max_percent: int = 50
    # Public notice of plan, settlement, acceptance and per-household apportionment ≥ 5 days.
    # 淄博 Art. 67 [P] (青岛 uses 7 [S]).
    public_notice: timedelta = timedelta(days=5)
    # Objections during the notice are answered by the owners' committee / residents' committee [C].
    objection_answer_working_days: int = 3
    # Top-up (续交) is due when an account falls below 30% of its first deposit, within 30 days.
    # 潍坊 Art. 66 [P].
    top_up_threshold_percent: int = 30
    top_up_period: timedelta = timedelta(days=30)


class OwnerVoteRules(BaseModel):
    """Owners' votes (民法典 Art. 278 [P] = 山东 Art. 24 = 潍坊 Art. 31)."""

    model_config = ConfigDict(frozen=True)

    quorum_numerator: int = 2  # ≥ 2/3 of exclusive area AND of headcount take part
    quorum_denominator: int = 3
    # Using the fund: more than half of participating area AND headcount.
    # Raising it, rebuilding, changing common areas: ≥ 3/4 of participating area AND headcount.
    special_majority_numerator: int = 3
    special_majority_denominator: int = 4


FUND_EMERGENCY = FundEmergencyRules()

# Compressed calendar periods for the local demo only (`make run`), so a whole case can be walked
# through in minutes; working-day SLAs keep their statutory length. Never used in production.
FUND_EMERGENCY_DEMO = FUND_EMERGENCY.model_copy(
    update={"verification_deadline": timedelta(minutes=30), "public_notice": timedelta(minutes=2)}
)
OWNER_VOTE = OwnerVoteRules()
