"""The debugging aids in the interactive shell, in a real terminal: `set verbose on`,
`set timing on`, `curl` as text, and verbose lines during `execute --wait`'s live display."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pty_harness import ANSI

pytestmark = pytest.mark.pty

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    """A project with the flow1-etl example."""
    client.create_project(project_name, "debug pty test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "p.zip"))
    return project_name


def seen_lines(raw: str) -> list[str]:
    """The lines as a terminal shows them: a carriage return lets the text after it overwrite
    what came before (the live view clears the rest of the line when it does that)."""
    text = ANSI.sub("", raw).replace("\r\n", "\n")
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n")]


def test_verbose_timing_and_curl_in_the_interactive_shell(shell: Any, sandbox: Any,
                                                          etl: str) -> None:
    project_name = etl
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.line("set verbose on")
    shown = sh.line(f"flows {project_name}")
    assert re.search(rf"→ GET /manager ajax=fetchprojectflows project={project_name} "
                     r"cookie=<session>  ← 200 \d+ B [\d.]+ m?s", shown), shown
    sh.line("set verbose off")
    sh.line("set timing on")
    timed = sh.line(f"flows {project_name}")
    assert "→ GET" not in timed
    assert re.search(r"took \d\.\d{2,3} s", timed), timed
    sh.line("set timing off")
    printed = sh.line("curl")
    assert "# set AZKABAN_SESSION to your session id first" in printed
    assert f"--data-urlencode project={project_name}" in printed
    assert '-b "azkaban.browser.session.id=$AZKABAN_SESSION"' in printed  # never in the URL
    assert "session.id=$" not in printed.replace("azkaban.browser.session.id=$", "")
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", printed)  # no session id
    assert sh.exit() == 0


def test_verbose_lines_do_not_garble_the_live_display(shell: Any, sandbox: Any,
                                                      etl: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.line("set verbose on")
    sh.child.send(f"execute {etl} finish --wait\r")
    sh.child.expect(sh.prompt, timeout=30)
    raw = sh.child.before
    lines = seen_lines(raw)
    polls = [line for line in lines if "ajax=fetchexecflowupdate" in line]
    assert polls, lines
    for line in polls:  # each verbose line replaces the status line, not glued after it
        assert line.startswith("→ GET /executor ajax=fetchexecflowupdate"), line
    assert "\r\x1b[K→ GET /executor ajax=fetchexecflowupdate" in raw
    assert any("SUCCEEDED" in line for line in lines)
    assert sh.exit() == 0
