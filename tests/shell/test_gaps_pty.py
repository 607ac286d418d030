"""The installed `azshell` in a real pseudo-terminal (pexpect) where nothing else looks: delete
asks first, the flows table as a person sees it, and `azshell --sandbox` used interactively."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty

from pty_harness import ANSI, AZSHELL, Shell, environment  # noqa: E402


@pytest.fixture
def project(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """Three flows: ``zeta``, ``alpha`` and ``mid`` (one job each)."""
    client.create_project(project_name, "pty test")
    client.upload_project(project_name, make_zip(tmp_path, {
        "zeta.job": "type=noop\n", "alpha.job": "type=noop\n", "mid.job": "type=noop\n"}))
    return project_name


def exists(client: Any, project: str) -> bool:
    return project in [p["projectName"] for p in client.projects()]


def test_delete_asks_and_only_yes_deletes(shell: Any, sandbox: Any, client: Any,
                                          project: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    question = re.escape(f"Delete project {project} and its schedules? [y/N]")
    sh.child.send(f"delete {project}\r")
    sh.child.expect(question)
    sh.child.send("n\r")
    kept = sh.expect_prompt()
    assert '"deleted": false' in kept
    assert exists(client, project)

    sh.child.send(f"delete {project}\r")
    sh.child.expect(question)
    sh.child.send("y\r")
    gone = sh.expect_prompt()
    assert '"deleted": true' in gone
    assert "error" not in gone
    assert not exists(client, project)
    assert sh.exit() == 0


def test_the_flows_table_in_a_terminal(shell: Any, sandbox: Any, client: Any,
                                       project: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    out = sh.line(f"flows {project}")
    lines = [line.strip() for line in out.replace("\r", "").split("\n")]
    at = lines.index("FLOW")
    assert lines[at + 1: at + 4] == client.flows(project)
    assert sorted(lines[at + 1: at + 4]) == ["alpha", "mid", "zeta"]
    assert "{" not in out  # a table, not JSON
    assert sh.exit() == 0


class SandboxShell(Shell):
    """`azshell --sandbox` in a pseudo-terminal; its URL is read from the line it prints."""

    def __init__(self, home: Path) -> None:
        self.child = pexpect.spawn(AZSHELL, ["--sandbox"], env=environment(home),
                                   dimensions=(40, 120), encoding="utf-8", timeout=15)
        self.child.expect(r"sandbox running at (http://127\.0\.0\.1:\d+) "
                          r"\(user azkaban, password azkaban\)")
        self.url = self.child.match.group(1)
        self.host = self.url.split("://", 1)[1]
        self.prompt = r"(?s)\x1b\[\?2004h.*?" + re.escape(f"azkaban@{self.host}>")


def test_sandbox_option_interactively(tmp_path: Path) -> None:
    sh = SandboxShell(tmp_path)
    try:
        sh.expect_prompt()
        empty = sh.line("projects").replace("\r", "")
        assert re.search(r"^PROJECT +ID +MODIFIED BY +CREATED +USERS\n\(none\)$", empty,
                         re.MULTILINE), empty
        sh.line("create demo")
        listed = ANSI.sub("", sh.line("projects")).replace("\r", "")
        assert re.search(r"^demo +\d+ +azkaban ", listed, re.MULTILINE), listed
        assert sh.exit() == 0
    finally:
        sh.kill()
