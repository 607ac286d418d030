"""The engine's vocabulary: what the web side hands it, what it raises, Azkaban's status names.

Kept apart from the engine itself so the execution modules and the servlet can share it without
import cycles. ``azshell.sandbox.runner.engine`` re-exports everything public.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azshell.errors import AzshellError

# Status names of azkaban.executor.Status (protocol §9).
READY = "READY"
PREPARING = "PREPARING"
RUNNING = "RUNNING"
PAUSED = "PAUSED"
SUCCEEDED = "SUCCEEDED"
KILLING = "KILLING"
KILLED = "KILLED"
FAILED = "FAILED"
FAILED_FINISHING = "FAILED_FINISHING"
SKIPPED = "SKIPPED"
DISABLED = "DISABLED"
QUEUED = "QUEUED"
CANCELLED = "CANCELLED"

FINISHED = frozenset(
    {SUCCEEDED, FAILED, KILLED, "EXECUTION_STOPPED", SKIPPED, "FAILED_SUCCEEDED", CANCELLED}
)
FLOW_TERMINAL = frozenset({SUCCEEDED, KILLED, "EXECUTION_STOPPED", FAILED})
STATUS_FAILED = frozenset({FAILED, KILLED, CANCELLED})
STATUS_SUCCEEDED = frozenset({SUCCEEDED, "FAILED_SUCCEEDED", SKIPPED})

FAILURE_ACTIONS = ("finishCurrent", "cancelImmediately", "finishPossible")
# Flow 2.0 ``failure.action`` config values (ExecutionOptions.mapToFailureAction).
YAML_FAILURE_ACTIONS = {
    "finish_currently_running": "finishCurrent",
    "cancel_all": "cancelImmediately",
    "finish_all_possible": "finishPossible",
}


class EngineError(AzshellError):
    """An executor refusal; the message is Azkaban's exact text for the servlet's ``error``."""


class NotRunning(EngineError):
    """cancel/pause/resume/retry of an execution that is no longer running."""

    def __init__(self, execid: int, flow_id: str) -> None:
        super().__init__(f"Execution {execid} of flow {flow_id} isn't running.")


class AlreadyFinished(EngineError):
    """retryFailedJobs on a FAILED or SUCCEEDED execution."""

    def __init__(self) -> None:
        super().__init__("Flow has already finished. Please re-execute.")


class JobLogMissing(EngineError):
    """The job of a running flow has not started: Azkaban's executor has no log file yet."""

    def __init__(self) -> None:
        super().__init__("Job log file doesn't exist.")


@dataclass
class ProjectVersion:
    """One uploaded version of a project, as the web side hands it to the engine."""

    project_id: int
    project_name: str
    version: int
    directory: Path  # extracted files; read-only for the engine, which copies them per execution
    loaded: Any  # azshell.project.LoadedProject
    # the version's job overrides (azshell.sandbox.jobprops keys), live: like Azkaban, a job
    # reads its override when it is about to run
    job_overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass
class ExecutionOptions:
    """The §6.1 options of one execution, already parsed by the web side."""

    disabled: list = field(default_factory=list)  # job ids or {"id": ..., "children": [...]}
    failure_action: str = "finishCurrent"  # finishCurrent | cancelImmediately | finishPossible
    concurrent_option: str = "skip"  # skip | ignore | pipeline | queue
    pipeline_level: int | None = None
    queue_level: int = 0  # never set from a request (HttpRequestUtils sets pipelineLevel)
    success_emails: list[str] = field(default_factory=list)
    failure_emails: list[str] = field(default_factory=list)
    success_emails_override: bool = False
    failure_emails_override: bool = False
    notify_failure_first: bool = True
    notify_failure_last: bool = False
    flow_parameters: dict[str, str] = field(default_factory=dict)
    runtime_properties: dict[str, dict[str, str]] = field(default_factory=dict)
    mail_creator: str = "default"
    failure_action_override: bool = False  # True: failure_action wins over a YAML failure.action
