"""Waiting for an execution on a real server, shared by the client and shell tests.

Import as ``from waiting import FINAL, wait_for`` (tests/ is on sys.path).
"""

from __future__ import annotations

import time
from typing import Any

from azshell.client.execution_model import FINAL_FLOW

# Flow statuses after which nothing changes any more (§9): the shell's own set, so a test waits
# for exactly what `wait` and `execute --wait` wait for.
FINAL = FINAL_FLOW


def wait_for(client: Any, execid: int, statuses: set[str] | frozenset[str],
             timeout: float = 25.0) -> dict[str, Any]:
    """Poll ``client.execution(execid)`` until its status is one of ``statuses``; the last
    answer. Fails the test, naming the status it is stuck in, after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        flow = client.execution(execid)
        if flow["status"] in statuses:
            return flow
        assert time.monotonic() < deadline, f"execution {execid} still {flow['status']}"
        time.sleep(0.03)
