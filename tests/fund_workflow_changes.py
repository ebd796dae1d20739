"""Two changes to the fund workflow for the replay tests: one non-deterministic, one made safe with patched."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.cases import CaseSnapshot
    from workflows.fund_emergency import FundEmergencyInput, MaintenanceFundEmergencyWorkflow


@workflow.defn(name="MaintenanceFundEmergency")
class ChangedFundEmergency(MaintenanceFundEmergencyWorkflow):
    """Adds a timer before the verification task: old histories must no longer replay."""

    @workflow.init
    def __init__(self, inp: FundEmergencyInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: FundEmergencyInput) -> CaseSnapshot:
        return await super().run(inp)

    async def _verify_on_site(self) -> bool:
        await workflow.sleep(timedelta(seconds=1))
        return await super()._verify_on_site()


@workflow.defn(name="MaintenanceFundEmergency")
class PatchedFundEmergency(MaintenanceFundEmergencyWorkflow):
    """The same change made safely: behind ``workflow.patched`` old histories keep replaying."""

    @workflow.init
    def __init__(self, inp: FundEmergencyInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: FundEmergencyInput) -> CaseSnapshot:
        return await super().run(inp)

    async def _verify_on_site(self) -> bool:
        if workflow.patched("verification-grace-timer"):
            await workflow.sleep(timedelta(seconds=1))
        return await super()._verify_on_site()
