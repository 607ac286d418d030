"""Following executions in a real terminal: the live job lines, the summary table, a failure,
and Ctrl-C, which stops the following and never the flow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pty_harness import ANSI

pytestmark = pytest.mark.pty

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def put(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> Any:
    def run(directory: Path) -> str:
        client.create_project(project_name, "follow pty test")
        client.upload_project(project_name, zip_directory(directory, tmp_path / "p.zip"))
        return project_name

    return run


def test_execute_wait_on_a_failing_flow_shows_jobs_summary_and_failure(
        shell: Any, sandbox: Any, put: Any) -> None:
    project = put(EXAMPLES / "flow1-failing")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(f"execute {project} end --wait\r")
    sh.child.expect(r"following execution (\d+): ")
    execid = sh.child.match.group(1)
    raw = sh.expect_prompt()
    # What the screen shows: a carriage return starts the (redrawn) line again.
    lines = [line.rsplit("\r", 1)[-1] for line in re.sub(r"\r+\n", "\n", raw).split("\n")]
    out = "\n".join(lines)
    # live job lines, each with its status (coloured: the escapes were removed above)
    assert re.search(r"^  boom\s+FAILED \d+\.\ds$", out, re.M), out
    assert re.search(r"^  fine\s+SUCCEEDED \d+\.\ds$", out, re.M), out
    assert re.search(r"^  end\s+CANCELLED", out, re.M), out
    assert "\x1b[31mFAILED" in sh.child.before  # in red
    # a small flow: the live lines showed every job's end, so no table lists them again,
    # only the verdict line
    assert not any(line.split()[:2] == ["JOB", "STATUS"] for line in lines), out
    assert len(re.findall(r"^\s*boom\s+FAILED", out, re.M)) == 1
    verdict = next(line for line in lines if line.startswith(f"execution {execid} "))
    assert verdict.startswith(f"execution {execid} {project}/end FAILED after ")
    # the failure, as one error line
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == [f"error: execution {execid} ({project}/end) ended FAILED; "
                      "failed jobs: boom"]
    # preceded by the next steps an operator takes
    assert lines[lines.index(errors[0]) - 1] == (
        f"next: 'log {execid} boom' shows why; 'rerun {execid}' runs the jobs that did not "
        "succeed")
    assert "Traceback" not in out
    assert '"nodes"' not in out  # the table, not the JSON
    assert sh.exit() == 0


def test_ctrl_c_while_waiting_leaves_the_flow_running(shell: Any, sandbox: Any, put: Any,
                                                      client: Any, tmp_path: Path) -> None:
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "nap.job").write_text("type=command\ncommand=sleep 5\n")
    project = put(slow)
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(f"execute {project} nap --wait\r")
    sh.child.expect(r"following execution (\d+): ")
    execid = int(sh.child.match.group(1))
    try:
        sh.child.expect(r"nap\s+.*RUNNING")  # the job line, as the job started
        sh.child.expect(r"RUNNING.*\d:\d\d.*\] 0/1")  # the status line with the progress bar
        sh.child.sendintr()
        out = sh.expect_prompt()
        notes = [ANSI.sub("", line).strip() for line in out.splitlines()
                 if "interrupted" in line]
        assert notes == [f"error: interrupted: execution {execid} goes on (RUNNING); follow "
                         f"it again with 'wait {execid}' or cancel it with 'cancel {execid}'"]
        assert "Traceback" not in out
        assert client.execution(execid)["status"] == "RUNNING"  # asked the sandbox itself
        out = sh.line(f"cancel {execid}")  # the prompt is back and the session works
        assert f"cancelled execution {execid}; 'show {execid}' shows where it stopped" in out
    finally:
        if client.execution(execid)["status"] == "RUNNING":
            client.cancel(execid)
    assert sh.exit() == 0


def test_a_tall_flow_lists_its_jobs_failures_first_and_never_through_the_pager(
        shell: Any, sandbox: Any, put: Any, tmp_path: Path) -> None:
    """The end of `execute --wait` (the table and the verdict) stays on the screen: the pager
    (here one that says PAGED) is never used for it, even taller than the window."""
    tall = tmp_path / "tall"
    tall.mkdir()
    names = [f"step{i:02d}" for i in range(45)]
    for name in names:
        (tall / f"{name}.job").write_text("type=noop\n")
    (tall / "bad.job").write_text("type=command\ncommand=false\n")
    (tall / "end.job").write_text(f"type=noop\ndependencies={','.join([*names, 'bad'])}\n")
    project = put(tall)
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban", PAGER="sh -c 'echo PAGED; cat'")
    sh.expect_prompt()
    out = sh.line(f"execute {project} end --wait")
    assert "PAGED" not in out
    lines = [line.rsplit("\r", 1)[-1] for line in re.sub(r"\r+\n", "\n", out).split("\n")]
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["JOB", "STATUS"])
    assert lines[head + 1].split()[:2] == ["bad", "FAILED"]  # failures first
    assert any(line.startswith("error: execution ") for line in lines[head:])
    paged = sh.line("help")  # taller than the window too: that one is paged
    assert "PAGED" in paged
    assert sh.exit() == 0
