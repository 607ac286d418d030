"""Following an execution to its end: when to poll, when to stop, whom to tell.

The client's ``Execution`` (azshell.client.execution_model) is the run as the server describes
it, kept current by ``client.update_execution``; this module only paces the polls, fast at first
and slower while nothing moves. No terminal code here: a listener is told about each change (the
live view, the NameBook), and the caller decides what to print.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from azshell.client.execution_model import Change, Execution

if TYPE_CHECKING:
    from azshell.client import AzkabanClient

FIRST_INTERVAL = 0.25
MAX_INTERVAL = 2.0
GROWTH = 1.5


class Listener(Protocol):
    """What the follower tells as it goes (the live view, the NameBook)."""

    def started(self, model: Execution) -> None: ...

    def changed(self, model: Execution, changes: list[Change], old_status: str) -> None: ...


class StillRunning(Exception):  # a condition for the caller, not a failure of azshell
    """The wait's time limit passed before the flow ended; ``model`` is the state then."""

    def __init__(self, model: Execution, timeout: float) -> None:
        super().__init__(f"execution {model.execid} still {model.status} after {timeout:g} s")
        self.model = model
        self.timeout = timeout


class Follower:
    """Polls one execution until its flow ends: fast at first, slower while nothing moves.

    ``model`` is set after the first answer, so a caller interrupted by Ctrl-C can still say
    what it last saw. ``sleep`` and ``clock`` are injectable for tests of the pacing.
    """

    def __init__(
        self,
        client: AzkabanClient,
        execid: int,
        *,
        timeout: float | None = None,
        listener: Listener | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        first_interval: float = FIRST_INTERVAL,
        max_interval: float = MAX_INTERVAL,
    ) -> None:
        self.client = client
        self.execid = execid
        self.timeout = timeout
        self.listener = listener
        self.sleep = sleep
        self.clock = clock
        self.first_interval = first_interval
        self.max_interval = max_interval
        self.model: Execution | None = None
        self.polls = 0

    def run(self) -> Execution:
        """Follow to the end; StillRunning when ``timeout`` seconds pass first."""
        deadline = None if self.timeout is None else self.clock() + self.timeout
        model = self.model = self.client.execution_model(self.execid)
        if self.listener is not None:
            self.listener.started(model)
        interval = self.first_interval
        while not model.finished:
            pause = interval
            if deadline is not None:
                left = deadline - self.clock()
                if left <= 0:
                    raise StillRunning(model, self.timeout or 0)
                pause = min(pause, left)
            self.sleep(pause)
            old_status = model.status
            changes = self.client.update_execution(model)
            self.polls += 1
            if self.listener is not None:
                self.listener.changed(model, changes, old_status)
            moved = bool(changes) or model.status != old_status
            interval = self.first_interval if moved else min(interval * GROWTH,
                                                             self.max_interval)
        # the next command (log, rerun) must not meet a server that still counts it running
        self.client.settle(self.execid, model.project, model.flow)
        return model
