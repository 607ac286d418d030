"""One execution of a flow: the scheduler loop of Azkaban's FlowRunner, in Python.

A runner thread per execution copies the project files, then repeatedly (whenever a job ends or
the user acts) handles finished jobs (retry them, or mark the flow failed), and walks the node
tree in dependency order deciding for each waiting node what Azkaban's ``getImpliedStatus`` would:
wait, run, skip (disabled), or cancel (failure, kill, unmet condition). Jobs run on their own
threads (jobs). Every change happens under the execution's lock and takes a fresh,
strictly increasing time stamp, so ``fetchexecflowupdate`` polled with the previous
``updateTime`` never misses a change.

An execution is composed of parts: its shared state (``run_state.RunState``), the user's
controls (``controls.Controls``), the job threads (``job_threads.JobThreads``, the host each job
calls back) and the JSON views (``views``, pure functions of the node tree). Each part sees the
execution through a small protocol of what it needs (``ControlledRun``, ``JobsRun``).
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azshell.sandbox.runner import views
from azshell.sandbox.runner.conditions import (
    MET,
    PENDING,
    check_status_macro,
    check_variables,
    status_macro,
)
from azshell.sandbox.runner.controls import Controls
from azshell.sandbox.runner.job_threads import JobThreads
from azshell.sandbox.runner.joblog import LogBuffer, empty_page
from azshell.sandbox.runner.nodes import FlowRun, NodeRun, apply_disabled, build_flow
from azshell.sandbox.runner.props import (
    flow_builtins,
)
from azshell.sandbox.runner.run_state import RunState
from azshell.sandbox.runner.types import (
    CANCELLED,
    DISABLED,
    FAILED,
    FAILED_FINISHING,
    FINISHED,
    FLOW_TERMINAL,
    KILLED,
    KILLING,
    PAUSED,
    PREPARING,
    QUEUED,
    READY,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    YAML_FAILURE_ACTIONS,
    EngineError,
    ExecutionOptions,
    JobLogMissing,
    ProjectVersion,
)

if TYPE_CHECKING:
    from azshell.sandbox.runner.engine import Engine

_IDLE_WAIT = 0.5
_BLOCKED_WAIT = 0.05


class Execution:
    """A submitted flow with its node tree, logs and runner thread."""

    def __init__(
        self,
        engine: Engine,
        execid: int,
        *,
        project: ProjectVersion,
        flow: Any,
        flows: dict[str, Any],
        submit_user: str,
        options: ExecutionOptions,
        pipeline_of: Execution | None = None,
    ) -> None:
        self.engine = engine
        self.execid = execid
        self.project = project
        self.project_id = project.project_id
        self.project_name = project.project_name
        self.version = project.version
        self.flow_id = flow.id
        self.submit_user = submit_user
        self.options = options
        self.cond = threading.Condition(threading.RLock())
        self.clock = engine.clock
        self.exec_dir = Path(engine.workdir) / "executions" / str(execid)
        self.flow_log = LogBuffer(flow.id, engine.clock)
        self.state = RunState()
        self.builtins: dict[str, str] = {}
        self._pipeline_of = pipeline_of
        self.controls = Controls(self)
        self.jobs = JobThreads(self)
        self.failure_action = self._failure_action(flow)
        self.root = build_flow(flow, flows, flow.id, None)
        apply_disabled(self.root, options.disabled)
        for node in self.root.walk():
            node.initially_disabled = node.status == DISABLED
        self.submit_time = self._stamp()
        self.root.status = PREPARING
        self.root.update_time = self.submit_time
        for node in self.root.walk():  # so that lastUpdateTime -1 or 0 lists every node (§6.4)
            node.update_time = self.submit_time
        self._thread = threading.Thread(
            target=self._run, name=f"azshell-exec-{execid}", daemon=True
        )

    # Contract attributes -------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.root.status

    @property
    def start_time(self) -> int:
        return self.root.start_time

    @property
    def end_time(self) -> int:
        return self.root.end_time

    @property
    def update_time(self) -> int:
        return self.root.update_time

    @property
    def job_timeout(self) -> float:
        return self.engine.job_timeout

    def is_finished(self) -> bool:
        return self.root.status in FLOW_TERMINAL

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        """Wait for the runner and every job thread (shutdown)."""
        deadline = time.monotonic() + timeout
        self._thread.join(max(0.0, deadline - time.monotonic()))
        for thread in list(self.state.threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    # Time stamps and status changes ----------------------------------------------------------

    def now_ms(self) -> int:
        return int(self.engine.clock() * 1000)

    def _stamp(self) -> int:
        """A time in ms later than every previous stamp of this execution."""
        stamp = max(self.now_ms(), self.state.last_stamp + 1)
        self.state.last_stamp = stamp
        if hasattr(self, "root"):
            self.root.update_time = stamp
        return stamp

    def set_status(self, node: NodeRun, status: str, *, start: bool = False,
                   end: bool = False) -> None:
        """Change a node's status at a fresh time stamp (its start or end time too)."""
        stamp = self._stamp()
        node.status = status
        node.update_time = stamp
        if start:
            node.start_time = stamp
        if end:
            node.end_time = stamp

    def _failure_action(self, flow: Any) -> str:
        declared = (getattr(flow, "props", None) or {}).get("failure.action")
        if declared and not self.options.failure_action_override:
            return YAML_FAILURE_ACTIONS.get(str(declared).strip(), "finishCurrent")
        return self.options.failure_action

    # The runner thread ------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            if not self._wait_for_queue():
                return  # cancelled while queued: cancel() has finalized it already
            self._prepare_directory()
            with self.cond:
                self._start_flow()
                while not self.state.finished:
                    if not self.state.paused:
                        if self.state.retry_requested:
                            self.controls.retry_all()
                        self._handle_finished_jobs()
                        self._schedule(self.root)
                    if self.state.finished:
                        break
                    self.cond.wait(_BLOCKED_WAIT if self.state.blocked else _IDLE_WAIT)
                self.flow_log.info("Finishing up flow. Awaiting Termination")
                self.flow_log.info("Finished Flow")
        except Exception as exc:  # an engine bug must not leave a flow RUNNING forever
            self.flow_log.error(f"Flow runner failed: {type(exc).__name__}: {exc}")
            with self.cond:
                self._abort_after_crash()

    def _wait_for_queue(self) -> bool:
        """Dispatch: at once, or (concurrentOption=queue) once earlier runs of the flow ended.

        Until then the execution waits in the web server's queue, PREPARING, with no flow log
        (only an executor writes one). Returns False when it was cancelled there (``cancel``
        finalizes it, see ``_fail_before_dispatch``).
        """
        queued = self.options.concurrent_option == "queue"
        while True:
            earlier = self.engine.earlier_unfinished(self) if queued else []
            with self.cond:
                if self.state.finished:
                    return False
                if not earlier or self.state.killed:
                    self.state.dispatched = True
                    return True
                self.cond.wait(_BLOCKED_WAIT)

    def _prepare_directory(self) -> None:
        """Copy the project version into this execution's own working directory."""
        if self.exec_dir.exists():
            shutil.rmtree(self.exec_dir, ignore_errors=True)
        source = Path(self.project.directory)
        if source.is_dir():
            shutil.copytree(source, self.exec_dir, symlinks=True)
        else:
            self.exec_dir.mkdir(parents=True, exist_ok=True)

    def _start_flow(self) -> None:
        start_seconds = self.engine.clock()
        self.builtins = flow_builtins(
            execid=self.execid,
            flow_id=self.flow_id,
            project_id=self.project_id,
            project_name=self.project_name,
            version=self.version,
            submit_user=self.submit_user,
            start_seconds=start_seconds,
        )
        log = self.flow_log
        log.info(
            f"Running execid:{self.execid} flow:{self.flow_id} project:{self.project_id} "
            f"version:{self.version}"
        )
        if self._pipeline_of is not None:
            log.info(
                f"Running simulateously with {self._pipeline_of.execid}. "
                f"Pipelining level {self.options.pipeline_level}"
            )
        log.info("Starting flows")
        if self.state.killed:
            log.info(f"Flow '{self.flow_id}' was cancelled before execution had started.")
            self.set_status(self.root, KILLING, start=True)
            self._close_subtree(self.root, CANCELLED)
            self._finalize(self.root)
            return
        log.info(f"Running flow '{self.flow_id}'.")
        self.set_status(self.root, PAUSED if self.state.paused else RUNNING, start=True)

    def fail_before_dispatch(self) -> None:
        """``ExecutionControllerUtils.finalizeFlow`` of a flow the web server still queues.

        Its ``failEverything``: nodes already SUCCEEDED, FAILED, KILLED, SKIPPED or DISABLED
        keep their status; READY ones become KILLING (and stay so: nothing runs them any more),
        any other becomes FAILED; unset start and end times of the nodes take one time; the
        flow gets an end time (its start time stays -1: it never started) and FAILED. Nothing
        sets an update time there and no executor ever writes this run's flow log (the reason,
        "Cancelled before dispatching to executor", only reaches the web server's own log), so
        neither changes here: ``fetchexecflowupdate`` shows the new status in its flow keys.
        """
        stamp = max(self.now_ms(), self.state.last_stamp + 1)
        kept = (SUCCEEDED, FAILED, KILLED, SKIPPED, DISABLED)
        for node in self.root.walk():
            if node.status in kept:
                continue
            node.status = KILLING if node.status == READY else FAILED
            node.start_time = stamp if node.start_time == -1 else node.start_time
            node.end_time = stamp if node.end_time == -1 else node.end_time
        self.root.end_time = stamp if self.root.end_time == -1 else self.root.end_time
        self.root.status = FAILED
        self.state.finished = True
        self.cond.notify_all()

    def _abort_after_crash(self) -> None:
        for node in self.root.walk():
            if node.status not in FINISHED:
                node.kill_requested = True
        if not self.state.finished:
            self._close_subtree(self.root, CANCELLED)
            self.set_status(self.root, FAILED, end=True)
            self.state.finished = True
        self.cond.notify_all()

    # Finished jobs: retry or fail the flow ------------------------------------------------

    def _handle_finished_jobs(self) -> None:
        nodes, self.state.finished_nodes = self.state.finished_nodes, []
        for node in nodes:
            if node.status != FAILED:
                continue
            if node.retries > node.attempt and not self.state.killed:
                self.flow_log.info(
                    f"Job '{node.id}' will be retried. Attempt {node.attempt} of {node.retries}"
                )
                self.reset_for_retry(node)
                node.delay_ms = node.retry_backoff_ms
                continue
            if node.retries > 0:
                self.flow_log.info(f"Job '{node.id}' has run out of retry attempts")
            self._set_flow_failed(node)

    def reset_for_retry(self, node: NodeRun) -> None:
        node.record_attempt()
        node.attempt += 1
        node.start_time = -1
        node.end_time = -1
        self.set_status(node, READY)

    def _set_flow_failed(self, node: NodeRun) -> None:
        """FlowRunner.setFlowFailed: unless a conditional child may still handle the failure."""
        parent = node.parent
        assert parent is not None
        outs = [parent.children[o] for o in node.out_nodes]
        if outs and not any(status_macro(o.condition) == "all_success" for o in outs):
            return
        self._propagate(parent, FAILED_FINISHING)
        if self.failure_action == "cancelImmediately":
            self.kill()
        self.state.failed = True

    def _propagate(self, flow: FlowRun | None, status: str) -> None:
        while flow is not None:
            if flow.status in FINISHED or flow.status == KILLING:
                return
            if flow.status not in (status, PAUSED):
                self.flow_log.info(f"Setting {flow.nested_id} to {status}")
                self.set_status(flow, status)
            flow = flow.parent

    # Scheduling -------------------------------------------------------------------------------

    def _schedule(self, flow: FlowRun) -> None:
        """One pass over a flow's nodes in dependency order (FlowRunner.progressGraph)."""
        if flow is self.root:
            self.state.blocked = False
        for node in flow.children.values():
            if node.status in (READY, DISABLED):
                self._advance(node)
            elif isinstance(node, FlowRun) and node.status not in FINISHED:
                self._schedule(node)
        done = all(child.status in FINISHED for child in flow.children.values())
        if done and flow.status not in FINISHED:
            self._finalize(flow)

    def _advance(self, node: NodeRun) -> None:
        implied = self._implied_status(node)
        if implied is None:
            return
        if implied == CANCELLED:
            self.flow_log.info(f"Cancelling '{node.nested_id}' due to prior errors.")
            self._close_node(node, CANCELLED)
        elif implied == SKIPPED:
            self.flow_log.info(f"Skipping disabled job '{node.id}'.")
            self._close_node(node, SKIPPED)
        elif isinstance(node, FlowRun):
            self.flow_log.info(f"Running flow '{node.nested_id}'.")
            self.set_status(node, RUNNING, start=True)
            self._schedule(node)
        elif self._pipeline_blocked(node):
            self.state.blocked = True
        else:
            self.jobs.submit(node)

    def _implied_status(self, node: NodeRun) -> str | None:
        """What FlowRunner.getImpliedStatus decides for a waiting node (None: keep waiting)."""
        parent = node.parent
        assert parent is not None
        statuses = [parent.children[p].status for p in node.in_nodes]
        macro = status_macro(node.condition)
        verdict = check_status_macro(macro, statuses)
        if verdict == PENDING:
            return None
        status = READY if verdict == MET else CANCELLED
        if status == READY and node.condition:
            status = READY if check_variables(node.condition, self._lookup(parent)) else CANCELLED
        if status == CANCELLED and node.condition:
            self.flow_log.info(f"Condition '{node.condition}' is not met for {node.nested_id}")
        if node.status in (DISABLED, SKIPPED):
            return SKIPPED
        if self.state.failed and self.failure_action == "finishCurrent":
            return CANCELLED
        if self.state.killed:
            return CANCELLED
        return status

    @staticmethod
    def _lookup(flow: FlowRun):
        def lookup(job: str, param: str) -> str | None:
            node = flow.children.get(job)
            if node is None or not node.output_props:
                return None
            return node.output_props.get(param)

        return lookup

    def _close_node(self, node: NodeRun, status: str) -> None:
        self.set_status(node, status, start=True, end=True)
        if isinstance(node, FlowRun):
            self._close_subtree(node, status)

    def _close_subtree(self, flow: FlowRun, status: str) -> None:
        """Children of a cancelled or skipped embedded flow never run: say so."""
        for child in flow.children.values():
            if child.status in (READY, DISABLED):
                self.set_status(child, status, start=True, end=True)
            if isinstance(child, FlowRun):
                self._close_subtree(child, status)

    def _pipeline_blocked(self, node: NodeRun) -> bool:
        """concurrentOption=pipeline: wait for the same job (level 2: its children) before."""
        previous = self._pipeline_of
        if previous is None or previous.is_finished():
            return False
        other = previous.root.find(node.nested_id)
        if other is None or other.parent is None:
            return False
        watched = [other]
        if (self.options.pipeline_level or 1) >= 2:
            watched += [other.parent.children[o] for o in other.out_nodes]
        return any(n.status not in FINISHED for n in watched)

    def _finalize(self, flow: FlowRun) -> None:
        """FlowRunner.finalizeFlow: the flow's final status from its end nodes."""
        broken = {KILLED, KILLING, FAILED, CANCELLED}
        succeeded = all(end.status not in broken for end in flow.end_nodes())
        status = flow.status
        if not succeeded and status == RUNNING:
            status = KILLED
        final = {FAILED_FINISHING: FAILED, KILLING: KILLED}.get(status, status)
        if final not in (FAILED, KILLED, CANCELLED):
            final = SUCCEEDED
        start = flow.start_time if flow.start_time > 0 else self.now_ms()
        self.set_status(flow, final, end=True)
        seconds = max(0, (flow.end_time - start) // 1000)
        self.flow_log.info(f"Flow '{flow.nested_id}' is set to {final} in {seconds} seconds")
        if flow is self.root:
            self.state.finished = True
            self.cond.notify_all()

    # Kill (cancel, cancelImmediately, shutdown) ----------------------------------------------

    def kill(self) -> None:
        """FlowRunner.kill: KILLING, running jobs killed, everything pending cancelled."""
        if self.state.killed or self.state.finished:
            return
        self.flow_log.info(f"Kill has been called on execution {self.execid}")
        self.state.paused = False
        self.state.killed = True
        if self.root.status != PREPARING:
            self.set_status(self.root, KILLING)
        running = [
            n
            for n in self.root.walk()
            if not isinstance(n, FlowRun) and n.status in (QUEUED, RUNNING)
        ]
        self.flow_log.info(f"Killing {len(running)} jobs.")
        for node in running:
            node.kill_requested = True
            self.set_status(node, KILLING)
        self.cond.notify_all()

    # What the web side may do: controls (controls.Controls), views (views), logs ---------------

    def cancel(self) -> None:
        self.controls.cancel()

    def pause(self) -> None:
        self.controls.pause()

    def resume(self) -> None:
        self.controls.resume()

    def retry_failed(self) -> None:
        self.controls.retry_failed()

    def to_json(self) -> dict:
        """fetchexecflow (§6.3)."""
        with self.cond:
            return views.execution_json(
                self.root, execid=self.execid, project=self.project_name,
                project_id=self.project_id, submit_user=self.submit_user,
                submit_time=self.submit_time)

    def update_json(self, last_update_time: int) -> dict:
        """fetchexecflowupdate (§6.4)."""
        with self.cond:
            return views.update_json(self.root, last_update_time)

    def summary_json(self) -> dict:
        """One item of fetchFlowExecutions (§5.6)."""
        with self.cond:
            return views.summary_json(
                self.root, execid=self.execid, flow_id=self.flow_id, project_id=self.project_id,
                submit_user=self.submit_user, submit_time=self.submit_time)

    def flow_info_json(self) -> dict:
        """flowInfo with an execid (§6.7)."""
        pipeline = self._pipeline_of.execid if self._pipeline_of is not None else None
        with self.cond:
            return views.flow_info_json(self.root, self.options,
                                        failure_action=self.failure_action,
                                        pipeline_execid=pipeline)

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
            finished = self.state.finished
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
