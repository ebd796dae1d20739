"""The fund-emergency process's own calls: its start, the joint verification, the way to the bureau's approval."""

from __future__ import annotations

from typing import Any

from httpx import Response

from tests.driver import CaseDriver


class FundCaseDriver(CaseDriver):
    """A 维修资金应急使用 case: reported by a clerk, countersigned on site, priced, approved."""

    async def start(self, scope: str = "estate", scope_id: str | None = None, who: str = "clerk", key: str | None = None,
                    expect: int = 201) -> Response:
        body: dict[str, Any] = {
            "estate_id": self.cast.estate_id, "category": "elevator_failure", "scope": scope,
            "description": "2号楼电梯钢丝绳断股，已停运", "attachments": ["photo://lift-2.jpg"],
        }
        if scope_id:
            body["scope_id"] = scope_id
        return await self.start_through_api("/cases/fund-emergency", body, who=who, key=key, expect=expect)

    async def verify(self, parties: tuple[str, ...] = ("owner_rep", "committee", "company")) -> None:
        """现场联合核实: every party confirms."""
        for who in parties:
            await self.decide(who, "onsite_verification", "confirm", comment="现场属实")

    async def through_approval(self, requested: int = 5_000_000, approved: int = 4_200_000) -> None:
        """Verified, budgeted, priced and approved by the bureau: the first payment is made."""
        await self.verify()
        await self.decide("company", "budget_submission", "submit", {"amount_fen": requested, "contractor": "青州建安维修工程有限公司"})
        await self.decide("agency", "price_review", "approve", {"approved_amount_fen": approved, "reasons": "钢丝绳单价按信息价核减"})
        await self.decide("bureau", "bureau_review", "approve", comment="同意")
