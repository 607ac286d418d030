"""The job side of an execution: starting job threads and answering them.

``JobThreads`` is a part of ``Execution``, composed (not mixed in), that sees the execution
through ``JobsRun``: it submits a job to its own thread (jobs.JobRunner), and is that thread's
``JobHost``: the job calls back to wait out its retry back-off and become RUNNING
(``begin_job``), to get its properties and working directory, and to report its end
(``job_finished``). Every call takes the execution's lock, so the scheduler sees each change
whole.

A job's own layer of properties is its file's, or its override in their place, read when the
job is about to run (``FlowRunner.loadJobProps``); a Flow 1.0 job keeps its shared
``.properties`` beneath either.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from azshell.sandbox.jobprops import is_flow2, override_key, own_props, shared_props
from azshell.sandbox.runner.joblog import LogBuffer
from azshell.sandbox.runner.jobs import JobRunner
from azshell.sandbox.runner.nodes import FlowRun, NodeRun, int_prop
from azshell.sandbox.runner.props import (
    PropsError,
    job_builtins,
    layered,
    resolve_props,
    runtime_layers,
)
from azshell.sandbox.runner.run_state import RunState
from azshell.sandbox.runner.types import QUEUED, RUNNING, ExecutionOptions, ProjectVersion


class JobsRun(Protocol):
    """What the job threads need of their execution."""

    cond: threading.Condition
    execid: int
    exec_dir: Path
    project: ProjectVersion
    options: ExecutionOptions
    flow_log: LogBuffer
    builtins: dict[str, str]
    state: RunState
    clock: Callable[[], float]

    @property
    def job_timeout(self) -> float: ...

    def set_status(self, node: NodeRun, status: str, *, start: bool = False,
                   end: bool = False) -> None: ...

    def now_ms(self) -> int: ...


class JobThreads:
    """The job threads of one execution, and the host each of them calls back."""

    def __init__(self, run: JobsRun) -> None:
        self.run = run

    @property
    def cond(self) -> threading.Condition:
        return self.run.cond

    def now_ms(self) -> int:
        return self.run.now_ms()

    @property
    def exec_dir(self) -> Path:
        return self.run.exec_dir

    @property
    def job_timeout(self) -> float:
        return self.run.job_timeout

    def submit(self, node: NodeRun) -> None:
        """Start ``node``'s attempt on a thread of its own (QUEUED until it begins)."""
        run = self.run
        node.kill_requested = False
        run.set_status(node, QUEUED)
        run.flow_log.info(f"Submitting job '{node.nested_id}' to run.")
        runner = JobRunner(self, node, LogBuffer(node.id, run.clock))
        thread = threading.Thread(
            target=runner.run, name=f"azshell-job-{run.execid}-{node.nested_id}", daemon=True
        )
        node.thread = thread
        run.state.threads = [t for t in run.state.threads if t.is_alive()]
        run.state.threads.append(thread)
        thread.start()

    def begin_job(self, node: NodeRun, log: LogBuffer) -> tuple[dict[str, str], str | None] | None:
        """Called by a job thread: wait out a retry back-off, then mark the job RUNNING.

        Returns the job's resolved properties and a property problem (or None), or None
        when the job was killed before it could start.
        """
        with self.run.cond:
            if node.delay_ms > 0:
                deadline = time.monotonic() + node.delay_ms / 1000
                node.delay_ms = 0
                while not node.kill_requested and (left := deadline - time.monotonic()) > 0:
                    self.run.cond.wait(left)
            if node.kill_requested:
                return None
            node.logs[node.attempt] = log
            self.run.set_status(node, RUNNING, start=True)
            try:
                props = self.job_props(node)
            except PropsError as exc:
                return {}, str(exc)
            # ExecutableNode.getRetries reads the job's input props, override included
            node.retries = int_prop(props, "retries")
            node.retry_backoff_ms = int_prop(props, "retry.backoff")
            return props, None

    def job_finished(self, node: NodeRun, status: str) -> None:
        """Called by a job thread when its attempt is over."""
        with self.run.cond:
            self.run.set_status(node, status, start=node.start_time < 0, end=True)
            seconds = max(0, (node.end_time - node.start_time) // 1000)
            self.run.flow_log.info(
                f"Job {node.nested_id} finished with status {status} in {seconds} seconds"
            )
            self.run.state.finished_nodes.append(node)
            self.run.cond.notify_all()

    def job_props(self, node: NodeRun) -> dict[str, str]:
        """The job's properties, all layers merged and ``${...}`` resolved (PropsError)."""
        parent = node.parent
        assert parent is not None
        flow_layers: list[dict[str, str]] = []
        flow: FlowRun | None = parent
        while flow is not None:
            flow_layers.insert(0, self._flow_layer(flow))
            flow = flow.parent
        outputs = [parent.children[p].output_props for p in node.in_nodes]
        options = self.run.options
        runtime = options.runtime_properties or {}
        merged = layered(
            self.run.builtins,
            *flow_layers,
            *outputs,
            self._job_layer(node),
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

    def _override(self, node: NodeRun) -> dict[str, str] | None:
        """The node's override in the version it runs, or None."""
        parent = node.parent
        assert parent is not None
        key = override_key(self.run.project.loaded, parent.flow_id, node.id)
        found = (getattr(self.run.project, "job_overrides", None) or {}).get(key)
        return dict(found) if found is not None else None

    def _job_layer(self, node: NodeRun) -> dict[str, str]:
        """The job file's properties, or the override in place of the file. Flow 2.0: the
        node's own config and type (``getPropsFromYamlFile``; the loader's props have the
        configs of the flows around it merged in, which must not sit above an embedded
        flow's override) or its stored override. Flow 1.0: the loader's props (shared ones
        merged in), or the override over its shared ``.properties``."""
        override = self._override(node)
        parent = node.parent
        assert parent is not None
        if is_flow2(self.run.project.loaded):
            if override is not None:
                return override
            return own_props(self.run.exec_dir, self.run.project.loaded, parent.flow_id, node.model)
        if override is None:
            return node.props
        return layered(shared_props(self.run.exec_dir, node.model), override)

    def _flow_layer(self, flow: FlowRun) -> dict[str, str]:
        """What a flow hands its jobs. The top flow: Flow 2.0 its config, Flow 1.0 nothing
        beyond the built-ins and flow parameters (its ``.properties`` reach a job as that
        job's shared ones). An embedded flow: the props of its node as ``prepareJobProperties``
        loads them for any node, the override in place of the node's own (Flow 2.0 its
        ``config`` plus ``type``, Flow 1.0 its ``type=flow`` job file; no shared ones:
        FlowRunner skips them for flows)."""
        if flow.parent is None:
            return flow.flow_props if is_flow2(self.run.project.loaded) else {}
        override = self._override(flow)
        if override is not None:
            return override
        run = self.run
        return own_props(run.exec_dir, run.project.loaded, flow.parent.flow_id, flow.model)

    def job_directory(self, node: NodeRun, props: dict[str, str]) -> Path:
        """Where a command runs: ``working.dir`` (relative to the execution directory), else
        the directory of the job's source file, as Azkaban does."""
        working = props.get("working.dir", "").strip()
        if working:
            path = Path(working)
            return path if path.is_absolute() else self.run.exec_dir / path
        source = getattr(node.model, "source", None)
        if source:
            path = Path(str(source))
            if path.is_absolute():
                with contextlib.suppress(ValueError):
                    path = path.relative_to(Path(self.run.project.directory))
            folder = self.run.exec_dir / path.parent
            if not path.is_absolute() and folder.is_dir():
                return folder
        return self.run.exec_dir
