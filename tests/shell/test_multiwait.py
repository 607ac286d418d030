"""wait EXECID...: several executions, one display, one exit code, --notify and --on-done."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, EXAMPLES, make_shell

from azshell.client.execution_model import Execution
from azshell.shell.handlers.multiwait import picture


@pytest.fixture
def projects(client: Any, tmp_path: Path, zip_directory: Any, make_zip: Any,
             project_name: str) -> tuple[str, str, str]:
    """(a project whose flow ``end`` fails, one whose flow ``finish`` succeeds, one whose flow
    ``nap`` takes 1.5 s)."""
    failing, etl, slow = project_name + "f", project_name + "e", project_name + "s"
    for name, example in ((failing, "flow1-failing"), (etl, "flow1-etl")):
        client.create_project(name, "multiwait test")
        client.upload_project(name, zip_directory(EXAMPLES / example, tmp_path / f"{name}.zip"))
    client.create_project(slow, "multiwait test")
    client.upload_project(slow, make_zip(tmp_path, {
        "nap.job": "type=command\ncommand=sleep 1.5\n"}, "slow.zip"))
    return failing, etl, slow


def test_picture_lines_up_one_line_per_execution() -> None:
    models = [Execution({"execid": 7, "project": "p", "flow": "long_flow",
                              "status": "RUNNING", "nodes": [
                                  {"id": "a", "status": "RUNNING"}, {"id": "b"}]}),
              Execution({"execid": 12, "project": "p", "flow": "f",
                              "status": "SUCCEEDED", "nodes": [{"id": "a",
                                                                "status": "SUCCEEDED"}]})]
    lines = picture(models, 100, color=False).splitlines()
    assert lines[0] == "waiting for 2 executions: 1 still going"
    assert lines[1].split()[:3] == ["7", "p/long_flow", "RUNNING"]
    assert lines[1].endswith("  a")
    assert lines[2].split()[:3] == ["12", "p/f", "SUCCEEDED"]
    assert lines[1].index("RUNNING") == lines[2].index("SUCCEEDED")
    assert all(len(line) <= 39 for line in picture(models, 40, color=False).splitlines())


def test_all_succeeded_is_exit_0_and_one_document_each(client: Any,
                                                       projects: tuple[str, str, str]) -> None:
    _, etl, _ = projects
    ids = [client.execute(etl, "finish"), client.execute(etl, "audit")]
    sh = make_shell(client)
    documents = sh.json(f"wait {ids[0]} {ids[1]}")
    assert [(d["execid"], d["status"]) for d in documents] == [(ids[0], "SUCCEEDED"),
                                                              (ids[1], "SUCCEEDED")]


def test_one_failure_fails_the_whole_wait_naming_it(client: Any,
                                                    projects: tuple[str, str, str]) -> None:
    failing, etl, _ = projects
    good, bad = client.execute(etl, "finish"), client.execute(failing, "end")
    sh = make_shell(client)
    code, out, err = sh(f"wait {good} {bad} {good}")
    assert code == 1
    assert [d["execid"] for d in json.loads(out)] == [good, bad]  # each id once
    assert err.strip() == (f"error: not every execution succeeded: {bad} ({failing}/end) "
                           "FAILED")


def test_on_done_runs_with_the_outcome_in_its_environment(sandbox: Any, client: Any,
                                                          projects: tuple[str, str, str],
                                                          tmp_path: Path) -> None:
    failing, etl, _ = projects
    good, bad = client.execute(etl, "finish"), client.execute(failing, "end")
    record = tmp_path / "done.txt"
    command = f'echo "$AZSHELL_EXECIDS|$AZSHELL_STATUSES|$AZSHELL_OK" > {record}'
    env = {"AZSHELL_PASSWORD": "azkaban", "HOME": str(tmp_path), "PATH": os.environ["PATH"],
           "AZSHELL_CONFIG": "/dev/null"}
    done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c",
                           f"wait {good} {bad} --on-done '{command}'"],
                          check=False, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1, done.stderr
    assert record.read_text() == f"{good} {bad}|{good}=SUCCEEDED {bad}=FAILED|0\n"


@pytest.mark.pty
def test_the_combined_display_on_a_terminal_and_the_notification(
        shell: Any, sandbox: Any, client: Any, projects: tuple[str, str, str]) -> None:
    pyte = pytest.importorskip("pyte")
    failing, etl, slow = projects
    ids = [client.execute(slow, "nap"), client.execute(etl, "finish"),
           client.execute(failing, "end")]
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    import io

    seen = io.StringIO()
    sh.child.logfile_read = seen  # every byte the terminal got from here on
    sh.child.send(f"wait {' '.join(map(str, ids))} --notify\r")
    sh.child.expect(r"waiting for 3 executions: \d still going")
    sh.child.expect(r"3 executions ended")
    sh.child.expect(sh.prompt)
    raw = seen.getvalue()
    screen = pyte.Screen(120, 40)
    pyte.Stream(screen).feed(raw)
    shown = [line.rstrip() for line in screen.display if line.strip()]
    board = next(i for i, line in enumerate(shown) if line == "3 executions ended")
    rows = {int(line.split()[0]): line.split()[2] for line in shown[board + 1: board + 4]}
    assert rows == {ids[0]: "SUCCEEDED", ids[1]: "SUCCEEDED", ids[2]: "FAILED"}
    # redrawn in place: the board's head is on the screen once
    assert sum(1 for line in shown if "executions" in line and "going" in line) == 0
    assert "\a\x1b]9;azshell: not all succeeded" in raw
    assert "\x1b]777;notify;azshell;" in raw
    errors = [line for line in shown if line.startswith("error:")]
    assert errors
    assert re.search(rf"{ids[2]} \({failing}/end\) FAILED", errors[0])


def test_one_execution_with_on_done_keeps_the_single_document(sandbox: Any, client: Any,
                                                              projects: tuple[str, str, str],
                                                              tmp_path: Path) -> None:
    failing, _, _ = projects
    bad = client.execute(failing, "end")
    record = tmp_path / "done.txt"
    env = {"AZSHELL_PASSWORD": "azkaban", "HOME": str(tmp_path), "PATH": os.environ["PATH"],
           "AZSHELL_CONFIG": "/dev/null"}
    done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c",
                           f"wait {bad} --on-done 'echo $AZSHELL_STATUSES > {record}'"],
                          check=False, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["execid"] == bad  # the document, as without --on-done
    assert record.read_text() == f"{bad}=FAILED\n"


def test_execute_wait_takes_the_hooks_too(sandbox: Any, client: Any,
                                          projects: tuple[str, str, str], tmp_path: Path) -> None:
    _, etl, _ = projects
    record = tmp_path / "done.txt"
    env = {"AZSHELL_PASSWORD": "azkaban", "HOME": str(tmp_path), "PATH": os.environ["PATH"],
           "AZSHELL_CONFIG": "/dev/null"}
    done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c",
                           f"execute {etl} finish --wait --on-done 'echo $AZSHELL_OK > {record}'"],
                          check=False, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert record.read_text() == "1\n"
    # a script is checked before it runs: --notify without --wait stops it at once
    done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c",
                           f"execute {etl} finish --notify"],
                          check=False, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert "execute: --notify goes with --wait" in done.stderr
