"""What a user may do to a running execution: cancel, pause, resume, retry (protocol §6.2).

``Controls`` is a part of ``Execution``, composed (not mixed in): it sees the execution only
through ``ControlledRun``, the few things it needs, and the shared ``RunState``. Azkaban's
refusals are kept: "isn't running", "cannot be paused", "already finished".
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Protocol

from azshell.sandbox.runner.joblog import LogBuffer
from azshell.sandbox.runner.nodes import FlowRun, NodeRun
from azshell.sandbox.runner.run_state import RunState
from azshell.sandbox.runner.types import (
    CANCELLED,
    DISABLED,
    FAILED,
    FAILED_FINISHING,
    KILLED,
    PAUSED,
    READY,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    AlreadyFinished,
    EngineError,
    NotRunning,
)

_NOT_RESET = frozenset({SUCCEEDED, RUNNING, "KILLING", "QUEUED"})


class ControlledRun(Protocol):
    """What the controls need of their execution."""

    cond: threading.Condition
    root: FlowRun
    execid: int
    flow_id: str
    flow_log: LogBuffer
    state: RunState

    def set_status(self, node: NodeRun, status: str, *, start: bool = False,
                   end: bool = False) -> None: ...

    def kill(self) -> None: ...

    def fail_before_dispatch(self) -> None: ...

    def reset_for_retry(self, node: NodeRun) -> None: ...


class Controls:
    """cancel, pause, resume and retry of one execution; every method takes its lock."""

    def __init__(self, run: ControlledRun) -> None:
        self.run = run

    def cancel(self) -> None:
        """cancelFlow: KILLING, then KILLED once the running jobs are dead; a run still queued
        on the web side is finalized FAILED at once instead (§6.2)."""
        run = self.run
        with run.cond:
            if run.state.finished:
                raise NotRunning(run.execid, run.flow_id)
            if not run.state.dispatched:
                run.fail_before_dispatch()
                return
            run.flow_log.info("Flow killed by user")
            run.kill()

    def pause(self) -> None:
        """pauseFlow: running jobs go on, no new job starts; pausing twice is fine. A run the
        web side still queues is on no executor: "isn't running", like a finished one."""
        run = self.run
        with run.cond:
            if run.state.finished or not run.state.dispatched:
                raise NotRunning(run.execid, run.flow_id)
            if run.state.killed:
                raise EngineError(
                    f"Execution {run.execid} with status {run.root.status} cannot be paused."
                )
            run.flow_log.info("Execution pause requested")
            if not run.state.paused:
                run.state.paused = True
                run.set_status(run.root, PAUSED)
                run.flow_log.info(f"Execution {run.execid} has been paused.")
            run.cond.notify_all()

    def resume(self) -> None:
        """resumeFlow: back to RUNNING (or FAILED_FINISHING); resuming a running flow is fine;
        a queued run is not running."""
        run = self.run
        with run.cond:
            if run.state.finished or not run.state.dispatched:
                raise NotRunning(run.execid, run.flow_id)
            if not run.state.paused:
                run.flow_log.info("Cannot resume flow that isn't paused")
                return
            run.flow_log.info("Flow resumed by user")
            run.state.paused = False
            run.set_status(run.root, FAILED_FINISHING if run.state.failed else RUNNING)
            run.cond.notify_all()

    def retry_failed(self) -> None:
        """retryFailedJobs: re-run the failed jobs of a flow that is still running (§6.2)."""
        run = self.run
        with run.cond:
            if run.root.status in (FAILED, SUCCEEDED):
                raise AlreadyFinished()
            if run.state.finished or not run.state.dispatched:
                raise NotRunning(run.execid, run.flow_id)
            run.flow_log.info("Retrying failures invoked by user")
            run.state.retry_requested = True
            run.cond.notify_all()

    def retry_all(self) -> None:
        """FlowRunner.retryAllFailures, run by the runner thread."""
        run = self.run
        run.state.retry_requested = False
        if run.state.killed:
            return
        run.flow_log.info("Restarting all failed jobs")
        run.state.failed = False
        self._reset_failed(run.root)

    def _reset_failed(self, flow: FlowRun) -> None:
        """Walk up from the end nodes: failed jobs get a new attempt, cancelled ones wait again."""
        run = self.run
        queue: deque[NodeRun] = deque(flow.end_nodes())
        seen: set[str] = set()
        ran = False
        while queue:
            node = queue.popleft()
            if node.id in seen:
                continue
            seen.add(node.id)
            old = node.status
            ran = ran or node.start_time > 0
            if old in _NOT_RESET:
                continue
            if isinstance(node, FlowRun):
                if old in (KILLED, FAILED, FAILED_FINISHING):
                    self._reset_failed(node)
                    continue
                if old not in (CANCELLED, SKIPPED):
                    continue
                self._reset_node(node, DISABLED if old == SKIPPED else READY)
                self._reset_subtree(node)
            elif old == SKIPPED:
                self._reset_node(node, DISABLED)
            elif old == CANCELLED:
                self._reset_node(node, READY)
            elif old in (FAILED, KILLED):
                run.reset_for_retry(node)
            if node.status != old:
                run.flow_log.info(f"Resetting job '{node.nested_id}' from {old} to {node.status}")
            queue.extend(flow.children[p] for p in node.in_nodes)
        old_flow = flow.status
        flow.end_time = -1
        run.set_status(flow, RUNNING if ran or flow is run.root else READY)
        run.flow_log.info(f"Resetting flow '{flow.nested_id}' from {old_flow} to {flow.status}")

    def _reset_node(self, node: NodeRun, status: str) -> None:
        run = self.run
        node.start_time = -1
        node.end_time = -1
        run.set_status(node, status)

    def _reset_subtree(self, flow: FlowRun) -> None:
        for child in flow.children.values():
            self._reset_node(child, DISABLED if child.initially_disabled else READY)
            if isinstance(child, FlowRun):
                self._reset_subtree(child)


__all__ = ["ControlledRun", "Controls"]
