"""``log --follow``: a flow's or a job's log as it grows, until the execution is done with it.

The log is read by byte offset, page by page (§6.5). Between reads the execution's state is
polled with the cheap incremental call (§6.4); the follow ends once the flow (or the job) had
finished *before* a read that found no more text, so the last lines are never lost. A job that
has not started yet has no log file: the client raises LogNotReady, which here means "wait".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from azshell.client.execution_model import Execution, job_finished
from azshell.errors import LogNotReady
from azshell.shell.follow.follower import FIRST_INTERVAL, GROWTH, MAX_INTERVAL

if TYPE_CHECKING:
    from azshell.client import AzkabanClient, LogChunk


class LogFollower:
    """Writes new log text through ``write`` until the flow or the job is finished."""

    def __init__(
        self,
        client: AzkabanClient,
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
        self.model: Execution | None = None
        self._told_waiting = False

    def run(self) -> int:
        """Follow to the end; returns the number of bytes read."""
        model = self.model = self.client.execution_model(self.execid)
        interval = self.first_interval
        while True:
            done = self.finished(model)
            got = self.drain()
            if done:
                return self.offset
            interval = self.first_interval if got else min(interval * GROWTH, self.max_interval)
            self.sleep(interval)
            self.client.update_execution(model)

    def finished(self, model: Execution) -> bool:
        if model.finished:
            return True
        return self.job is not None and job_finished(model, self.job)

    def drain(self) -> bool:
        """Read every page there is now; True if any text came."""
        got = False
        while True:
            try:
                chunk = self._page()
            except LogNotReady:
                if self.job is None:
                    raise
                self._tell_waiting()  # no log file yet: the job has not started
                return got
            if chunk.length <= 0:
                return got
            if chunk.data:
                self.write(chunk.data)
            got = True
            self.offset = chunk.next_offset

    def _page(self) -> LogChunk:
        if self.job is None:
            return self.client.flow_log(self.execid, self.offset)
        return self.client.job_log(self.execid, self.job, self.offset)

    def _tell_waiting(self) -> None:
        if self.waiting is not None and not self._told_waiting and self.job is not None:
            self._told_waiting = True
            self.waiting(self.job)
