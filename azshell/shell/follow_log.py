"""``log --follow``: a flow's or a job's log as it grows, until the execution is done with it.

The log is read by byte offset, page by page (§6.5). Between reads the execution's state is
polled with the cheap incremental call (§6.4); the follow ends once the flow (or the job) had
finished *before* a read that found no more text, so the last lines are never lost. A job that
has not started yet has no log file: the server answers HTTP 500 (HTML), which here means
"wait".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from azshell.errors import ServerError
from azshell.shell.follow import (
    FINISHED_JOB,
    FIRST_INTERVAL,
    GROWTH,
    MAX_INTERVAL,
    ExecutionModel,
)

NOT_STARTED = frozenset({"READY", "QUEUED", "DISABLED", "PAUSED", ""})


def not_started(model: ExecutionModel, job: str) -> bool:
    """Has this job of the execution not run at all yet (so it has no log file)?"""
    node = model.node(job)
    if node is None:
        return False
    start = node.get("startTime")
    return str(node.get("status") or "") in NOT_STARTED or not (
        isinstance(start, int) and start > 0)


class LogFollower:
    """Writes new log text through ``write`` until the flow or the job is finished."""

    def __init__(
        self,
        client: Any,
        execid: int,
        job: str | None = None,
        *,
        write: Callable[[str], None],
        waiting: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        first_interval: float = FIRST_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> None:
        self.client = client
        self.execid = execid
        self.job = job
        self.write = write
        self.waiting = waiting  # told once when the job has not started yet
        self.sleep = sleep
        self.first_interval = first_interval
        self.max_interval = max_interval
        self.offset = 0
        self.model: ExecutionModel | None = None
        self._told_waiting = False

    def run(self) -> int:
        """Follow to the end; returns the number of bytes read."""
        model = self.model = ExecutionModel(self.client.execution(self.execid))
        interval = self.first_interval
        while True:
            done = self.finished(model)
            got = self.drain()
            if done:
                return self.offset
            interval = self.first_interval if got else min(interval * GROWTH, self.max_interval)
            self.sleep(interval)
            model.merge(self.client.execution_update(self.execid, model.since))

    def finished(self, model: ExecutionModel) -> bool:
        if model.finished:
            return True
        if self.job is None:
            return False
        node = model.node(self.job)
        return node is not None and node.get("status") in FINISHED_JOB

    def drain(self) -> bool:
        """Read every page there is now; True if any text came."""
        got = False
        while True:
            try:
                chunk = self._page()
            except ServerError as err:
                if self.job is None or err.status != 500:
                    raise
                self._tell_waiting()  # no log file yet: the job has not started
                return got
            if chunk.length <= 0:
                return got
            if chunk.data:
                self.write(chunk.data)
            got = True
            self.offset = chunk.next_offset

    def _page(self) -> Any:
        if self.job is None:
            return self.client.flow_log(self.execid, self.offset)
        return self.client.job_log(self.execid, self.job, self.offset)

    def _tell_waiting(self) -> None:
        if self.waiting is not None and not self._told_waiting and self.job is not None:
            self._told_waiting = True
            self.waiting(self.job)
