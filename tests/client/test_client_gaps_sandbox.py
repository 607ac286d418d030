"""AzkabanClient against the sandbox where nothing else looks: a retry of failed jobs that ends
the flow SUCCEEDED (§6.2), and the Flow 2.0 example run end to end."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azshell.client import AzkabanClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FINAL = {"SUCCEEDED", "FAILED", "KILLED", "EXECUTION_STOPPED", "CANCELLED"}


def flaky_jobs(marker: Path) -> dict[str, str]:
    """Flow ``end``: ``flaky`` fails on its first run only (it leaves ``marker`` behind),
    ``slow`` keeps the flow running meanwhile, ``end`` waits for both."""
    return {
        "flaky.job": "type=command\n"
                     f"command=if [ -e {marker} ]; then echo second run; "
                     f"else touch {marker}; echo first run fails >&2; exit 1; fi\n",
        "slow.job": "type=command\ncommand=sleep 1.5\n",
        "end.job": "type=noop\ndependencies=flaky,slow\n",
    }


def wait_for(client: AzkabanClient, execid: int, statuses: set[str],
             timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        flow = client.execution(execid)
        if flow["status"] in statuses:
            return flow
        assert time.monotonic() < deadline, f"execution {execid} still {flow['status']}"
        time.sleep(0.03)


def nodes(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in flow["nodes"]}


@pytest.fixture
def flaky(client: AzkabanClient, project_name: str, make_zip: Callable[..., Path],
          tmp_path: Path) -> str:
    client.create_project(project_name, "retry test")
    client.upload_project(project_name, make_zip(tmp_path, flaky_jobs(tmp_path / "marker")))
    return project_name


def test_retry_failed_runs_the_failed_job_again_and_the_flow_succeeds(
        client: AzkabanClient, flaky: str) -> None:
    execid = client.execute(flaky, "end")  # failure action: finish what runs (the default)
    finishing = wait_for(client, execid, {"FAILED_FINISHING"} | FINAL)
    assert finishing["status"] == "FAILED_FINISHING"
    assert nodes(finishing)["flaky"]["status"] == "FAILED"
    assert nodes(finishing)["slow"]["status"] == "RUNNING"

    client.retry_failed(execid)
    final = wait_for(client, execid, FINAL)
    assert final["status"] == "SUCCEEDED"
    jobs = nodes(final)
    assert {name: node["status"] for name, node in jobs.items()} == {
        "flaky": "SUCCEEDED", "slow": "SUCCEEDED", "end": "SUCCEEDED"}
    assert jobs["flaky"]["attempt"] == 1  # it ran again
    assert [past["status"] for past in jobs["flaky"]["pastAttempts"]] == ["FAILED"]
    assert "second run" in client.read_job_log(execid, "flaky")
    assert "first run fails" in client.read_job_log(execid, "flaky", attempt=0)
    assert "Retrying failures invoked by user" in client.read_flow_log(execid)


def test_the_flow2_example_end_to_end(client: AzkabanClient, project_name: str,
                                      zip_directory: Callable[[Path, Path], Path],
                                      tmp_path: Path) -> None:
    client.create_project(project_name, "flow 2.0 example")
    archive = zip_directory(EXAMPLES / "flow2-pipeline", tmp_path / "pipeline.zip")
    client.upload_project(project_name, archive)
    assert client.flows(project_name) == ["pipeline"]

    execid = client.execute(project_name, "pipeline")
    final = wait_for(client, execid, FINAL)
    assert final["status"] == "SUCCEEDED"
    jobs = nodes(final)
    assert jobs["process"]["type"] == "flow"
    assert {n["nestedId"]: n["status"] for n in jobs["process"]["nodes"]} == {
        "process:step_a": "SUCCEEDED", "process:step_b": "SUCCEEDED"}
    assert jobs["publish"]["status"] == "SUCCEEDED"
    # The flow-level config (greeting) and the embedded flow's (batch) reach the commands.
    assert "hello from prepare" in client.read_job_log(execid, "prepare")
    assert "step a of batch 7" in client.read_job_log(execid, "process:step_a")
    assert client.execution_options(execid)["failureEmails"] == ["nobody@example.com"]
