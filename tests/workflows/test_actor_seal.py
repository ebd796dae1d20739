"""Actors that can't be forged: the worker refuses an update or a start whose actor the API did not seal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from core.settings import DEV_ACTOR_SEAL_KEY, Settings
from core.temporal import DATA_CONVERTER
from domain.access import Jurisdiction, Level, Role
from domain.actor_seal import seal_problem, sealed
from domain.fund_emergency import AffectedScope, EmergencyCategory, FundEmergencyStart
from domain.tasks import DecisionInput
from tests.dev_server import dev_api, time_skipping_server_path
from tests.factories import create_test_estate, make_actor
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, WorkflowEnvironment
from workflows.fund_emergency import MaintenanceFundEmergencyWorkflow
from workflows.fund_emergency_models import FundEmergencyInput

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


def test_a_seal_covers_every_field_and_expires() -> None:
    bureau = make_actor(Role.HOUSING_BUREAU, Level.CITY)
    good = sealed(bureau, "k" * 32, NOW, timedelta(minutes=10))
    assert seal_problem(good, "k" * 32, NOW + timedelta(minutes=10)) is None
    assert seal_problem(good, "k" * 32, NOW + timedelta(minutes=10, seconds=1)) == "the actor's seal has expired"
    assert seal_problem(good, "another key" * 4, NOW) == "the actor's seal is not valid"
    promoted = good.model_copy(update={"roles": (Role.HOUSING_BUREAU, Role.ADMIN)})
    assert seal_problem(promoted, "k" * 32, NOW) == "the actor's seal is not valid"
    moved = good.model_copy(update={"jurisdiction": Jurisdiction(level=Level.STREET, id="wangfu")})
    assert seal_problem(moved, "k" * 32, NOW) == "the actor's seal is not valid"
    assert seal_problem(good.model_copy(update={"seal": None}), "k" * 32, NOW) == "the actor carries no seal"


async def _history_events(env: WorkflowEnvironment, case_id: str) -> list[EventType.ValueType]:
    history = await env.client.get_workflow_handle(case_id).fetch_history()
    return [e.event_type for e in history.events]


async def test_a_decision_sent_straight_to_temporal_with_a_forged_actor_is_refused_and_leaves_no_trace(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    task = await drv.open_task("onsite_verification")
    before = await _history_events(env, drv.case_id)
    handle = env.client.get_workflow_handle(drv.case_id)
    genuine = make_actor(Role.OWNER_REP, Level.ESTATE, drv.cast.estate_id)
    forged = [
        genuine.model_copy(update={"seal": None}),  # no seal: made up by whoever reaches Temporal's port
        genuine.model_copy(update={"name": "冒充者"}),  # a genuine seal on a changed actor
        sealed(genuine.model_copy(update={"seal": None}), "a key the attacker guessed, long enough", datetime.now(UTC), timedelta(hours=1)),
    ]
    for actor in forged:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                MaintenanceFundEmergencyWorkflow.decide, DecisionInput(task_id=task["id"], decision="confirm", actor=actor),
            )
        assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == "Refused.forbidden"
    # Nothing of the three reached the history: no update was accepted, nothing was decided (the
    # test server records the workflow tasks that ran the validators; a full server drops them).
    added = (await _history_events(env, drv.case_id))[len(before):]
    assert set(added) <= WORKFLOW_TASK_EVENTS, added
    # The same decision through the API (which seals the caller it authenticated) is taken.
    r = await drv.decide("owner_rep", "onsite_verification", "confirm")
    assert [s["role"]["code"] for s in r.json()["open_tasks"][0]["countersign"] if s["signed_by"]] == ["owner_rep"]


async def test_an_expired_seal_is_refused_where_the_workflows_clock_is_the_apis(sessions: Sessions, settings: Settings) -> None:
    # A server of its own: the shared one's clock has been skipped ahead of the wall clock.
    env = await WorkflowEnvironment.start_time_skipping(data_converter=DATA_CONVERTER, test_server_existing_path=time_skipping_server_path())
    async with env, dev_api(env, sessions, settings, actor_seal_check_expiry=True) as (api, _):
        drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
        await drv.start()
        task = await drv.open_task("onsite_verification")
        rep = make_actor(Role.OWNER_REP, Level.ESTATE, drv.cast.estate_id).model_copy(update={"seal": None})
        stale = sealed(rep, settings.actor_seal_key, datetime.now(UTC) - timedelta(hours=2), timedelta(minutes=10))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await env.client.get_workflow_handle(drv.case_id).execute_update(
                MaintenanceFundEmergencyWorkflow.decide, DecisionInput(task_id=task["id"], decision="confirm", actor=stale),
            )
        assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.message == "the actor's seal has expired"


async def test_a_case_started_straight_on_temporal_with_an_unsealed_initiator_fails_before_it_runs(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    async with dev_api(env, sessions, settings) as (_, local):
        cast = await create_test_estate(sessions, settings)
        clerk = make_actor(Role.CLERK, Level.STREET, "yidu").model_copy(update={"seal": None})
        request = FundEmergencyStart(estate_id=cast.estate_id, category=EmergencyCategory.ELEVATOR_FAILURE,
                                     scope=AffectedScope.ESTATE, description="伪造的报告")
        with pytest.raises(WorkflowFailureError) as failed:
            await env.client.execute_workflow(
                MaintenanceFundEmergencyWorkflow.run, FundEmergencyInput(case_id=f"forged-{cast.estate_id}", request=request, initiator=clerk),
                id=f"forged-{cast.estate_id}", task_queue=local.task_queue,
            )
        assert isinstance(failed.value.cause, ApplicationError) and failed.value.cause.type == "UnsealedInitiator"


def test_production_refuses_the_development_seal_key() -> None:
    oidc = {"env": "production", "oidc_issuer": "https://id.qingzhou.example", "oidc_audience": "wuyeflow", "owner_key_secret": "o" * 40}
    with pytest.raises(ValueError, match="WUYEFLOW_ACTOR_SEAL_KEY"):
        Settings.model_validate({**oidc, "actor_seal_key": DEV_ACTOR_SEAL_KEY})
    assert Settings.model_validate({**oidc, "actor_seal_key": "k" * 40}).actor_seal_key == "k" * 40
