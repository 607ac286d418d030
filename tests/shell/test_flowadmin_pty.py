"""The installed `azshell` in a real pseudo-terminal (pexpect): purge asks first (n keeps the
files, y purges) but never about an active project, `flow` reads as a block, not JSON, and
`job` takes the embedded flow's job that Tab offers."""

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
    assert f"project {pid} not purged" in sh.expect_prompt()
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


def test_purge_of_an_active_project_asks_nothing(shell: Any, sandbox: Any, client: Any,
                                                 project: str) -> None:
    pid = client.project_id(project)
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    out = sh.line(f"purge {pid}").replace("\r", "")
    assert f"error: Project {project} should be deleted before purging" in out
    assert "[y/N]" not in out
    assert client.project_id(project) == pid
    assert sh.exit() == 0


def test_job_takes_the_embedded_job_that_tab_offers(shell: Any, sandbox: Any, client: Any,
                                                    upload_example: Any,
                                                    project_name: str) -> None:
    """``jobs`` teaches process:step_a; Tab offers it after ``job``, and ``job`` takes it."""
    upload_example("flow2-pipeline", project_name)
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    assert "process:step_a" in sh.line(f"jobs {project_name} pipeline")
    sh.child.send(f"job {project_name} pipeline process:step_")
    sh.child.expect(re.escape("process:step_"))
    sh.child.send("\t")
    sh.child.expect("step_a")
    sh.child.send("\r\r")  # the first Enter takes the menu entry, the second runs the line
    out = sh.expect_prompt().replace("\r", "")
    assert re.search(rf"^job\s+process:step_a \(embedded flow pipeline:process in flow "
                     rf"pipeline, project {project_name}\)$", out, re.M), out
    assert "error" not in out
    assert sh.exit() == 0
