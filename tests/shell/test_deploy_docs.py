"""The deploy docs say what the code does: the schedules file of operators.md is what `apply`
reads, and every command of the CI pipeline in scripts.md parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from azshell.shell.handlers.schedfile import export_yaml, read_file
from azshell.shell.line.parser import parse

ROOT = Path(__file__).resolve().parents[2]
OPERATORS = (ROOT / "docs" / "operators.md").read_text(encoding="utf-8")
SCRIPTS = (ROOT / "docs" / "scripts.md").read_text(encoding="utf-8")


def test_the_schedules_file_of_the_guide_is_read_as_written(tmp_path: Path) -> None:
    (block,) = re.findall(r"```yaml\n(.*?)```", OPERATORS, re.S)
    path = tmp_path / "s.yaml"
    path.write_text(block, encoding="utf-8")
    (entry,) = read_file(path)
    assert entry["cron"] == "0 30 2 ? * 2-6"
    assert entry["options"] == {"disabled": ["slow_job"], "params": {"env": "prod"},
                                "notify_failure": ["ops@example.com"]}  # defaults left out
    assert [r["rule"] for r in entry["sla"]["rules"]] == ["success", "finish"]
    again = tmp_path / "again.yaml"
    again.write_text(export_yaml([entry]), encoding="utf-8")
    assert read_file(again) == [entry]  # export writes what apply reads


def test_every_command_of_the_ci_pipeline_parses() -> None:
    section = SCRIPTS.split("## A CI pipeline", 1)[1]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)[:1]
    lines = [shlex.split(line.split("#", 1)[0])[2] for line in block.splitlines()
             if line.startswith("azshell -c")]
    assert [parse(line).command.name for line in lines] == [
        "lint", "plan", "upload", "schedules"]
    assert parse(lines[2]).values["if_changed"] is True
