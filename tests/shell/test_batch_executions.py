"""Execution commands of the installed `azshell` against the sandbox: run, look, control, logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

AZSHELL = str(Path(sys.executable).with_name("azshell"))


class Az:
    def __init__(self, home: Path, url: str) -> None:
        self.url = url
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"), "AZSHELL_PASSWORD": "azkaban",
        }

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([AZSHELL, self.url, "--user", "azkaban", *args], input="",
                              text=True, capture_output=True, env=self.env, timeout=60,
                              start_new_session=True, check=False)

    def docs(self, *args: str) -> list[Any]:
        done = self(*args)
        assert done.returncode == 0, done.stderr
        decoder, out, i, text = json.JSONDecoder(), [], 0, done.stdout.strip()
        while i < len(text):
            doc, i = decoder.raw_decode(text, i)
            out.append(doc)
            while i < len(text) and text[i].isspace():
                i += 1
        return out


@pytest.fixture
def project(tmp_path: Path, sandbox: Any, project_name: str) -> tuple[Az, str]:
    """A project with a flow that sleeps (`nap`) and one that prints a line (`hi`)."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "nap.job").write_text("type=command\ncommand=sleep 30\n")
    (source / "hi.job").write_text("type=command\ncommand=echo hello-from-job\n")
    az = Az(tmp_path / "home", sandbox.url)
    (uploaded,) = az.docs("-c", f"upload {project_name} {source} --create")
    assert sorted(uploaded["flows"]) == ["hi", "nap"]
    return az, project_name


def wait_until_finished(az: Az, execid: int) -> dict:
    deadline = time.monotonic() + 30
    while True:
        (shown,) = az.docs("-c", f"show {execid}")
        if shown["status"] in ("SUCCEEDED", "FAILED", "KILLED"):
            return shown
        assert time.monotonic() < deadline, shown["status"]
        time.sleep(0.2)


def test_control_commands_default_to_the_last_execution(project: tuple[Az, str]) -> None:
    az, name = project
    started, running, paused, resumed, cancelled = az.docs(
        "-c", f"execute {name} nap", "-c", f"running {name} nap", "-c", "pause", "-c", "resume",
        "-c", "cancel")
    execid = started["execid"]
    assert running["execIds"] == [execid]
    assert paused == {"ok": True, "execid": execid, "action": "pause"}
    assert resumed["action"] == "resume"
    assert cancelled["action"] == "cancel"
    assert wait_until_finished(az, execid)["status"] == "KILLED"
    done = az("-c", f"cancel {execid}")
    assert done.returncode == 1
    assert done.stderr == f"-c:1: error: Execution {execid} of flow nap isn't running.\n"


def test_executions_last_success_and_logs(project: tuple[Az, str]) -> None:
    az, name = project
    (started,) = az.docs("-c", f"execute {name} hi")
    execid = started["execid"]
    assert wait_until_finished(az, execid)["status"] == "SUCCEEDED"
    listed, last = az.docs("-c", f"executions {name} hi -n 5", "-c", f"last-success {name} hi")
    flow_log, job_log = az.docs("-o", "json", "-c", f"log {execid}",
                                "-c", f"log {execid} --job hi")
    assert listed["total"] == 1
    assert [e["execId"] for e in listed["executions"]] == [execid]
    assert last == {"project": name, "flow": "hi", "execid": execid}
    assert "Running flow 'hi'" in flow_log["log"]
    assert "hello-from-job" in job_log["log"]
    assert job_log["job"] == "hi"
    (never,) = az.docs("-c", f"last-success {name} nap")
    assert never["execid"] is None


def test_a_log_in_a_pipe_is_its_text_line_by_line(project: tuple[Az, str]) -> None:
    """`| grep` reads a log line by line; the JSON document needs -o json."""
    az, name = project
    (started,) = az.docs("-c", f"execute {name} hi")
    execid = started["execid"]
    wait_until_finished(az, execid)
    done = az("-c", f"log {execid} hi")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.endswith("hello-from-job") for line in lines), done.stdout
    assert not done.stdout.lstrip().startswith("{")
    assert "\x1b[" not in done.stdout  # no colour in a pipe
    (doc,) = az.docs("-o", "json", "-c", f"log {execid} hi")
    assert doc["log"].rstrip("\n") == done.stdout.rstrip("\n")


def test_tables_for_executions_and_running(project: tuple[Az, str]) -> None:
    az, name = project
    done = az("-o", "table", "-c", f"executions {name} hi", "-c", f"running {name} hi")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "EXECID  FLOW  STATUS  USER  STARTED  TOOK\n(none)\nEXECID  PROJECT  FLOW\n(none)\n")


def test_raw_log_is_the_text_itself(project: tuple[Az, str]) -> None:
    az, name = project
    (started,) = az.docs("-c", f"execute {name} hi")
    wait_until_finished(az, started["execid"])
    done = az("-o", "raw", "-c", f"log {started['execid']} --job hi")
    assert done.returncode == 0
    assert "hello-from-job" in done.stdout
    assert not done.stdout.lstrip().startswith("{")
