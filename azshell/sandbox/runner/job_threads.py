"""The job side of an execution: starting job threads and answering them.

A mixin of ``Execution``: it submits a job to its own thread (jobs.JobRunner), and the
job thread calls back to wait out its retry back-off and become RUNNING (``begin_job``), to get
its properties and working directory, and to report its end (``job_finished``). Every call takes
the execution's lock, so the scheduler sees each change whole.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from azshell.sandbox.runner.joblog import LogBuffer
from azshell.sandbox.runner.jobs import JobRunner
from azshell.sandbox.runner.nodes import FlowRun, NodeRun
from azshell.sandbox.runner.props import (
    PropsError,
    job_builtins,
    layered,
    resolve_props,
    runtime_layers,
)
from azshell.sandbox.runner.types import QUEUED, RUNNING


class ExecutionJobs:
    """Job threads of an execution (mixin; the state lives in Execution)."""

    # provided by Execution
    cond: Any
    engine: Any
    execid: int
    exec_dir: Path
    project: Any
    options: Any
    flow_log: LogBuffer
    _builtins: dict[str, str]
    _threads: list[threading.Thread]
    _finished_nodes: list[NodeRun]

    def _submit_job(self, node: NodeRun) -> None:
        node.kill_requested = False
        self._set(node, QUEUED)
        self.flow_log.info(f"Submitting job '{node.nested_id}' to run.")
        runner = JobRunner(self, node, LogBuffer(node.id, self.engine.clock))
        thread = threading.Thread(
            target=runner.run, name=f"azshell-job-{self.execid}-{node.nested_id}", daemon=True
        )
        node.thread = thread
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def begin_job(self, node: NodeRun, log: LogBuffer) -> tuple[dict[str, str], str | None] | None:
        """Called by a job thread: wait out a retry back-off, then mark the job RUNNING.

        Returns the job's resolved properties and a property problem (or None), or None
        when the job was killed before it could start.
        """
        with self.cond:
            if node.delay_ms > 0:
                deadline = time.monotonic() + node.delay_ms / 1000
                node.delay_ms = 0
                while not node.kill_requested and (left := deadline - time.monotonic()) > 0:
                    self.cond.wait(left)
            if node.kill_requested:
                return None
            node.logs[node.attempt] = log
            self._set(node, RUNNING, start=True)
            try:
                return self.job_props(node), None
            except PropsError as exc:
                return {}, str(exc)

    def job_finished(self, node: NodeRun, status: str) -> None:
        """Called by a job thread when its attempt is over."""
        with self.cond:
            self._set(node, status, start=node.start_time < 0, end=True)
            seconds = max(0, (node.end_time - node.start_time) // 1000)
            self.flow_log.info(
                f"Job {node.nested_id} finished with status {status} in {seconds} seconds"
            )
            self._finished_nodes.append(node)
            self.cond.notify_all()

    def job_props(self, node: NodeRun) -> dict[str, str]:
        """The job's properties, all layers merged and ``${...}`` resolved (PropsError)."""
        parent = node.parent
        assert parent is not None
        flow_layers = []
        flow: FlowRun | None = parent
        while flow is not None:
            flow_layers.insert(0, flow.flow_props)
            flow = flow.parent
        outputs = [parent.children[p].output_props for p in node.in_nodes]
        options = self.options
        runtime = options.runtime_properties or {}
        merged = layered(
            self._builtins,
            *flow_layers,
            *outputs,
            node.props,
            options.flow_parameters,
            runtime.get("ROOT"),
            *runtime_layers(runtime, node.nested_id),
            job_builtins(
                job_id=node.id,
                nested_id=node.nested_id,
                attempt=node.attempt,
                in_nodes=node.in_nodes,
                out_nodes=node.out_nodes,
            ),
        )
        return resolve_props(merged)

    def job_directory(self, node: NodeRun, props: dict[str, str]) -> Path:
        """Where a command runs: ``working.dir`` (relative to the execution directory), else
        the directory of the job's source file, as Azkaban does."""
        working = props.get("working.dir", "").strip()
        if working:
            path = Path(working)
            return path if path.is_absolute() else self.exec_dir / path
        source = getattr(node.model, "source", None)
        if source:
            path = Path(str(source))
            if path.is_absolute():
                with contextlib.suppress(ValueError):
                    path = path.relative_to(Path(self.project.directory))
            folder = self.exec_dir / path.parent
            if not path.is_absolute() and folder.is_dir():
                return folder
        return self.exec_dir
