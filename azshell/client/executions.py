"""Execution calls: ``/executor`` (protocol §6): run, control, follow, read logs."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from azshell.client import answers
from azshell.client.base import ClientBase
from azshell.client.execution_model import Change, Execution
from azshell.client.options import ExecuteOptions, RerunOptions, options_of_execution
from azshell.errors import (
    ApiError,
    BadResponse,
    FlowAlreadyRunning,
    FlowNotStarted,
    LogNotReady,
    ServerError,
    UsageError,
)

LOG_PAGE = 50000  # what the web UI asks for (§6.5)
# A real web server learns that an execution ended from its executor a moment after the
# database says so (about a second on 3.90.0 and 4.0.0): meanwhile it still asks the executor
# for the logs, which answers "Running flow N not found." (HTTP 500), and still refuses a new
# run of the flow as "already running". Reads wait that moment out, up to this long.
SETTLE_SECONDS = 5.0
_SETTLE_PAUSE = 0.2


@dataclass(frozen=True)
class LogChunk:
    """One page of a log: ``data`` already HTML-unescaped; ``offset``/``length`` in bytes.

    The next page starts at ``offset + length``; ``length == 0`` means no more data for now.
    """

    data: str
    offset: int
    length: int

    @property
    def next_offset(self) -> int:
        return self.offset + self.length


def execid_of(value: int | str) -> int:
    """An execution id from user input; UsageError rather than the server's HTML 500."""
    try:
        execid = int(str(value).strip())
    except ValueError:
        raise UsageError(f"bad execution id {value!r}: a number is needed") from None
    if execid < 0:
        raise UsageError(f"bad execution id {value!r}")
    return execid


class ExecutionCalls(ClientBase):
    """Executions: start, cancel, pause, resume, retry, status, logs, running ones."""

    def execute(self, project: str, flow: str, options: ExecuteOptions | None = None) -> int:
        """Start a flow; returns its exec id. ApiError when the server did not start it
        (bad options, no such flow); FlowAlreadyRunning for a running flow with ``skip``;
        FlowNotStarted when it answered exec id -1 (a locked flow or a full queue)."""
        params = [("ajax", "executeFlow"), ("project", project), ("flow", flow)]
        params += (options or ExecuteOptions()).to_params()
        try:
            data = self._post("/executor", params, what=f"execute flow {project}.{flow}",
                              check=f"check the running executions of {project}.{flow}",
                              project=project)
        except ApiError as err:
            if "is already running" in err.message:  # the default --concurrent skip (§6.1)
                raise FlowAlreadyRunning(err.message, project, flow, err.status,
                                         err.body) from None
            raise
        execid = answers.as_int(answers.require(data, "execid", "executeFlow"), "executeFlow")
        if execid < 0:  # a locked flow or a full queue: no error key, only a message (§6.1)
            message = answers.clean_message(str(data.get("message") or ""))
            raise FlowNotStarted(message or f"flow {project}.{flow} was not started",
                                 project, flow, body=data)
        return execid

    def cancel(self, execid: int) -> None:
        """Kill a running execution (ApiError "... isn't running." if it is not)."""
        self._control("cancelFlow", "cancel", execid)

    def pause(self, execid: int) -> None:
        self._control("pauseFlow", "pause", execid)

    def resume(self, execid: int) -> None:
        self._control("resumeFlow", "resume", execid)

    def retry_failed(self, execid: int) -> None:
        """Re-run the failed jobs of a flow that is still finishing (FAILED_FINISHING)."""
        self._control("retryFailedJobs", "retry the failed jobs of", execid)

    def _control(self, ajax: str, verb: str, execid: int) -> None:
        number = execid_of(execid)
        data = self._post("/executor", [("ajax", ajax), ("execid", str(number))],
                          what=f"{verb} execution {number}",
                          check=f"check the status of execution {number}")
        if data.get("resume"):  # resumeFlow reports failures under its own key (§6.2)
            raise answers.classify(answers.clean_message(str(data["resume"])), body=data)

    def execution(self, execid: int) -> dict[str, Any]:
        """The whole execution: flow status and times plus every node (fetchexecflow)."""
        number = execid_of(execid)
        return self._get("/executor", "fetchexecflow", f"execution {number}",
                         [("execid", str(number))])

    def execution_update(self, execid: int, last_update_time: int) -> dict[str, Any]:
        """Flow status plus the nodes changed after ``last_update_time`` (ms; -1 = all)."""
        number = execid_of(execid)
        return self._get("/executor", "fetchexecflowupdate", f"execution {number}",
                         [("execid", str(number)), ("lastUpdateTime", str(int(last_update_time)))])

    def execution_model(self, execid: int) -> Execution:
        """The execution as a model (status, finished, jobs), its document kept as is."""
        return Execution(self.execution(execid))

    def update_execution(self, model: Execution) -> list[Change]:
        """Fold what changed since the model's last update (§6.4) into it; the jobs whose
        status changed. The flow's own status change: compare ``model.status`` before."""
        return model.merge(self.execution_update(model.execid, model.since))

    def rerun_options(self, execid: int, disabled: list[str]) -> RerunOptions:
        """The options ``execid`` ran with, for a new run of its flow skipping ``disabled``."""
        return options_of_execution(self.execution_options(execid), disabled)

    def execution_options(self, execid: int) -> dict[str, Any]:
        """The options an execution was started with (flowInfo with an exec id)."""
        number = execid_of(execid)
        return self._get("/executor", "flowInfo", f"options of execution {number}",
                         [("execid", str(number))])

    def settle(self, execid: int, project: str, flow: str) -> bool:
        """Wait (up to SETTLE_SECONDS) until the web server no longer counts a finished
        execution as running; True once it does. Without EXECUTE permission (getRunning needs
        it) nothing is waited for."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            try:
                if execid not in self.running(project, flow):
                    return True
            except ApiError:
                return False
            if time.monotonic() >= deadline:
                return False
            time.sleep(_SETTLE_PAUSE)

    def running(self, project: str, flow: str) -> list[int]:
        """Exec ids of the flow's unfinished executions (none: the key is absent, §6.6)."""
        data = self._get("/executor", "getRunning", f"running executions of {project}.{flow}",
                         [("project", project), ("flow", flow)], project=project)
        return [answers.as_int(item, "getRunning") for item in data.get("execIds") or []]

    def flow_info(self, project: str, flow: str) -> dict[str, Any]:
        """The flow's default emails and next scheduled time (flowInfo without exec id)."""
        return self._get("/executor", "flowInfo", f"flow info of {project}.{flow}",
                         [("project", project), ("flow", flow)], project=project)

    # -- logs --------------------------------------------------------------------------------

    def flow_log(self, execid: int, offset: int = 0, length: int = LOG_PAGE) -> LogChunk:
        """One page of the execution's flow log."""
        number = execid_of(execid)
        data = self._log_page("fetchExecFlowLogs", number, f"log of execution {number}",
                              [("execid", str(number)), ("offset", str(int(offset))),
                               ("length", str(int(length)))])
        return _chunk(data, offset)

    def job_log(self, execid: int, job: str, offset: int = 0, length: int = LOG_PAGE,
                attempt: int | None = None) -> LogChunk:
        """One page of a job's log (``job`` may be a colon path ``sub:jobA``); LogNotReady
        for the HTTP 500 of a job without a log file (not started yet, §6.5)."""
        number = execid_of(execid)
        params = [("execid", str(number)), ("jobId", job), ("offset", str(int(offset))),
                  ("length", str(int(length)))]
        if attempt is not None:
            params.append(("attempt", str(int(attempt))))
        try:
            data = self._log_page("fetchExecJobLogs", number, f"log of job {job} in {number}",
                                  params)
        except ServerError as err:
            if err.status != 500 or isinstance(err, LogNotReady):
                raise
            raise LogNotReady(err.message, status=500) from None
        return _chunk(data, offset)

    def _log_page(self, ajax: str, execid: int, what: str,
                  params: list[tuple[str, str]]) -> dict[str, Any]:
        """A log page; "Running flow N not found." (an execution that has just ended, see
        SETTLE_SECONDS) is asked again until the server has caught up."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            try:
                return self._get("/executor", ajax, what, params)
            except ServerError as err:
                if (f"Running flow {execid} not found" not in err.message
                        or time.monotonic() >= deadline):
                    raise
            time.sleep(_SETTLE_PAUSE)

    def iter_flow_log(self, execid: int, offset: int = 0) -> Iterator[str]:
        """The flow log from ``offset`` on, page by page, until the server has no more."""
        while True:
            chunk = self.flow_log(execid, offset)
            if chunk.length <= 0:
                return
            yield chunk.data
            offset = chunk.next_offset

    def iter_job_log(self, execid: int, job: str, offset: int = 0,
                     attempt: int | None = None) -> Iterator[str]:
        """A job log from ``offset`` on, page by page (azkaban#599: logs span pages)."""
        while True:
            chunk = self.job_log(execid, job, offset, attempt=attempt)
            if chunk.length <= 0:
                return
            yield chunk.data
            offset = chunk.next_offset

    def read_flow_log(self, execid: int) -> str:
        """The whole flow log so far."""
        return "".join(self.iter_flow_log(execid))

    def read_job_log(self, execid: int, job: str, attempt: int | None = None) -> str:
        """A whole job log so far."""
        return "".join(self.iter_job_log(execid, job, attempt=attempt))


def _chunk(data: dict[str, Any], offset: int) -> LogChunk:
    """One page; a page that is not where it was asked for is refused, since the readers
    follow ``next_offset`` and a server answering offset 0 each time would keep them forever."""
    text = data.get("data") or ""
    chunk = LogChunk(data=html.unescape(str(text)),
                     offset=answers.as_int(data.get("offset", offset), "log"),
                     length=answers.as_int(data.get("length", 0), "log"))
    if chunk.length > 0 and chunk.offset != offset:
        raise BadResponse(f"the server answered the log page at offset {offset} with one at "
                          f"offset {chunk.offset}")
    return chunk
