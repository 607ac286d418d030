"""The installed `azshell` in a real pseudo-terminal: `schedules apply` shows its plan and asks
(n changes nothing, y applies), and `plan` reads as text, not JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.pty


def test_schedules_apply_asks_and_only_yes_applies(shell: Any, sandbox: Any, client: Any,
                                                   put_project: Any, tmp_path: Path) -> None:
    project = put_project({"a.job": "type=noop\n"})
    path = tmp_path / "s.yaml"
    path.write_text(f"schedules:\n- {{project: {project}, flow: a, cron: '@daily'}}\n")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(f"schedules apply {path}\r")
    sh.child.expect(f"\\+ {project}/a  add, cron 0 0 0 \\* \\* \\?")
    sh.child.expect(r"Make these 1 change\(s\)\? \[y/N\]")
    sh.child.send("n\r")
    assert "nothing changed" in sh.expect_prompt()
    assert client.schedule(project, "a") is None
    sh.child.send(f"schedules apply {path}\r")
    sh.child.expect(r"\[y/N\]")
    sh.child.send("y\r")
    assert "applied 1 change" in sh.expect_prompt()
    assert client.schedule(project, "a")["cronExpression"] == "0 0 0 * * ?"
    assert sh.exit() == 0


def test_plan_reads_as_text(shell: Any, sandbox: Any, put_project: Any, tmp_path: Path) -> None:
    project = put_project({"a.job": "type=noop\n"})
    local = tmp_path / "local"
    local.mkdir()
    (local / "a.job").write_text("type=noop\nretries=2\n")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    out = sh.line(f"plan {project} {local}").replace("\r", "")
    assert "property + retries=2" in out
    assert "+retries=2" in out
    assert "1 file differs: the upload creates a new version" in out
    assert '"changed"' not in out
    assert sh.exit() == 0


def test_backfill_stopped_with_ctrl_c_resumes_without_starting_a_date_twice(
        shell: Any, sandbox: Any, client: Any, put_project: Any, tmp_path: Path) -> None:
    project = put_project({"slow.job": "type=command\ncommand=sleep 0.8\n"})
    state = tmp_path / "state.json"
    line = f"backfill {project} slow --from 2024-01-01 --to 2024-01-03 --state {state}"
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(line + "\r")
    sh.child.expect(r"2024-01-01\s+\d+\s+RUNNING")  # the live table
    sh.child.sendcontrol("c")
    sh.child.expect(r"interrupted: backfill stopped; still running: 2024-01-01 \(\d+\); run "
                    r"the same command again to resume")
    sh.expect_prompt()
    assert int(client.flow_executions(project, "slow", 0, 1)["total"]) == 1
    out = sh.line(line)
    assert "3 runs: 3 SUCCEEDED" in out
    assert int(client.flow_executions(project, "slow", 0, 1)["total"]) == 3
    assert sh.exit() == 0


def test_ctrl_c_stops_a_local_test_run_and_the_shell_goes_on(shell: Any, sandbox: Any,
                                                             tmp_path: Path) -> None:
    local = tmp_path / "slowproj"
    local.mkdir()
    (local / "slow.job").write_text("type=command\ncommand=sleep 30\n")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(f"test {local} slow\r")
    sh.child.expect("RUNNING")
    sh.child.sendcontrol("c")
    sh.child.expect("interrupted: the test of slowproj/slow stopped, with its temporary sandbox")
    assert "whoami" not in sh.expect_prompt()
    assert "session valid" in sh.line("whoami")
    assert sh.exit() == 0
