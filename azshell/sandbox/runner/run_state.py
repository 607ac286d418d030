"""The state one execution's parts share: the scheduler, the controls and the job threads.

Declared here, in one object, instead of private attributes three classes reached into: every
field is read and written under the execution's lock (``Execution.cond``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azshell.sandbox.runner.nodes import NodeRun


@dataclass
class RunState:
    """Flags and queues of one execution (FlowRunner's fields of the same names)."""

    paused: bool = False
    killed: bool = False
    failed: bool = False  # a job failed: finishCurrent cancels what has not started
    finished: bool = False  # the flow is final; the runner thread ends
    dispatched: bool = False  # handed from the web side's queue to the executor
    retry_requested: bool = False  # retryFailedJobs asked; the runner thread does it
    blocked: bool = False  # a pipelined job waits for the previous execution
    finished_nodes: list[NodeRun] = field(default_factory=list)  # ended, not yet handled
    threads: list[threading.Thread] = field(default_factory=list)  # job threads
    last_stamp: int = 0  # the last time stamp given (each is strictly later)
