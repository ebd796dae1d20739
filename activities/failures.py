"""Activity failures as an operator reads them in Temporal's UI: short, saying what failed, for which case, and why.

An unexpected exception (a lost database connection, a constraint, a driver error) would reach
Temporal as its whole text and chain of causes, which for a payment over many households can pass
the server's failure size limit: the UI then shows only "Failure exceeds size limit". Every such
exception leaves the activity as one ``ApplicationError`` of a few hundred characters, retryable
as before, typed with the cause's class so a retry policy can still tell causes apart.
"""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError, TemporalError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

CAUSE_CHARS = 200  # of the cause's own text
MESSAGE_LIMIT = 1024  # the whole message, whatever the activity's and the case's names


def short_failure(activity_type: str, case_id: str, exc: BaseException) -> ApplicationError:
    """``exc`` as a short, retryable failure: the activity, the case, the cause's class and the start of its text."""
    text = " ".join(str(exc).split())
    cause = text if len(text) <= CAUSE_CHARS else text[:CAUSE_CHARS] + "…"
    message = f"{activity_type} for {case_id} failed: {type(exc).__name__}: {cause}"
    return ApplicationError(message[:MESSAGE_LIMIT], type=type(exc).__name__)


class _ShortFailures(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except TemporalError:  # a business "no" (ApplicationError), a cancellation: already what Temporal should see
            raise
        except Exception as exc:
            info = activity.info()
            activity.logger.warning("activity attempt failed", exc_info=True)  # the whole story stays in the worker's log
            raise short_failure(info.activity_type, info.workflow_id or "-", exc) from None


class ShortFailureInterceptor(Interceptor):
    """Keeps every activity's failure small and informative (see the module's docstring)."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ShortFailures(next)
