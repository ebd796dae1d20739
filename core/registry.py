"""The process registry: one spec per process, one list that the worker, the API and the tests read.

A process is its own modules (domain rules, workflow, activities, router) plus one line in
``PROCESS_SPECS``. Everything that used to be registered by hand per process — worker lists,
routers, labels, the start sequence, read policies, search attributes — iterates this list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from domain.access import Actor, Scope
from domain.cases import CaseStatus
from domain.tasks import DECISION_LABELS as SHARED_DECISION_LABELS

if TYPE_CHECKING:
    from core.history_archive import HistoryArchive
    from workflows.human_tasks import CaseWorkflow

SessionFactory = async_sessionmaker[AsyncSession]
ActivityFactory = Callable[[SessionFactory], Sequence[Callable[..., Any]]]

# The search attributes every case sets (the base workflow upserts status and step).
CASE_KIND = SearchAttributeKey.for_keyword("CaseKind")
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CASE_STEP = SearchAttributeKey.for_keyword("CaseStep")
ESTATE_ID = SearchAttributeKey.for_keyword("EstateId")
STREET_ID = SearchAttributeKey.for_keyword("StreetId")
CASE_SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[str], ...] = (CASE_KIND, CASE_STATUS, CASE_STEP, ESTATE_ID, STREET_ID)


@dataclass(frozen=True)
class StartArgs:
    """What a process's start input builder gets: the allocated case id and the checked request."""

    case_id: str
    request: BaseModel
    initiator: Actor
    rules: BaseModel
    at: datetime
    # The local demo's compressed periods (`make run`), for processes that carry several rule sets.
    demo: bool = False
    # Where the case sits, as the route established it (street, community, estate).
    scope: Scope | None = None


@dataclass(frozen=True, kw_only=True)
class ProcessSpec:
    """Everything the system needs to know about one process."""

    kind: str
    label: str
    workflow: type[CaseWorkflow]
    # The step a new case is stored under until its workflow answers.
    first_step: str
    step_labels: Mapping[str, str]
    # Decisions allowed at each step (what a client may offer at a task of that step).
    step_decisions: Mapping[str, Sequence[str]]
    decision_labels: Mapping[str, str] = field(default_factory=dict)
    facts_model: type[BaseModel] | None = None
    rules: BaseModel | None = None
    demo_rules: BaseModel | None = None
    # Builds the workflow's input from a checked start request; None: the API cannot start it.
    start_input: Callable[[StartArgs], BaseModel] | None = None
    activities: ActivityFactory | None = None
    # Workflows that belong to the process but are not cases (timers, reports).
    helper_workflows: Sequence[type] = ()
    # "module:attribute" of the process's FastAPI router and read policy, imported by the API
    # only (the worker never loads web code).
    router: str | None = None
    read_policy: str | None = None
    search_attributes: Sequence[SearchAttributeKey[str]] = CASE_SEARCH_ATTRIBUTES

    @property
    def first_step_label(self) -> str:
        return self.step_labels.get(self.first_step, self.first_step)

    @property
    def decision_data(self) -> Mapping[tuple[str, str], type[BaseModel]]:
        """The pydantic model each (step, decision)'s ``data`` must satisfy: the validator's own."""
        return self.workflow.decision_data

    def rules_for(self, demo: bool) -> BaseModel | None:
        """The rules a new case runs under: the statutory ones, or the local demo's short periods."""
        return self.demo_rules if demo and self.demo_rules is not None else self.rules


def resolve(path: str) -> Any:
    """Import ``module:attribute``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _builtin_specs() -> list[ProcessSpec]:
    from workflows.credit_check_spec import SPEC as CREDIT_CHECK
    from workflows.credit_spec import SPEC as CREDIT
    from workflows.election_spec import SPEC as ELECTION
    from workflows.fund_emergency_spec import SPEC as FUND_EMERGENCY
    from workflows.handover_spec import SPEC as HANDOVER
    from workflows.holiday_calendar_spec import SPEC as HOLIDAY_CALENDAR
    from workflows.tender_spec import SPEC as TENDER
    from workflows.ticket_spec import SPEC as TICKET

    return [FUND_EMERGENCY, ELECTION, TENDER, HANDOVER, TICKET, HOLIDAY_CALENDAR, CREDIT, CREDIT_CHECK]


class Registry:
    """The registered processes; built once, on first use, from the built-in list."""

    def __init__(self) -> None:
        self._specs: list[ProcessSpec] | None = None

    def specs(self) -> list[ProcessSpec]:
        if self._specs is None:
            self._specs = _builtin_specs()
        return list(self._specs)

    def get(self, kind: str) -> ProcessSpec | None:
        return next((s for s in self.specs() if s.kind == kind), None)

    def __getitem__(self, kind: str) -> ProcessSpec:
        spec = self.get(kind)
        if spec is None:
            raise KeyError(f"no process {kind!r} is registered")
        return spec

    @contextmanager
    def registered(self, spec: ProcessSpec) -> Iterator[ProcessSpec]:
        """Register one more process for the duration of a block (a test's own process)."""
        specs = self.specs()
        if any(s.kind == spec.kind for s in specs):
            raise ValueError(f"process {spec.kind!r} is already registered")
        self._specs = [*specs, spec]
        try:
            yield spec
        finally:
            self._specs = [s for s in self.specs() if s.kind != spec.kind]


REGISTRY = Registry()


def workflow_types(specs: Sequence[ProcessSpec] | None = None) -> list[type]:
    """Every workflow class the worker runs: each process's, then the shared history archive's."""
    from workflows.history_archive import HistoryArchiveSweepWorkflow

    out: list[type] = []
    for spec in specs if specs is not None else REGISTRY.specs():
        for cls in (spec.workflow, *spec.helper_workflows):
            if cls not in out:
                out.append(cls)
    return [*out, HistoryArchiveSweepWorkflow]


def activities(
    sessions: SessionFactory, specs: Sequence[ProcessSpec] | None = None, *,
    archive: HistoryArchive | None = None, archive_on_close: bool = False,
) -> list[Callable[..., Any]]:
    """Every activity the worker runs, bound to its dependencies (the shared case and archive activities first).

    ``archive``: where closed histories go (default: the database store); ``archive_on_close``:
    a case's final projection hands its run to the archive (the worker sets it from the settings).
    """
    from activities.archive import ArchiveActivities
    from activities.cases import CaseActivities
    from core.archive_store import DatabaseStore
    from core.history_archive import ArchiveOnClose, HistoryArchive

    archive = archive or HistoryArchive(sessions, DatabaseStore(sessions))
    cases = CaseActivities(sessions, archive_on_close=ArchiveOnClose(archive) if archive_on_close else None)
    out: list[Callable[..., Any]] = [
        cases.project_case, cases.compute_sla, cases.party_deadline, ArchiveActivities(archive).sweep,
    ]
    for spec in specs if specs is not None else REGISTRY.specs():
        if spec.activities is not None:
            out.extend(spec.activities(sessions))
    return out


def search_attribute_names(specs: Sequence[ProcessSpec] | None = None) -> list[str]:
    """The custom search attributes the Temporal namespace must have registered."""
    names: list[str] = []
    for spec in specs if specs is not None else REGISTRY.specs():
        names.extend(k.name for k in spec.search_attributes if k.name not in names)
    return names


def process_label(kind: str) -> str:
    spec = REGISTRY.get(kind)
    return spec.label if spec is not None else kind


def step_label(kind: str, step: str) -> str:
    spec = REGISTRY.get(kind)
    return spec.step_labels.get(step, step) if spec is not None else step


def decision_label(code: str, kind: str | None = None) -> str:
    """A decision code's Chinese label: the process's own, else the shared ones, else any process's."""
    spec = REGISTRY.get(kind) if kind else None
    if spec is not None and code in spec.decision_labels:
        return spec.decision_labels[code]
    if code in SHARED_DECISION_LABELS:
        return SHARED_DECISION_LABELS[code]
    for other in REGISTRY.specs():
        if code in other.decision_labels:
            return other.decision_labels[code]
    return code


def start_search_attributes(spec: ProcessSpec, scope: Scope) -> TypedSearchAttributes:
    """The search attributes a case starts with (the workflow upserts status and step later)."""
    return TypedSearchAttributes([
        SearchAttributePair(CASE_KIND, spec.kind), SearchAttributePair(CASE_STATUS, CaseStatus.ACTIVE.value),
        SearchAttributePair(CASE_STEP, spec.first_step), SearchAttributePair(ESTATE_ID, scope.estate_id or ""),
        SearchAttributePair(STREET_ID, scope.street_id or ""),
    ])
