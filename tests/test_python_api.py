"""The documented Python API: docs/api.md's complete example runs as written (against the
sandbox), and the pytest plugin gives users' own tests an Azkaban sandbox."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
API_DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def test_the_complete_example_runs(tmp_path: Path, sandbox: Any) -> None:
    example = re.search(r"```python\n(.*?)```", API_DOC, re.S)
    assert example is not None
    code = example.group(1)
    assert "http://localhost:8081" in code
    done = subprocess.run([sys.executable, "-c", code.replace("http://localhost:8081",
                                                              sandbox.url)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"uploaded version \d+", lines[0])
    assert re.fullmatch(r"execution \d+ SUCCEEDED", lines[1])
    assert any(line.endswith("hello world") for line in lines)
    assert lines[-1].startswith("error: ")


def test_the_package_is_typed() -> None:
    assert (ROOT / "azshell" / "py.typed").exists()


USER_TESTS = '''
import pytest

from azshell.errors import ApiError


def test_a_project_runs(azkaban_sandbox, azkaban_client, azkaban_upload, tmp_path):
    (tmp_path / "hi.job").write_text("type=command\\ncommand=echo hi from ${who}\\n")
    assert azkaban_upload("mine", tmp_path)["version"] >= 1
    assert azkaban_client.flows("mine")
    assert azkaban_sandbox.url.startswith("http://127.0.0.1:")


def test_a_broken_project_is_refused(azkaban_upload, tmp_path):
    (tmp_path / "a.job").write_text("type=command\\ncommand=true\\ndependencies=nope\\n")
    with pytest.raises(ApiError, match="cannot find dependency nope"):  # Azkaban's own words
        azkaban_upload("broken", tmp_path)


def test_a_schedule_fires_when_the_test_says(azkaban_sandbox, azkaban_client, azkaban_upload,
                                              tmp_path):
    (tmp_path / "tick.job").write_text("type=command\\ncommand=echo tick\\n")
    azkaban_upload("ticks", tmp_path)
    schedule_id = azkaban_client.schedule_cron("ticks", "tick", "0 0 2 ? * *")
    due = azkaban_sandbox.state.schedules[schedule_id].next_exec_time
    assert azkaban_sandbox.schedules.fire_due(due - 1) == []
    [execid] = azkaban_sandbox.schedules.fire_due(due)
    assert azkaban_client.execution(execid)["flowId"] == "tick"
'''


def test_the_pytest_plugin_gives_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(textwrap.dedent(USER_TESTS))
    for extra in ([], ["-p", "azshell.testing"]):  # by its entry point, or named
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               *extra, "test_mine.py"], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "3 passed" in done.stdout
