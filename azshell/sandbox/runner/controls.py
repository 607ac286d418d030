"""What the web side may do with an execution: controls, JSON views and logs.

A mixin of ``Execution`` (the state and the scheduler live there): cancel, pause, resume and
retry with Azkaban's refusals (protocol §6.2), the fetchexecflow / fetchexecflowupdate /
fetchFlowExecutions / flowInfo shapes (§6.3, §6.4, §5.6, §6.7), and log pages (§6.5).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from azshell.sandbox.runner.joblog import empty_page
from azshell.sandbox.runner.nodes import FlowRun, NodeRun, disabled_json
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
    JobLogMissing,
    NotRunning,
)

_NOT_RESET = frozenset({SUCCEEDED, RUNNING, "KILLING", "QUEUED"})


class ExecutionApi:
    """Controls and views; every method takes the execution's lock."""

    # provided by Execution
    cond: Any
    root: FlowRun
    execid: int
    flow_id: str
    flow_log: Any
    options: Any

    # Controls ------------------------------------------------------------------------------

    def cancel(self) -> None:
        """cancelFlow: KILLING, then KILLED once the running jobs are dead; a run still queued
        on the web side is finalized FAILED at once instead (§6.2)."""
        with self.cond:
            if self._finished:
                raise NotRunning(self.execid, self.flow_id)
            if not self._dispatched:
                self._fail_before_dispatch()
                return
            self.flow_log.info("Flow killed by user")
            self.kill()

    def pause(self) -> None:
        """pauseFlow: running jobs go on, no new job starts; pausing twice is fine. A run the
        web side still queues is on no executor: "isn't running", like a finished one."""
        with self.cond:
            if self._finished or not self._dispatched:
                raise NotRunning(self.execid, self.flow_id)
            if self._killed:
                raise EngineError(
                    f"Execution {self.execid} with status {self.root.status} cannot be paused."
                )
            self.flow_log.info("Execution pause requested")
            if not self._paused:
                self._paused = True
                self._set(self.root, PAUSED)
                self.flow_log.info(f"Execution {self.execid} has been paused.")
            self.cond.notify_all()

    def resume(self) -> None:
        """resumeFlow: back to RUNNING (or FAILED_FINISHING); resuming a running flow is fine;
        a queued run is not running."""
        with self.cond:
            if self._finished or not self._dispatched:
                raise NotRunning(self.execid, self.flow_id)
            if not self._paused:
                self.flow_log.info("Cannot resume flow that isn't paused")
                return
            self.flow_log.info("Flow resumed by user")
            self._paused = False
            self._set(self.root, FAILED_FINISHING if self._failed else RUNNING)
            self.cond.notify_all()

    def retry_failed(self) -> None:
        """retryFailedJobs: re-run the failed jobs of a flow that is still running (§6.2)."""
        with self.cond:
            if self.root.status in (FAILED, SUCCEEDED):
                raise AlreadyFinished()
            if self._finished or not self._dispatched:
                raise NotRunning(self.execid, self.flow_id)
            self.flow_log.info("Retrying failures invoked by user")
            self._retry_requested = True
            self.cond.notify_all()

    def _retry_all(self) -> None:
        """FlowRunner.retryAllFailures, run by the runner thread."""
        self._retry_requested = False
        if self._killed:
            return
        self.flow_log.info("Restarting all failed jobs")
        self._failed = False
        self._reset_failed(self.root)

    def _reset_failed(self, flow: FlowRun) -> None:
        """Walk up from the end nodes: failed jobs get a new attempt, cancelled ones wait again."""
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
                self._reset_for_retry(node)
            if node.status != old:
                self.flow_log.info(f"Resetting job '{node.nested_id}' from {old} to {node.status}")
            queue.extend(flow.children[p] for p in node.in_nodes)
        old_flow = flow.status
        flow.end_time = -1
        self._set(flow, RUNNING if ran or flow is self.root else READY)
        self.flow_log.info(f"Resetting flow '{flow.nested_id}' from {old_flow} to {flow.status}")

    def _reset_node(self, node: NodeRun, status: str) -> None:
        node.start_time = -1
        node.end_time = -1
        self._set(node, status)

    def _reset_subtree(self, flow: FlowRun) -> None:
        for child in flow.children.values():
            self._reset_node(child, DISABLED if child.initially_disabled else READY)
            if isinstance(child, FlowRun):
                self._reset_subtree(child)

    # JSON views -------------------------------------------------------------------------------

    def to_json(self) -> dict:
        """fetchexecflow: execution keys merged with the root flow node (§6.3)."""
        with self.cond:
            obj: dict[str, Any] = {
                "execid": self.execid,
                "project": self.project_name,
                "projectId": self.project_id,
                "submitUser": self.submit_user,
                "submitTime": self.submit_time,
            }
            obj.update(self.root.to_json())
            return obj

    def update_json(self, last_update_time: int) -> dict:
        """fetchexecflowupdate: flow times always, nodes only when changed (§6.4)."""
        with self.cond:
            obj = self.root.update_json(last_update_time)
            obj.update(
                {
                    "status": self.root.status,
                    "startTime": self.root.start_time,
                    "endTime": self.root.end_time,
                    "updateTime": self.root.update_time,
                }
            )
            return obj

    def summary_json(self) -> dict:
        """One item of fetchFlowExecutions (§5.6)."""
        with self.cond:
            return {
                "execId": self.execid,
                "flowId": self.flow_id,
                "projectId": self.project_id,
                "status": self.root.status,
                "submitTime": self.submit_time,
                "startTime": self.root.start_time,
                "endTime": self.root.end_time,
                "submitUser": self.submit_user,
            }

    def flow_info_json(self) -> dict:
        """flowInfo with an execid: the options of this run and its top-level statuses (§6.7)."""
        options = self.options  # (runtimeProperties: only after 4.0.0)
        pipeline = self._pipeline_of.execid if self._pipeline_of is not None else None
        with self.cond:
            return {
                "successEmails": list(options.success_emails),
                "failureEmails": list(options.failure_emails),
                "flowParam": dict(options.flow_parameters),
                "failureAction": self.failure_action,
                "notifyFailureFirst": options.notify_failure_first,
                "notifyFailureLast": options.notify_failure_last,
                "failureEmailsOverride": options.failure_emails_override,
                "successEmailsOverride": options.success_emails_override,
                "concurrentOptions": options.concurrent_option,
                "pipelineLevel": options.pipeline_level,
                "pipelineExecution": pipeline,
                "queueLevel": options.queue_level,
                "nodeStatus": {n.id: n.status for n in self.root.ordered_children()},
                "disabled": disabled_json(options.disabled),
            }

    # Logs ------------------------------------------------------------------------------------

    def read_flow_log(self, offset: int, length: int) -> dict:
        """fetchExecFlowLogs: one page of the flow log (§6.5)."""
        return self.flow_log.read(offset, length)

    def read_job_log(
        self, job_id: str, offset: int, length: int, attempt: int | None = None
    ) -> dict:
        """fetchExecJobLogs: one page of a job's log; ``job_id`` may be a colon path."""
        with self.cond:
            node = self.root.find(job_id) if job_id else None
            if node is None:
                raise EngineError(f"Job {job_id} doesn't exist in {self.execid}")
            log = node.logs.get(node.attempt if attempt is None else attempt)
            finished = self._finished
        if log is None:
            if not finished:
                raise JobLogMissing()
            return empty_page(offset)
        return log.read(offset, length)

    def job_attachments(self, job_id: str) -> list | None:
        """fetchExecJobStats: a job's attachments (``jobid`` is a colon path); jobs here write
        none, so a known job has ``None`` (Azkaban's null)."""
        with self.cond:
            if self.root.find(job_id) is None:
                raise EngineError(f"Job {job_id} doesn't exist in {self.execid}")
        return None

    def job_log_text(self, job_id: str, attempt: int | None = None) -> str:
        """A whole job log, unescaped (tests, the sandbox's own debugging)."""
        with self.cond:
            node = self.root.find(job_id)
            if node is None:
                raise EngineError(f"Job {job_id} doesn't exist in {self.execid}")
            log = node.logs.get(node.attempt if attempt is None else attempt)
        return log.text() if log is not None else ""


__all__ = ["ExecutionApi"]
