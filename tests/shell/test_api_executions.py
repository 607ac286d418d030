"""The execution commands in-process against the sandbox: retry of a FAILED_FINISHING flow, the
refusals of pause and resume, every option of execute reaching the server, and rerun keeping the
options of the run it repeats (§6.1, §6.2, §6.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Shell, make_shell
from waiting import FINAL, wait_for

from azshell.client import ExecuteOptions


def job_statuses(flow: dict[str, Any]) -> dict[str, str]:
    return {node["id"]: node["status"] for node in flow["nodes"]}


@pytest.fixture
def sh(client: Any) -> Shell:
    return make_shell(client)


@pytest.fixture
def put(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> Any:
    """``put(files) -> project``: a new project with these files."""

    def run(files: dict[str, str]) -> str:
        client.create_project(project_name, "executions test")
        client.upload_project(project_name, make_zip(tmp_path, files, "put.zip"))
        return project_name

    return run


# -- retry, pause, resume ----------------------------------------------------------------------

def test_retry_command_reruns_the_failed_job_and_the_flow_succeeds(sh: Shell, client: Any,
                                                                   put: Any,
                                                                   tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    project = put({
        "flaky.job": "type=command\n"
                     f"command=if [ -e {marker} ]; then echo second run; "
                     f"else touch {marker}; exit 1; fi\n",
        "slow.job": "type=command\ncommand=sleep 1.5\n",
        "end.job": "type=noop\ndependencies=flaky,slow\n",
    })
    started = sh.json(f"execute {project} end --on-failure finish")
    execid = started["execid"]
    finishing = wait_for(client, execid, {"FAILED_FINISHING"} | FINAL)
    assert finishing["status"] == "FAILED_FINISHING"
    assert job_statuses(finishing)["flaky"] == "FAILED"

    assert sh.json("retry") == {"ok": True, "execid": execid, "action": "retry"}
    final = wait_for(client, execid, FINAL)
    assert final["status"] == "SUCCEEDED"
    assert job_statuses(final) == {"flaky": "SUCCEEDED", "slow": "SUCCEEDED", "end": "SUCCEEDED"}
    assert {n["id"]: n["attempt"] for n in final["nodes"]}["flaky"] == 1

    assert sh.fails(f"retry {execid}") == (
        f"error: retry: execution {execid} has already finished, and retry only works while a "
        f"flow is still finishing: 'rerun {execid}' runs its jobs that did not succeed again, "
        "as a new execution")


def test_pause_and_resume_refusals_are_one_line(sh: Shell, client: Any, put: Any) -> None:
    project = put({"nap.job": "type=command\ncommand=sleep 5\n"})
    execid = sh.json(f"execute {project} nap")["execid"]
    try:
        wait_for(client, execid, {"RUNNING"})
        # Resuming a run that is not paused is no error for Azkaban (§6.2): nothing happens.
        assert sh.json(f"resume {execid}") == {"ok": True, "execid": execid,
                                               "action": "resume"}
        assert client.execution(execid)["status"] == "RUNNING"
    finally:
        client.cancel(execid)
    wait_for(client, execid, FINAL)
    ended = f"error: Execution {execid} of flow nap isn't running."
    assert sh.fails(f"pause {execid}") == ended
    assert sh.fails(f"resume {execid}") == ended  # the server says it under "resume"
    assert sh.fails(f"cancel {execid}") == ended


# -- execute's options ---------------------------------------------------------------------------

TWO_JOBS = {"a.job": "type=command\ncommand=echo a\n",
            "b.job": "type=command\ncommand=echo b ${k}\ndependencies=a\n"}


def test_every_execute_option_reaches_the_server(sh: Shell, client: Any, put: Any) -> None:
    project = put(TWO_JOBS)
    started = sh.json(f"execute {project} b --disable a --param k=v --concurrent ignore "
                      "--on-failure cancel --notify-failure a@example.com "
                      "--notify-success b@example.com")
    execid = started["execid"]
    options = client.execution_options(execid)
    assert options["disabled"] == [{"name": "a", "children": None, "embeddedFlow": False}]
    assert options["flowParam"] == {"k": "v"}
    assert options["concurrentOptions"] == "ignore"
    assert options["failureAction"] == "cancelImmediately"
    assert options["failureEmails"] == ["a@example.com"]
    assert options["failureEmailsOverride"] is True
    assert options["successEmails"] == ["b@example.com"]
    assert options["successEmailsOverride"] is True
    final = wait_for(client, execid, FINAL)
    assert job_statuses(final) == {"a": "SKIPPED", "b": "SUCCEEDED"}
    assert "b v" in client.read_job_log(execid, "b")


# -- rerun keeps the options -----------------------------------------------------------------

CARRIED = ("flowParam", "failureAction", "failureEmails", "failureEmailsOverride",
           "successEmails", "successEmailsOverride", "notifyFailureFirst", "notifyFailureLast",
           "concurrentOptions", "pipelineLevel", "queueLevel")


@pytest.fixture
def failing(client: Any, zip_directory: Any, tmp_path: Path, project_name: str) -> str:
    """examples/flow1-failing: flow ``end`` fails (boom) after ``fine`` succeeds."""
    client.create_project(project_name, "rerun test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-failing",
                                                      tmp_path / "failing.zip"))
    return project_name


@pytest.mark.parametrize("concurrent", ["ignore", "pipeline:2", "queue"])
def test_rerun_keeps_the_emails_and_the_concurrency_option(sh: Shell, client: Any,
                                                           failing: str, concurrent: str) -> None:
    project = failing
    options = ExecuteOptions(params={"day": "2024-01-31"}, concurrent=concurrent,
                             on_failure="possible", notify_failure=["ops@example.com"],
                             notify_success=["team@example.com", "boss@example.com"],
                             notify_failure_first=False, notify_failure_last=True)
    first = client.execute(project, "end", options)
    assert wait_for(client, first, FINAL)["status"] == "FAILED"
    rerun = sh.json(f"rerun {first}")
    assert rerun["rerunOf"] == first
    before, after = client.execution_options(first), client.execution_options(rerun["execid"])
    assert {key: after[key] for key in CARRIED} == {key: before[key] for key in CARRIED}
    assert after["successEmails"] == ["team@example.com", "boss@example.com"]
    assert after["concurrentOptions"] == concurrent.partition(":")[0]
    wait_for(client, rerun["execid"], FINAL)


def test_rerun_leaves_the_flows_own_emails_to_the_flow(sh: Shell, client: Any,
                                                       failing: str) -> None:
    first = client.execute(failing, "end")  # no emails given: the flow's own are used
    wait_for(client, first, FINAL)
    rerun = sh.json(f"rerun {first}")
    after = client.execution_options(rerun["execid"])
    assert after["failureEmailsOverride"] is False
    assert after["successEmailsOverride"] is False
    assert after["concurrentOptions"] == "skip"
    assert after["failureAction"] == "finishCurrent"
    wait_for(client, rerun["execid"], FINAL)
