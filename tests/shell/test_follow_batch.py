"""The installed `azshell` in scripts: execute --wait, wait, log --follow, pasted URLs, rerun,
executions --limit/--offset — exit codes, the one JSON document on stdout, one error line; the
Flow 2.0 example from upload to an embedded job's log, and a flow stopped by a dead executor."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, Az, documents, quiet
from fakes import FakeServer, answer_stopped

from azshell.client import ExecuteOptions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def statuses(document: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(nodes: list[dict[str, Any]], prefix: str) -> None:
        for node in nodes:
            out[prefix + node["id"]] = node["status"]
            walk(node.get("nodes") or [], f"{prefix}{node['id']}:")

    walk(document["nodes"], "")
    return out


@pytest.fixture
def az(tmp_path: Path, sandbox: Any) -> Az:
    return Az(tmp_path / "home", sandbox.url)


@pytest.fixture
def put(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> Any:
    """``put(directory, project=project_name)``: create the project if needed, upload it."""
    count = [0]

    def run(directory: Path, project: str = project_name) -> str:
        if project not in [p["projectName"] for p in client.projects()]:
            client.create_project(project, "follow test")
        count[0] += 1
        client.upload_project(project, zip_directory(directory, tmp_path / f"up{count[0]}.zip"))
        return project

    return run


def write_files(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


@pytest.fixture
def sleeper(put: Any, tmp_path: Path) -> str:
    """Flow ``after``: ``nap`` sleeps 5 s, then ``after`` echoes (tests cancel it)."""
    return put(write_files(tmp_path / "sleeper", {
        "nap.job": "type=command\ncommand=sleep 5\n",
        "after.job": "type=command\ndependencies=nap\ncommand=echo after\n"}))


def test_execute_wait_exits_0_when_the_flow_succeeds(az: Az, put: Any) -> None:
    project = put(EXAMPLES / "flow1-etl")
    done = az("-c", f"execute {project} finish --wait")
    assert done.returncode == 0, done.stderr
    assert quiet(done.stderr) == ""
    progress = done.stderr.splitlines()  # one line per job state change, for CI
    assert progress[0].startswith("azshell: following execution ")
    assert progress[-1].endswith(" SUCCEEDED")
    assert "job" not in progress[-1]
    for job in ("extract", "transform_a", "transform_b", "load", "finish"):
        assert any(f" job {job} SUCCEEDED" in line for line in progress), progress
    (final,) = documents(done.stdout)  # no live display, one document
    assert final["status"] == "SUCCEEDED"
    assert final["project"] == project
    assert set(statuses(final).values()) == {"SUCCEEDED"}
    assert set(statuses(final)) == {"extract", "transform_a", "transform_b", "load", "finish"}


def test_execute_wait_fails_when_the_flow_fails(az: Az, put: Any, client: Any) -> None:
    project = put(EXAMPLES / "flow1-failing")
    done = az("-c", f"execute {project} end --wait", "-c", "projects")
    assert done.returncode == 1
    (final,) = documents(done.stdout)  # and the script stopped there
    execid = final["execid"]
    assert final["status"] == "FAILED"
    assert statuses(final) == {"fine": "SUCCEEDED", "boom": "FAILED",
                               "after_boom": "CANCELLED", "end": "CANCELLED"}
    assert statuses(final) == statuses(client.execution(execid))
    assert quiet(done.stderr) == (f"-c:1: error: execution {execid} ({project}/end) ended FAILED; "
                           "failed jobs: boom\n")


def test_wait_timeout_leaves_the_flow_running(az: Az, sleeper: str, client: Any) -> None:
    started = time.monotonic()
    done = az("-c", f"execute {sleeper} after", "-c", "wait --timeout 1")
    execid = documents(done.stdout)[0]["execid"]
    try:
        assert done.returncode == 1
        assert time.monotonic() - started < 8
        assert quiet(done.stderr) == (f"-c:2: error: execution {execid} still RUNNING after 1 s; "
                               f"follow it again with: wait {execid}\n")
        _, current = documents(done.stdout)
        assert current["execid"] == execid
        assert current["status"] == "RUNNING"
        assert client.execution(execid)["status"] == "RUNNING"
    finally:
        client.cancel(execid)
    killed = az("-c", f"wait {execid}")
    assert killed.returncode == 1
    assert "ended KILLED; killed jobs: nap" in killed.stderr  # cancelled: killed, not failed


def test_pasted_execution_addresses_stand_for_the_id_and_the_job(az: Az, put: Any,
                                                                  client: Any) -> None:
    project = put(EXAMPLES / "flow1-failing")
    execid = client.execute(project, "end")
    base = f"{az.url}/executor?execid={execid}"
    done = az("-o", "json", "-c", f"wait {base}#jobslist", "--keep-going",
              "-c", f"log {base}&job=fine", "-c", f"log '{base}&jobId=boom'",
              "-c", f"show {base}", "-c", f"log {base}&job=fine boom")
    assert done.returncode == 1  # the flow failed: wait says so, the rest still ran
    waited, fine_log, boom_log, shown, explicit = documents(done.stdout)
    assert waited["execid"] == execid
    assert waited["status"] == "FAILED"
    assert fine_log["job"] == "fine"
    assert "fine" in fine_log["log"]
    assert boom_log["job"] == "boom"
    assert "boom" in boom_log["log"]
    assert shown["execid"] == execid
    assert explicit["job"] == "boom"  # a JOB typed after the address wins


def test_log_follow_prints_text_as_it_comes_until_the_end(az: Az, put: Any,
                                                          tmp_path: Path) -> None:
    project = put(write_files(tmp_path / "talker", {
        "wait.job": "type=command\ncommand=sleep 0.4\n",
        "talk.job": "type=command\ndependencies=wait\n"
                    "command=sh -c 'echo first-line; sleep 0.5; echo \"second <line>\"'\n"}))
    done = az("-c", f"execute {project} talk", "-c", "log talk --follow")
    assert done.returncode == 0, done.stderr
    assert quiet(done.stderr) == ""  # no "waiting" note in a script
    started, _, text = done.stdout.partition("}\n")
    execid = json.loads(started + "}")["execid"]
    assert "first-line" in text
    assert "second <line>" in text
    assert "Finishing job talk" in text  # it read on to the end of the job
    assert not text.lstrip().startswith("{")  # the text itself, not JSON
    whole = az("-o", "json", "-c", f"log {execid} --follow")
    (flow_log,) = documents(whole.stdout)
    assert "Running flow 'talk'" in flow_log["log"]
    assert flow_log["job"] is None


def test_log_of_a_job_that_has_not_started_says_so(az: Az, sleeper: str, client: Any) -> None:
    execid = client.execute(sleeper, "after")
    try:
        done = az("-c", f"log {execid} after")
        assert done.returncode == 1
        got = quiet(done.stderr)
        assert got == (f"-c:1: error: job after of execution {execid} has not started "
                               f"yet, so it has no log; 'log {execid} after --follow' waits "
                               "for it\n")
        unknown = az("-c", f"log {execid} nosuchjob")
        assert unknown.returncode == 1
        assert quiet(unknown.stderr) == (f"-c:1: error: execution {execid} has no job "
                                         "'nosuchjob' (its jobs: after, nap)\n")
    finally:
        client.cancel(execid)


def test_the_flow2_example_from_upload_to_an_embedded_jobs_log(az: Az, project_name: str,
                                                               client: Any) -> None:
    done = az("-c", f"upload {project_name} examples/flow2-pipeline --create",
              "-c", f"execute {project_name} pipeline --wait",
              "-c", "log process:step_a", "-c", "log prepare", "-o", "json",
              cwd=EXAMPLES.parent)
    assert done.returncode == 0, done.stderr
    uploaded, final, step_a, prepare = documents(done.stdout)
    assert uploaded["created"] is True
    assert uploaded["flows"] == ["pipeline"]
    assert final["status"] == "SUCCEEDED"
    assert final["project"] == project_name
    execid = final["execid"]
    assert client.execution(execid)["status"] == "SUCCEEDED"
    assert (step_a["execid"], step_a["job"]) == (execid, "process:step_a")
    assert "step a of batch 7" in step_a["log"]  # the embedded flow's config
    assert "hello from prepare" in prepare["log"]  # the flow-level config


def test_execute_wait_on_a_stopped_flow_exits_1(tmp_path: Path) -> None:
    """A flow that ends EXECUTION_STOPPED (an executor that died, §9) fails the script."""
    with FakeServer(answer_stopped) as server:
        done = Az(tmp_path, server.url)("-c", "execute p f --wait --timeout 5", "-c", "flows p")
    assert done.returncode == 1
    assert quiet(done.stderr) == ("-c:1: error: execution 7 (p/f) ended EXECUTION_STOPPED; "
                           "failed jobs: j\n")
    (final,) = documents(done.stdout)  # and the script stopped there
    assert final["execid"] == 7
    assert final["status"] == "EXECUTION_STOPPED"
    assert not server.requests_to("/manager")  # `flows p` never ran


def test_rerun_skips_what_succeeded_and_keeps_the_parameters(az: Az, put: Any, client: Any,
                                                            tmp_path: Path) -> None:
    project = put(EXAMPLES / "flow1-failing")
    failed = client.execute(project, "end", ExecuteOptions(params={"day": "2024-01-31"}))
    az("-c", f"wait {failed}")
    done = az("-c", f"rerun {failed}")
    assert done.returncode == 0, done.stderr
    (rerun,) = documents(done.stdout)
    assert rerun == {"execid": rerun["execid"], "project": project, "flow": "end",
                     "rerunOf": failed, "disabled": ["fine"]}
    got = quiet(done.stderr)
    assert got == f"rerun of {failed} as {rerun['execid']}: disabled (already done): fine\n"
    options = client.execution_options(rerun["execid"])
    assert options["flowParam"] == {"day": "2024-01-31"}
    assert [d["name"] for d in options["disabled"]] == ["fine"]

    fixed = tmp_path / "fixed"
    shutil.copytree(EXAMPLES / "flow1-failing", fixed)
    (fixed / "boom.job").write_text("type=command\ncommand=echo fixed\n")
    put(fixed, project)
    again = az("-c", f"rerun {rerun['execid']} --wait")
    assert again.returncode == 0, again.stderr
    (final,) = documents(again.stdout)
    assert statuses(final) == {"fine": "SKIPPED", "boom": "SUCCEEDED",
                               "after_boom": "SUCCEEDED", "end": "SUCCEEDED"}
    assert final["status"] == "SUCCEEDED"

    nothing = az("-c", f"rerun {final['execid']}")
    assert nothing.returncode == 1
    got = quiet(nothing.stderr)
    assert got == (f"-c:1: error: every job of execution {final['execid']} already "
                              "succeeded; nothing to rerun (--all runs the whole flow again)\n")
    everything = az("-c", f"rerun {final['execid']} --all --wait")
    assert everything.returncode == 0, everything.stderr
    assert set(statuses(documents(everything.stdout)[0]).values()) == {"SUCCEEDED"}


NESTED_FAILING = """\
nodes:
  - name: first
    type: command
    config:
      command: echo first
  - name: sub
    type: flow
    dependsOn: [first]
    nodes:
      - name: inner_ok
        type: command
        config:
          command: echo ok
      - name: inner_bad
        type: command
        dependsOn: [inner_ok]
        config:
          command: sh -c 'exit 2'
  - name: last
    type: noop
    dependsOn: [sub]
"""


def test_rerun_disables_nested_jobs_in_the_embedded_flow_form(az: Az, put: Any, client: Any,
                                                              tmp_path: Path) -> None:
    project = put(write_files(tmp_path / "nested", {
        "p.project": "azkaban-flow-version: 2.0\n", "nested.flow": NESTED_FAILING}))
    done = az("-c", f"execute {project} nested --wait", "--keep-going", "-c", "rerun")
    assert done.returncode == 1
    first, rerun = documents(done.stdout)
    assert first["status"] == "FAILED"
    assert rerun["disabled"] == ["first", "sub:inner_ok"]
    options = client.execution_options(rerun["execid"])
    assert options["disabled"] == [
        {"name": "first", "children": None, "embeddedFlow": False},
        {"name": "sub", "children": [{"name": "inner_ok", "children": None,
                                      "embeddedFlow": False}], "embeddedFlow": True}]


def test_rerun_of_a_running_execution_is_refused(az: Az, sleeper: str, client: Any) -> None:
    execid = client.execute(sleeper, "after")
    try:
        done = az("-c", f"rerun {execid}")
    finally:
        client.cancel(execid)
    assert done.returncode == 1
    assert "is still" in done.stderr
    assert f"'wait {execid}'" in done.stderr
    assert f"'cancel {execid}'" in done.stderr


def test_executions_limit_offset_and_relative_times(az: Az, put: Any, client: Any) -> None:
    project = put(EXAMPLES / "flow1-etl")
    ids = [client.execute(project, "audit", ExecuteOptions(concurrent="ignore"))
           for _ in range(3)]
    done = az("-c", f"executions {project} audit --limit 1 --offset 1",
              "-c", f"executions {project} audit -n 2 --offset 0",
              "-c", f"executions {project} audit --length 5 --offset 3")
    assert done.returncode == 0, done.stderr
    middle, newest, past = documents(done.stdout)
    assert [e["execId"] for e in middle["executions"]] == [ids[1]]
    assert [e["execId"] for e in newest["executions"]] == [ids[2], ids[1]]
    assert past["executions"] == []
    assert middle["total"] == 3
    table = az("-o", "table", "-c", f"executions {project} audit")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["EXECID", "FLOW", "STATUS", "USER", "STARTED", "TOOK"]
    assert len(lines) == 4
    # the start in local time, then how long ago: `2024-01-31 10:02:07 (12 s ago)`
    assert all(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+ s ago\)", line)
               for line in lines[1:]), lines
    bad = az("-c", f"executions {project} audit --offset -2")
    assert bad.returncode == 2
    assert "--offset must be a number (0 or more)" in bad.stderr


def test_ctrl_c_ends_a_keep_going_script(az: Az, sleeper: str, client: Any) -> None:
    """--keep-going runs on after failures, not after the user's interrupt."""
    proc = subprocess.Popen(
        [AZSHELL, az.url, "--user", "azkaban", "--keep-going",
         "-c", f"execute {sleeper} after --wait", "-c", "whoami"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=az.env, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not client.running(sleeper, "after") and time.monotonic() < deadline:
            time.sleep(0.05)
        execids = client.running(sleeper, "after")
        assert execids
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 130
        assert '"user"' not in out  # whoami never ran
        assert "interrupted" in err
        assert client.execution(execids[0])["status"] == "RUNNING"  # the flow goes on
    finally:
        if proc.poll() is None:
            proc.kill()
        for execid in client.running(sleeper, "after"):
            client.cancel(execid)
