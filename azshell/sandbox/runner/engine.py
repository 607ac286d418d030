"""The sandbox's executor: runs submitted flows for real, the way Azkaban's executor does.

``Engine`` numbers executions (1, 2, ...), keeps them all in memory, and hands each to an
``Execution`` that runs its jobs as subprocesses in dependency order. The web side
(``servlets/executor``) decides concurrency (skip/ignore/pipeline/queue) before it calls
``submit``; the engine then honours the option it was given: ``ignore`` runs side by side,
``pipeline`` makes each job wait for the same job (level 2: also its children) of the latest
earlier run, and ``queue`` keeps the new run PREPARING until earlier runs of the flow end.

Modules: ``types`` (options, errors, statuses), ``nodes`` (node tree and its
JSON), ``execution`` (the scheduler, composed of ``run_state``, ``controls``, ``job_threads``
and ``views``), ``jobs`` (subprocesses), ``props`` (properties), ``conditions`` (Flow 2.0
conditions), ``joblog`` (log pages).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from azshell.sandbox.runner.execution import Execution
from azshell.sandbox.runner.nodes import model_flows
from azshell.sandbox.runner.types import (
    SUCCEEDED,
    AlreadyFinished,
    EngineError,
    ExecutionOptions,
    JobLogMissing,
    NotRunning,
    ProjectVersion,
)

__all__ = [
    "AlreadyFinished",
    "Engine",
    "EngineError",
    "Execution",
    "ExecutionOptions",
    "JobLogMissing",
    "NotRunning",
    "ProjectVersion",
]

_SHUTDOWN_JOIN_SECONDS = 10.0
MAX_FINISHED = 2000  # finished executions kept (about 40 MB); the oldest are forgotten first


class Engine:
    """All executions of one sandbox server; thread-safe."""

    def __init__(
        self, workdir: Path, job_timeout: float = 300.0, clock: Callable[[], float] = time.time,
        max_finished: int = MAX_FINISHED,
    ) -> None:
        self.workdir = Path(workdir)
        self.job_timeout = job_timeout
        self.clock = clock
        self.max_finished = max_finished
        self._lock = threading.Lock()
        self._executions: dict[int, Execution] = {}
        self._next_id = 1
        self._stopping = False

    def submit(
        self, project: ProjectVersion, flow_id: str, submit_user: str, options: ExecutionOptions
    ) -> Execution:
        """Create execution N (PREPARING) and start running it on its own thread."""
        flows = model_flows(project.loaded)
        flow = flows.get(flow_id)
        if flow is None:
            raise EngineError(f"Flow '{flow_id}' cannot be found in project {project.project_name}")
        with self._lock:
            if self._stopping:
                raise EngineError("The executor is shutting down.")
            execid = self._next_id
            self._next_id += 1
            pipeline_of = None
            if options.concurrent_option == "pipeline":
                earlier = self._unfinished(project.project_id, flow_id)
                pipeline_of = earlier[-1] if earlier else None
            execution = Execution(
                self,
                execid,
                project=project,
                flow=flow,
                flows=flows,
                submit_user=submit_user,
                options=options,
                pipeline_of=pipeline_of,
            )
            self._executions[execid] = execution
            dropped = self._trim()
        for old in dropped:  # their logs and working copies, outside the lock
            shutil.rmtree(old.exec_dir, ignore_errors=True)
        execution.start()
        return execution

    def _trim(self) -> list[Execution]:
        """Forget the oldest finished executions beyond ``max_finished`` (under the lock).

        A real server keeps its history in a database; the sandbox keeps it in memory, 14-22 KB
        an execution, so a script submitting flows forever must not grow it forever. Running
        executions are never dropped.
        """
        finished = [ex for _, ex in sorted(self._executions.items()) if ex.is_finished()]
        dropped = finished[: max(0, len(finished) - self.max_finished)]
        for old in dropped:
            del self._executions[old.execid]
        return dropped

    def get(self, execid: int) -> Execution | None:
        with self._lock:
            return self._executions.get(execid)

    def _unfinished(self, project_id: int, flow_id: str) -> list[Execution]:
        return [
            ex
            for execid, ex in sorted(self._executions.items())
            if ex.project_id == project_id and ex.flow_id == flow_id and not ex.is_finished()
        ]

    def unfinished_count(self) -> int:
        """How many executions of any flow have not ended (what stopping the sandbox kills)."""
        with self._lock:
            return sum(1 for ex in self._executions.values() if not ex.is_finished())

    def running_ids(self, project_id: int, flow_id: str) -> list[int]:
        """Unfinished executions of a flow, ascending (getRunning, the skip check)."""
        with self._lock:
            return [ex.execid for ex in self._unfinished(project_id, flow_id)]

    def earlier_unfinished(self, execution: Execution) -> list[int]:
        """Unfinished runs of the same flow submitted before this one (queue option)."""
        with self._lock:
            return [
                ex.execid
                for ex in self._unfinished(execution.project_id, execution.flow_id)
                if ex.execid < execution.execid
            ]

    def executions(self, project_id: int, flow_id: str) -> list[Execution]:
        """Every execution of a flow, newest first (fetchFlowExecutions)."""
        with self._lock:
            found = [
                ex
                for ex in self._executions.values()
                if ex.project_id == project_id and ex.flow_id == flow_id
            ]
        return sorted(found, key=lambda ex: ex.execid, reverse=True)

    def last_successful(self, project_id: int, flow_id: str) -> Execution | None:
        for execution in self.executions(project_id, flow_id):
            if execution.status == SUCCEEDED:
                return execution
        return None

    def _require(self, execid: int) -> Execution:
        execution = self.get(execid)
        if execution is None:
            raise EngineError(f"Cannot find execution '{execid}'")
        return execution

    def cancel(self, execid: int) -> None:
        self._require(execid).cancel()

    def pause(self, execid: int) -> None:
        self._require(execid).pause()

    def resume(self, execid: int) -> None:
        self._require(execid).resume()

    def retry_failed(self, execid: int) -> None:
        self._require(execid).retry_failed()

    def shutdown(self) -> None:
        """Kill every running job and wait for all threads: nothing may outlive the engine."""
        with self._lock:
            self._stopping = True
            executions = list(self._executions.values())
        for execution in executions:
            with execution.cond:
                execution.kill()
        deadline = time.monotonic() + _SHUTDOWN_JOIN_SECONDS
        for execution in executions:
            execution.join(max(0.1, deadline - time.monotonic()))
