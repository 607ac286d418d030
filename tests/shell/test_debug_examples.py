"""The example scripts of examples/scripts/, run as a user would run them, against a sandbox.

Each run has private HOME and XDG directories and gets the server, user and password from
AZSHELL_URL / AZSHELL_USER / AZSHELL_PASSWORD; scripts run from the repository's root, since
their paths are relative to it. The sandbox is this module's own (the scripts use fixed
project names).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import documents

from azshell.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "examples" / "scripts"
BIN = Path(sys.executable).parent  # azshell and python of the environment under test


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    with Sandbox(job_timeout=30) as sb:
        yield sb


@pytest.fixture
def env(tmp_path: Path, server: Sandbox) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8", "AZSHELL_URL": server.url, "AZSHELL_USER": "azkaban",
        "AZSHELL_PASSWORD": "azkaban",
    }


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, env=env, text=True, capture_output=True, timeout=120,
                          start_new_session=True, check=False, input="")



# -- the .az scripts ---------------------------------------------------------------------------

def test_deploy_and_run_uploads_runs_to_the_end_and_prints_the_logs(env: dict[str, str]) -> None:
    done = run(["azshell", "-o", "json", "-f", str(SCRIPTS / "deploy-and-run.az")], env)
    assert done.returncode == 0, done.stderr
    progress = done.stderr.splitlines()  # the --wait's progress, for CI's no-output timers
    assert progress[0] == "azshell: following execution 1: etl-demo/finish (5 jobs)"
    assert "azshell: execution 1 job load SUCCEEDED" in " ".join(progress)
    assert progress[-1] == "azshell: execution 1 SUCCEEDED"
    uploaded, execution, flow_log, job_log = documents(done.stdout)
    assert uploaded["project"] == "etl-demo"
    assert sorted(uploaded["flows"]) == ["audit", "finish"]
    assert execution["status"] == "SUCCEEDED"
    assert {n["id"]: n["status"] for n in execution["nodes"]}["load"] == "SUCCEEDED"
    assert flow_log["execid"] == job_log["execid"] == execution["execid"]
    assert "Finished Flow" in flow_log["log"]
    assert job_log["job"] == "load"
    assert "Finishing job load" in job_log["log"]

    again = run(["azshell", "-f", str(SCRIPTS / "deploy-and-run.az")], env)  # re-runnable
    assert again.returncode == 0, again.stderr
    first, _ = json.JSONDecoder().raw_decode(again.stdout)
    assert first["version"] == uploaded["version"] + 1
    assert "Finishing job load" in again.stdout  # without -o json a log is its text


def test_inspect_failure_shows_the_failed_job_and_still_fails(env: dict[str, str]) -> None:
    script = SCRIPTS / "inspect-failure.az"
    done = run(["azshell", "-o", "json", "--keep-going", "-f", str(script)], env)
    assert done.returncode == 1
    uploaded, execution, job_log, flow_log = documents(done.stdout)
    assert uploaded["project"] == "failing-demo"
    assert execution["status"] == "FAILED"
    assert done.stderr.splitlines()[-1] == (
        f"{script}:10: error: execution {execution['execid']} "
        "(failing-demo/end) ended FAILED; failed jobs: boom")
    assert all(line.startswith("azshell: ") for line in done.stderr.splitlines()[:-1])
    assert job_log["job"] == "boom"
    assert "Process exited with code 3" in job_log["log"]
    assert "Cancelling 'after_boom'" in flow_log["log"]

    stops = run(["azshell", "-o", "json", "-f", str(script)], env)  # without --keep-going
    assert stops.returncode == 1
    assert len(documents(stops.stdout)) == 2


# -- ci-deploy.sh ------------------------------------------------------------------------------

def ci(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([str(SCRIPTS / "ci-deploy.sh"), *args], env)


def without_jq(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A PATH with azshell and python3 only, so the script must read JSON with Python."""
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "azshell").symlink_to(BIN / "azshell")
    (tools / "python3").symlink_to(sys.executable)
    return {**env, "PATH": str(tools)}


@pytest.mark.parametrize("jq", [True, False], ids=["jq", "python"])
def test_ci_deploy_succeeds_with_the_execution_on_stdout(env: dict[str, str], tmp_path: Path,
                                                         jq: bool) -> None:
    if jq and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    project = f"ci-ok-{'jq' if jq else 'py'}"
    done = ci(env if jq else without_jq(env, tmp_path), project, "examples/flow1-etl",
              "finish")
    assert done.returncode == 0, done.stderr
    (execution,) = documents(done.stdout)
    assert execution["status"] == "SUCCEEDED"
    assert execution["project"] == project
    assert f"{project} is at version 1\n" in done.stderr
    assert f"execution {execution['execid']}: SUCCEEDED\n" in done.stderr


@pytest.mark.parametrize("jq", [True, False], ids=["jq", "python"])
def test_ci_deploy_fails_with_the_failed_jobs_logs(env: dict[str, str], tmp_path: Path,
                                                   jq: bool) -> None:
    if jq and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    done = ci(env if jq else without_jq(env, tmp_path), f"ci-bad-{'jq' if jq else 'py'}",
              "examples/flow1-failing", "end")
    assert done.returncode == 1
    (execution,) = documents(done.stdout)
    assert execution["status"] == "FAILED"
    execid = execution["execid"]
    assert f"execution {execid}: FAILED\n" in done.stderr
    assert f"---- log of job boom of execution {execid} ----\n" in done.stderr
    assert "Process exited with code 3" in done.stderr
    assert "---- log of job fine" not in done.stderr  # only the jobs that failed


def test_ci_deploy_exit_statuses_for_usage_refusal_and_no_server(env: dict[str, str],
                                                                 tmp_path: Path) -> None:
    usage = ci(env, "only-one-argument")
    assert usage.returncode == 2
    assert usage.stderr.startswith("usage: ")

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.job").write_text("type=command\ncommand=true\ndependencies=missing\n")
    refused = ci(env, "ci-refused", str(broken), "a")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "missing" in refused.stderr

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    offline = ci({**env, "AZSHELL_URL": closed}, "ci-offline", "examples/flow1-etl", "finish")
    assert offline.returncode == 3
    assert "connection refused" in offline.stderr
