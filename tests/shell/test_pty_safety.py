"""Questions the interactive shell asks before losing something, in a real pseudo-terminal:
``schedule`` over an existing schedule, and Ctrl-D in a ``--sandbox`` shell that holds work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES
from pty_harness import SandboxShell

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    client.create_project(project_name, "pty safety")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "e.zip"))
    return project_name


def test_schedule_names_the_schedule_it_replaces_and_asks(shell: Any, sandbox: Any,
                                                          client: Any, etl: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.line(f"schedule {etl} finish @daily --disable transform_a")
    said = (rf"{etl}/finish is scheduled already: schedule \d+, cron 0 0 0 \* \* \? "
            r"\(at 00:00 every day\), by azkaban, --disable transform_a")
    question = re.escape(f"Replace the schedule of {etl}/finish? [y/N]")
    sh.child.send(f"schedule {etl} finish @hourly\r")
    sh.child.expect(said)
    sh.child.expect(question)
    sh.child.send("n\r")
    kept = sh.expect_prompt()
    assert f"kept the schedule of {etl}/finish (cron 0 0 0 * * ?)" in kept
    assert client.schedule(etl, "finish")["cronExpression"] == "0 0 0 * * ?"

    sh.child.send(f"schedule {etl} finish @hourly\r")
    sh.child.expect(question)
    sh.child.send("y\r")
    replaced = sh.expect_prompt()
    assert re.search(rf"rescheduled {etl}/finish: schedule \d+, cron 0 0 \* \* \* \? "
                     r"\(at minute 0 of every hour\)", replaced), replaced
    assert client.schedule(etl, "finish")["cronExpression"] == "0 0 * * * ?"
    assert sh.exit() == 0


def test_ctrl_d_in_an_empty_sandbox_quits_at_once(tmp_path: Path) -> None:
    sh = SandboxShell(tmp_path)
    try:
        sh.expect_prompt()
        assert sh.exit() == 0
    finally:
        sh.kill()


def test_ctrl_d_in_a_sandbox_with_work_asks_first(tmp_path: Path) -> None:
    sh = SandboxShell(tmp_path)
    try:
        sh.expect_prompt()
        sh.line("create demo")
        question = re.escape("Quit and lose the sandbox's 1 project? [y/N]")
        sh.child.sendcontrol("d")
        sh.child.expect(question)
        sh.child.send("n\r")
        sh.expect_prompt()
        assert "demo" in sh.line("projects")  # still there: the shell went on
        sh.child.sendcontrol("d")
        sh.child.expect(question)
        sh.child.send("y\r")
        sh.child.expect(pexpect.EOF)
        sh.child.close()
        assert sh.child.exitstatus == 0
    finally:
        sh.kill()
