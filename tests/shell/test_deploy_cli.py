"""The deploy commands from the command table: completion, help, and the installed azshell in
a CI-like script (lint, plan, upload --if-changed, schedules apply) with its exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from api_support import AZSHELL, EXAMPLES, Az, documents
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.line.commands import find
from azshell.shell.line.docs import command_help
from azshell.shell.names.book import NameBook


def texts(line: str) -> list[str]:
    book = NameBook(None)
    book.add_projects([("demo", "")])
    book.add_flows("demo", [("main", "")])
    completer = ShellCompleter(lambda: book)
    return [c.text for c in completer.get_completions(Document(line), CompleteEvent())]


@pytest.mark.parametrize(("line", "expected"), [
    ("pla", ["plan"]), ("lin", ["lint"]), ("backf", ["backfill"]), ("tes", ["test"]),
    ("schedules ", ["list", "export", "apply"]), ("schedules export d", ["demo"]),
    ("backfill demo ", ["main"]), ("upload demo . --if", ["--if-changed"]),
    ("backfill demo main --par", ["--param", "--parallel"]),
    ("schedules apply x --", ["--yes", "--prune", "--plan"]),
])
def test_completion_comes_from_the_table(line: str, expected: list[str]) -> None:
    assert texts(line)[:len(expected)] == expected  # prefix matches first, fuzzy ones after


def test_lint_and_plan_paths_are_directories_and_zips(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert texts(f"lint {tmp_path}/") == ["proj/"]  # a directory comes with its slash
    assert texts(f"plan demo {tmp_path}/") == ["proj/"]


@pytest.mark.parametrize("name", ["plan", "diff", "lint", "test", "backfill", "schedules"])
def test_each_command_has_help_with_an_example(name: str) -> None:
    command = find(name)
    assert command is not None
    assert command.examples
    assert "examples:\n  " in command_help(command)


def test_lint_in_a_script_exit_codes_and_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.job").write_text("type=command\ncommand=./gone.sh\n")
    ok = subprocess.run([AZSHELL, "-c", f"lint {EXAMPLES / 'flow2-pipeline'}"], input="",
                        capture_output=True, text=True, timeout=60, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    failed = subprocess.run([AZSHELL, "-c", f"lint {bad}"], input="", capture_output=True,
                            text=True, timeout=60, check=False)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["findings"][0]["check"] == "script-missing"
    assert failed.stderr.strip() == f"-c:1: error: lint: 1 error in {bad}"


def test_a_ci_pipeline(sandbox_url: str, tmp_path: Path, project_name: str) -> None:
    """docs/scripts.md's pipeline: lint, plan, upload --if-changed, schedules apply."""
    az = Az(tmp_path / "home", sandbox_url)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "daily.job").write_text("type=command\ncommand=echo ${date}\n")
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text(f"schedules:\n- project: {project_name}\n  flow: daily\n"
                         "  cron: '30 2 * * *'\n  options:\n    params: {date: today}\n")
    script = [f"lint {project}", f"plan {project_name} {project}",
              f"upload {project_name} {project} --if-changed",
              f"schedules apply {schedules} --yes"]
    first = az(*(word for line in [f"create {project_name}", *script]
                 for word in ("-c", line)))
    assert first.returncode == 0, first.stderr
    docs = documents(first.stdout)
    assert docs[2]["changed"] is True
    assert docs[3]["changed"] is True
    assert [c["action"] for c in docs[4]["changes"]] == ["add"]
    again = az(*(word for line in script for word in ("-c", line)))
    assert again.returncode == 0, again.stderr
    docs = documents(again.stdout)
    assert docs[1]["changed"] is False
    assert docs[2] == {"ok": True, "project": project_name, "changed": False,
                       "unchanged": True}
    assert docs[3]["changes"] == []
