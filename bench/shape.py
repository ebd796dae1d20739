"""The shape of a recorded workflow history: what a bare workflow must repeat to be comparable."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

ACTIVITY = "activity"
LOCAL = "local"
LOCAL_ACTIVITY_MARKER = "core_local_activity"

_COUNTED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activities",
    EventType.EVENT_TYPE_MARKER_RECORDED: "local_activities",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "updates",
    EventType.EVENT_TYPE_TIMER_STARTED: "timers_started",
    EventType.EVENT_TYPE_TIMER_CANCELED: "timers_cancelled",
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: "search_attribute_upserts",
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "workflow_tasks",
}


@dataclass
class Shape:
    """Event counts of one history, and per update the activities that ran before it answered.

    ``plan[i]`` lists, in order, the regular (``activity``) and local (``local``) activities
    recorded after the i-th accepted update and before the next one; the first update is the
    one sent with the start.
    """

    events: int
    counts: dict[str, int]
    plan: list[list[str]] = field(default_factory=list)

    @classmethod
    def of(cls, history: WorkflowHistory) -> Shape:
        counts: Counter[str] = Counter()
        plan: list[list[str]] = []
        for event in history.events:
            name = _COUNTED.get(event.event_type)
            if name is None:
                continue
            if name == "local_activities" and event.marker_recorded_event_attributes.marker_name != LOCAL_ACTIVITY_MARKER:
                name = "other_markers"  # a patch marker (workflow.patched) is not an activity
            counts[name] += 1
            if name == "updates":
                plan.append([])
            elif name == "activities" and plan:
                plan[-1].append(ACTIVITY)
            elif name == "local_activities" and plan:
                plan[-1].append(LOCAL)
        names = [*_COUNTED.values(), "other_markers"]
        return cls(events=len(history.events), counts={k: counts.get(k, 0) for k in names}, plan=plan)

    def describe(self) -> str:
        c = self.counts
        return (
            f"{c['updates']} updates, {c['activities']} activities, {c['local_activities']} local activities "
            f"({c['timers_started']} timers started, {c['timers_cancelled']} cancelled, "
            f"{c['search_attribute_upserts']} search-attribute upserts, {c['other_markers']} other markers; "
            f"{self.events} events)"
        )
