"""A flow that ends EXECUTION_STOPPED (an executor that died, §9) fails ``wait`` and ``execute
--wait``. The sandbox never stops a flow that way, so a scripted server answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Az, documents, make_shell
from fakes import EXECUTED, FLOWS, FakeServer, Reply, Seen, logged_in

STOPPED: dict[str, Any] = {
    "execid": 7, "project": "p", "projectId": 1, "submitUser": "azkaban", "submitTime": 900,
    "id": "f", "flow": "f", "flowId": "f", "nestedId": "f", "type": None,
    "status": "EXECUTION_STOPPED", "startTime": 1000, "endTime": 2000, "updateTime": 2000,
    "attempt": 0,
    "nodes": [
        {"id": "ok", "type": "command", "status": "SUCCEEDED", "startTime": 1001,
         "endTime": 1500, "updateTime": 1500, "nestedId": "ok", "attempt": 0},
        {"id": "j", "type": "command", "status": "EXECUTION_STOPPED", "startTime": 1501,
         "endTime": 2000, "updateTime": 2000, "nestedId": "j", "attempt": 0, "in": ["ok"]},
    ],
}


def answer(seen: Seen) -> Reply:
    ajax = seen.params.get("ajax")
    if ajax == "fetchexecflow":
        return Reply.json(STOPPED)
    if ajax == "fetchexecflowupdate":
        return Reply.json({key: STOPPED[key]
                           for key in ("status", "startTime", "endTime", "updateTime")})
    if ajax == "fetchprojectflows":
        return FLOWS
    return EXECUTED  # executeFlow: exec id 7


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(answer) as fake:
        yield fake


FAILED_LINE = "execution 7 (p/f) ended EXECUTION_STOPPED; failed jobs: j"


def test_wait_in_process_fails_with_one_line(server: FakeServer) -> None:
    sh = make_shell(logged_in(server.url))
    code, out, err = sh("wait 7 --timeout 5")  # bounded: a miss fails, never hangs
    assert code == 1
    assert err == f"error: {FAILED_LINE}\n"
    (final,) = documents(out)
    assert final["status"] == "EXECUTION_STOPPED"


def test_execute_wait_in_a_script_exits_1(server: FakeServer, tmp_path: Path) -> None:
    done = Az(tmp_path, server.url)("-c", "execute p f --wait --timeout 5", "-c", "flows p")
    assert done.returncode == 1
    assert done.stderr == f"-c:1: error: {FAILED_LINE}\n"
    (final,) = documents(done.stdout)  # and the script stopped there
    assert final["execid"] == 7
    assert final["status"] == "EXECUTION_STOPPED"
    assert not server.requests_to("/manager")  # `flows p` never ran
