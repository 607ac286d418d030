"""docs/commands.md is generated from the table; help reads the same table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from azshell.shell.line.commands import COMMANDS, find
from azshell.shell.line.docs import command_data, command_help, markdown, overview

ROOT = Path(__file__).resolve().parents[2]


def test_commands_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/commands.md is out of date: run "
        "`python -m azshell.shell.line.docs > docs/commands.md`"
    )


def test_the_module_prints_the_reference() -> None:
    done = subprocess.run([sys.executable, "-m", "azshell.shell.line.docs"], capture_output=True,
                          text=True, check=True)
    assert done.stdout == markdown()


def test_every_command_is_documented() -> None:
    text = markdown()
    for cmd in COMMANDS:
        assert f"### {cmd.name}\n" in text
        assert cmd.usage() in text
        for example in cmd.examples:
            assert example in text


def test_help_of_one_command() -> None:
    text = command_help(find("upload"))
    assert text.startswith("usage: upload PROJECT PATH [--create] [--allow-empty] [--plan] "
                           "[--if-changed] [--no-lint]\n")
    assert "--create" in text
    assert "examples:\n  upload demo ./demo" in text
    data = command_data(find("upload"))
    assert data["usage"] == ("upload PROJECT PATH [--create] [--allow-empty] [--plan] "
                             "[--if-changed] [--no-lint]")
    assert data["options"][0]["flags"] == "--create"


def test_overview_lists_every_command() -> None:
    text = overview()
    for cmd in COMMANDS:
        assert f"  {cmd.name} " in text


def test_scripts_md_and_help_list_every_exit_code() -> None:
    from azshell.options import EPILOG
    from azshell.shell.run.exitcodes import MEANINGS

    text = (ROOT / "docs" / "scripts.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, meaning in MEANINGS:
        assert f"| {code} | {meaning} |" in text
        assert f"| {code} | {meaning} |" in readme
        assert f"{code} " in EPILOG


def test_the_shell_offers_the_permissions_the_client_sends() -> None:
    from azshell.client.projects import PERMISSION_TYPES
    from azshell.shell.line.commands import PERMISSIONS, find

    assert sorted(PERMISSIONS) == sorted(PERMISSION_TYPES)
    grant, revoke = find("grant"), find("revoke")
    assert grant is not None
    assert revoke is not None
    assert grant.args[-1].choices == revoke.args[-1].choices == PERMISSIONS
