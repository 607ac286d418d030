"""The new commands in a real terminal: how a cron was read, the schedules and SLA tables, the
server summary, and the progress bar of a large upload (its line redrawn, then ended)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.pty

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def screen(raw: str) -> str:
    """What stays on the screen: a carriage return starts the line again."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in re.sub(r"\r+\n", "\n", raw).split("\n"))


def test_schedules_slas_server_and_a_large_upload(shell: Any, sandbox: Any, tmp_path: Path,
                                                  project_name: str) -> None:
    source = tmp_path / "big"
    shutil.copytree(EXAMPLES / "flow1-etl", source)
    (source / "bundle.bin").write_bytes(os.urandom(4 << 20))
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()

    raw = sh.line(f"upload {project_name} {source} --create")
    shown = screen(raw)
    assert f"{source}: 2 flow(s): audit, finish" in shown
    assert re.search(r"uploading big: sent 4\.0 MiB in [\d.]+ s \([\d.]+ \w?i?B/s\); the server "
                     "is installing it", shown), shown
    assert re.search(r"\ruploading big \[[█░]+\]\s+\d+%\s+[\d.]+ \w?i?B of 4\.0 MiB", raw), raw

    shown = screen(sh.line(f'schedule {project_name} finish "30 2 * * 1-5"'))
    assert "read as Quartz '0 30 2 ? * 2-6' (seconds first): at 02:30 on MON-FRI" in shown
    assert re.search(r"next runs \(\S+, this machine's time\): \d{4}-", shown)

    shown = screen(sh.line("schedules"))
    assert re.search(rf"\d+\s+{project_name}\s+finish\s+0 30 2 \? \* 2-6\s+\d{{4}}-", shown)

    sh.line(f"sla set {project_name} finish --rule success --within 1:15 --kill")
    shown = screen(sh.line(f"sla {project_name} finish"))
    assert re.search(r"\(flow\)\s+SUCCESS\s+1:15\s+KILL", shown), shown

    shown = screen(sh.line("server"))
    assert re.search(r"executors\s+1 active of 1", shown)
    assert "Traceback" not in shown
    assert sh.exit() == 0
