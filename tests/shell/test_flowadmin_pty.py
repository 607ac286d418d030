"""The installed `azshell` in a real pseudo-terminal (pexpect): purge asks first (n keeps the
files, y purges), and `flow` reads as a block, not JSON."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.pty


@pytest.fixture
def project(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """Flow ``b``: a -> b."""
    client.create_project(project_name, "pty test")
    client.upload_project(project_name, make_zip(tmp_path, {
        "a.job": "type=noop\n", "b.job": "type=noop\ndependencies=a\n"}))
    return project_name


def test_purge_asks_and_only_yes_purges(shell: Any, sandbox: Any, client: Any,
                                        project: str) -> None:
    pid = client.project_id(project)
    client.delete_project(project)
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    question = re.escape(f"Purge deleted project {pid}? Its stored versions go for good. [y/N]")
    sh.child.send(f"purge {pid}\r")
    sh.child.expect(question)
    sh.child.send("n\r")
    assert '"purged": false' in sh.expect_prompt()
    assert sandbox.state.project_by_id(pid).versions

    sh.child.send(f"purge {pid}\r")
    sh.child.expect(question)
    sh.child.send("y\r")
    purged = sh.expect_prompt()
    assert '"purged": true' in purged
    assert "error" not in purged
    assert sandbox.state.project_by_id(pid).versions == {}
    assert sh.exit() == 0


def test_flow_reads_as_a_block(shell: Any, sandbox: Any, project: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    out = sh.line(f"flow {project} b").replace("\r", "")
    assert re.search(r"^locked\s+no$", out, re.M)
    assert re.search(r"^jobs\s+2 jobs in 2 levels$", out, re.M)
    assert re.search(r"^next run\s+not scheduled$", out, re.M)
    assert "{" not in out
    assert sh.exit() == 0
