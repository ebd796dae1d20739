"""The process registry: a new process is its own modules plus one registry line.

The toy two-step approval in ``tests/toy_process`` is registered for one test and then starts,
decides, appears in ``/processes``, the inbox and the timeline through the same code paths the
city's processes use.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from core.registry import REGISTRY, search_attribute_names, workflow_types
from core.settings import Settings
from tests.dev_server import dev_api
from tests.factories import create_test_estate
from tests.fixture_types import AsyncClient
from tests.toy_process.spec import SPEC as TOY


async def test_a_toy_process_needs_only_its_modules_and_one_registry_line(
    env: WorkflowEnvironment, sessions: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    with REGISTRY.registered(TOY):
        async with dev_api(env, sessions, settings) as (api, _):
            listed = (await api.get("/processes", headers=cast.headers("clerk"))).json()
            toy = next(p for p in listed if p["kind"] == "toy-approval")
            check = next(s for s in toy["steps"] if s["code"] == "street_check")
            approve = next(d for d in check["decisions"] if d["code"] == "approve")
            assert approve["label"] == "同意"
            assert approve["data_schema"]["required"] == ["findings"]
            assert toy["first_step"] == {"code": "requested", "label": "申请"}
            doc = (await api.get("/openapi.json")).json()["components"]["schemas"]
            assert doc["CaseRead"]["discriminator"]["mapping"]["toy-approval"] == "#/components/schemas/ToyApprovalCaseRead"
            typed = doc["ToyApprovalCaseRead"]["allOf"][1]["properties"]
            assert typed["facts"] == {"$ref": "#/components/schemas/ToyFacts"}
            assert doc["ToyFacts"]["required"] == ["subject"]

            started = await api.post("/cases/toy-approval", headers=cast.headers("clerk", "toy-1"),
                                     json={"estate_id": cast.estate_id, "subject": "楼道灯更换"})
            assert started.status_code == 201, started.text
            case = started.json()
            assert case["kind"] == {"code": "toy-approval", "label": "两级审批（示例）"}
            assert case["process"] == "toy-approval"
            assert case["open_tasks"][0]["step"]["code"] == "street_check"
            schema_url = case["open_tasks"][0]["data_schemas"]["approve"]
            schema = (await api.get(schema_url, headers=cast.headers("street"))).json()
            assert schema["properties"]["findings"]["maxLength"] == 500

            inbox = (await api.get("/inbox", headers=cast.headers("street"))).json()
            assert any(i["case_id"] == case["id"] and i["step"]["label"] == "街道初审" for i in inbox)

            url = f"/cases/{case['id']}/tasks/t1/decisions"
            bad = await api.post(url, headers=cast.headers("street", "toy-2"), json={"decision": "approve", "data": {}})
            assert bad.status_code == 422  # the schema the client was given is the one the validator checks
            ok = await api.post(url, headers=cast.headers("street", "toy-3"),
                                json={"decision": "approve", "data": {"findings": "灯具老化，需更换"}})
            assert ok.status_code == 200, ok.text
            done = await api.post(f"/cases/{case['id']}/tasks/t2/decisions", headers=cast.headers("bureau", "toy-4"),
                                  json={"decision": "approve", "comment": "同意"})
            assert done.json()["status"]["code"] == "completed"
            assert done.json()["facts"] == {"subject": "楼道灯更换", "findings": "灯具老化，需更换"}

            timeline = (await api.get(f"/cases/{case['id']}/timeline", headers=cast.headers("bureau"))).json()
            decided = [(e["step"]["label"], e["decision"]["label"]) for e in timeline if e["kind"] == "decision"]
            assert decided == [("街道初审", "同意"), ("住建局审批", "同意")]
            assert [e["kind"] for e in timeline if e["kind"] == "rejected"] == ["rejected"]  # the refused attempt
    assert REGISTRY.get("toy-approval") is None


def test_every_registered_process_is_complete() -> None:
    """Labels for every step a process declares decisions for, a workflow the worker runs, unique kinds."""
    specs = REGISTRY.specs()
    assert len({s.kind for s in specs}) == len(specs)
    for spec in specs:
        assert spec.workflow in workflow_types()
        assert spec.first_step in spec.step_labels
        for step, decisions in spec.step_decisions.items():
            assert step in spec.step_labels, (spec.kind, step)
            assert decisions, (spec.kind, step)
        for step, decision in spec.decision_data:
            assert decision in spec.step_decisions.get(step, ()), (spec.kind, step, decision)
    assert search_attribute_names() == ["CaseKind", "CaseStatus", "CaseStep", "EstateId", "StreetId"]


async def test_the_case_answer_is_published_as_a_union_of_every_process(api: AsyncClient) -> None:
    """OpenAPI: CaseRead is one of <Process>CaseRead by ``process``, each with its process's facts schema."""
    doc = (await api.get("/openapi.json")).json()["components"]["schemas"]
    mapping = doc["CaseRead"]["discriminator"]["mapping"]
    for spec in REGISTRY.specs():
        assert spec.facts_model is not None, spec.kind
        variant = doc[mapping[spec.kind].rsplit("/", 1)[1]]
        assert variant["allOf"][1]["properties"]["facts"] == {"$ref": f"#/components/schemas/{spec.facts_model.__name__}"}
        assert doc[spec.facts_model.__name__]["type"] == "object"
    assert doc["FundFacts"]["properties"]["public_notice"]
