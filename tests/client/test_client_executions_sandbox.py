"""AzkabanClient execution calls (/executor) against the sandbox: run, control, follow, logs,
a retry of failed jobs that ends the flow SUCCEEDED (§6.2), and the Flow 2.0 example end to end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from waiting import FINAL, wait_for

from azshell.client import AzkabanClient, ExecuteOptions
from azshell.errors import ApiError, LogNotReady, NotFound, UsageError
from azshell.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
JOBS = {
    "a.job": "type=command\ncommand=echo alpha\n",
    "b.job": "type=command\ncommand=echo 'b says <${who}> & \"bye\"'\ndependencies=a\nwho=me\n",
    "slow.job": "type=command\ncommand=sleep 20\n",
    "after.job": "type=command\ncommand=echo after\ndependencies=slow\n",
    "noisy.job": "type=command\ncommand=seq 1 3000\n",
}


@pytest.fixture
def project(client: AzkabanClient, project_name: str, make_zip: Callable[..., Path],
            tmp_path: Path) -> str:
    """Flows ``b`` (a -> b), ``after`` (slow -> after) and ``noisy``."""
    client.create_project(project_name, "client execution tests")
    client.upload_project(project_name, make_zip(tmp_path, JOBS))
    return project_name


def test_execute_and_follow(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "b")
    flow = wait_for(client, execid, FINAL)
    assert flow["status"] == "SUCCEEDED"
    assert flow["execid"] == execid
    assert {n["id"]: n["status"] for n in flow["nodes"]} == {"a": "SUCCEEDED", "b": "SUCCEEDED"}

    everything = client.execution_update(execid, -1)
    assert {n["id"] for n in everything["nodes"]} == {"a", "b"}
    nothing = client.execution_update(execid, everything["updateTime"])
    assert nothing["status"] == "SUCCEEDED"
    assert not nothing.get("nodes")

    page = client.flow_executions(project, "b", 0, 10)
    assert page["total"] == 1
    assert page["executions"][0]["execId"] == execid
    assert client.last_successful_execution(project, "b") == execid
    assert client.running(project, "b") == []


def test_the_execution_model_follows_the_updates(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "b")
    model = client.execution_model(execid)
    assert model.execid == execid
    assert (model.project, model.flow) == (project, "b")
    while not model.finished:
        client.update_execution(model)
    assert model.status == "SUCCEEDED"
    assert model.counts() == (2, 2)
    assert model.document["nodes"] == client.execution(execid)["nodes"]  # the raw JSON kept


def test_a_job_log_before_the_job_started_is_log_not_ready(client: AzkabanClient,
                                                           project: str) -> None:
    execid = client.execute(project, "after")
    try:
        with pytest.raises(LogNotReady) as no_log:
            client.job_log(execid, "after")  # waits behind `slow` (20 s)
        assert no_log.value.status == 500
        with pytest.raises(LogNotReady):
            client.read_job_log(execid, "after")
    finally:
        client.cancel(execid)


def test_logs_are_unescaped_and_paged(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "b", ExecuteOptions(params={"who": "you"}))
    wait_for(client, execid, FINAL)
    job_log = client.read_job_log(execid, "b")
    assert "b says <you> & \"bye\"" in job_log  # flowOverride applied, HTML entities undone
    assert "&lt;" not in job_log
    assert job_log == client.read_job_log(execid, "b", attempt=0)

    pages: list[str] = []
    offset = 0
    while True:
        chunk = client.job_log(execid, "b", offset, 100)
        if chunk.length == 0:
            break
        assert chunk.length <= 100
        assert chunk.offset == offset
        pages.append(chunk.data)
        offset = chunk.next_offset
    assert len(pages) > 2
    assert "".join(pages) == job_log

    flow_log = client.read_flow_log(execid)
    assert "b" in flow_log
    assert "".join(client.iter_flow_log(execid, 10)) == flow_log.encode()[10:].decode()


def test_a_log_longer_than_one_page(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "noisy")
    wait_for(client, execid, FINAL)
    first = client.job_log(execid, "noisy")
    assert first.length == 50000  # more than one page (azkaban#599)
    text = client.read_job_log(execid, "noisy")
    assert len(text.encode()) > 50000
    assert "3000" in text
    assert list(client.iter_job_log(execid, "noisy", offset=len(text.encode()))) == []


def test_disabled_jobs_and_options(client: AzkabanClient, project: str) -> None:
    options = ExecuteOptions(disabled=["a"], on_failure="cancel",
                             notify_failure=["ops@example.org"], notify_failure_last=True)
    execid = client.execute(project, "b", options)
    flow = wait_for(client, execid, FINAL)
    assert {n["id"]: n["status"] for n in flow["nodes"]}["a"] == "SKIPPED"
    used = client.execution_options(execid)
    assert used["failureAction"] == "cancelImmediately"
    assert used["failureEmails"] == ["ops@example.org"]
    assert used["failureEmailsOverride"] is True
    assert used["notifyFailureLast"] is True


def test_cancel_and_concurrency(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "after")
    wait_for(client, execid, {"RUNNING"})
    assert client.running(project, "after") == [execid]
    with pytest.raises(ApiError, match=r"is already running. Skipping execution."):
        client.execute(project, "after")
    second = client.execute(project, "after", ExecuteOptions(concurrent="ignore"))
    assert sorted(client.running(project, "after")) == sorted([execid, second])
    client.cancel(second)
    client.cancel(execid)
    assert wait_for(client, execid, FINAL)["status"] == "KILLED"
    wait_for(client, second, FINAL)
    assert client.running(project, "after") == []
    with pytest.raises(ApiError, match=rf"^Execution {execid} of flow after isn't running.$"):
        client.cancel(execid)


def test_pause_and_resume(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "after")
    wait_for(client, execid, {"RUNNING"})
    client.pause(execid)
    wait_for(client, execid, {"PAUSED"})
    client.resume(execid)
    wait_for(client, execid, {"RUNNING"})
    client.cancel(execid)
    wait_for(client, execid, FINAL)
    with pytest.raises(ApiError, match=r"isn't running"):
        client.pause(execid)
    with pytest.raises(ApiError, match=r"isn't running"):  # under the key "resume" (§6.2)
        client.resume(execid)


def test_retry_of_a_finished_flow(client: AzkabanClient, project: str) -> None:
    execid = client.execute(project, "b")
    wait_for(client, execid, FINAL)
    with pytest.raises(ApiError, match=r"^Flow has already finished. Please re-execute.$"):
        client.retry_failed(execid)


def test_flow_info(client: AzkabanClient, project: str) -> None:
    info = client.flow_info(project, "b")
    assert "successEmails" in info
    assert "failureEmails" in info
    with pytest.raises(NotFound, match=r"^Project 'no_such_project' not found.$"):
        client.flow_info("no_such_project", "b")  # the server says 'null' (§3)
    with pytest.raises(NotFound, match=r"^Project 'no_such_project' not found.$"):
        client.running("no_such_project", "b")


def test_execution_errors(client: AzkabanClient, project: str) -> None:
    with pytest.raises(NotFound, match=r"^there is no execution 987654 on this server$"):
        client.execution(987654)
    with pytest.raises(NotFound):
        client.flow_log(987654)
    with pytest.raises(UsageError, match=r"bad execution id 'x1'"):
        client.cancel("x1")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        client.execution(-3)
    with pytest.raises(NotFound) as err:
        client.execute(project, "nope")
    assert "azkaban.project" not in str(err.value)
    assert project in str(err.value)
    with pytest.raises(NotFound, match=r"doesn't exist"):
        client.execute("no_such_project", "b")
    execid = client.execute(project, "b")
    wait_for(client, execid, FINAL)
    with pytest.raises(NotFound, match=rf"^Job zz doesn't exist in {execid}$"):
        client.job_log(execid, "zz")


def test_reader_cannot_execute(sandbox: Sandbox, project: str) -> None:
    reader = AzkabanClient(sandbox.url)
    reader.login("reader", "reader")
    assert "b" in reader.flows(project)  # reading is allowed
    with pytest.raises(NotFound, match=r"doesn't exist"):  # Azkaban hides the project (§6.1)
        reader.execute(project, "b")


# -- a retry that ends the flow SUCCEEDED; the Flow 2.0 example ---------------------------------

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
