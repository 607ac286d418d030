"""Guard rails of a profile: read_only refuses state changes before sending, confirm asks
first (scripts need --yes), and the label shows in the prompt and the toolbar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import make_shell

from azshell.errors import UsageError
from azshell.shell.line.commands import COMMANDS
from azshell.shell.run import guard
from azshell.shell.session.settings import load


def test_every_command_is_classified_as_a_read_or_a_state_change() -> None:
    """A new command must say which it is, or read_only would let it through unseen."""
    assert [c.name for c in COMMANDS if c.changes is None] == []
    for command in COMMANDS:  # actions named must be the command's own
        if isinstance(command.changes, frozenset):
            action = next(a for a in command.args if a.key == "action")
            assert command.changes <= set(action.choices), command.name


@pytest.mark.parametrize(("name", "values", "changes"), [
    ("execute", {}, True), ("show", {}, False), ("sla", {"action": "show"}, False),
    ("sla", {"action": "set"}, True), ("trigger", {"action": None}, False),
    ("trigger", {"action": "pause"}, True),
    ("call", {"method": None, "path": "/manager",
              "params": [("ajax", "fetchprojectflows")]}, False),
    ("call", {"method": None, "path": "status", "params": []}, False),
    ("call", {"method": "POST", "path": "/manager", "params": [("ajax", "fetchflowgraph")]},
     True),
    ("call", {"method": None, "path": "/executor", "params": [("ajax", "executeFlow")]}, True),
    ("call", {"method": None, "path": "/manager", "params": [("delete", "true")]}, True),
])
def test_changes_state(name: str, values: dict, changes: bool) -> None:
    assert guard.changes_state(name, values) is changes


def _settings(tmp_path: Path, body: str, profile: str = "prod") -> Any:
    config = tmp_path / "config.toml"
    config.write_text(body, encoding="utf-8")
    return load({"profile": profile}, environ={}, config_path=config)


def test_profile_keys_are_checked(tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[profiles.prod]\nurl = "http://x:1"\nlabel = "prod"\n'
                         'confirm = ["execute", "quit"]\nread_only = true\n')
    assert (settings.label, settings.confirm, settings.read_only) == (
        "prod", ("execute", "exit"), True)
    with pytest.raises(UsageError, match="unknown command 'nope'"):
        _settings(tmp_path, '[profiles.prod]\nconfirm = ["nope"]\n')
    with pytest.raises(UsageError, match="label_color must be one of"):
        _settings(tmp_path, '[profiles.prod]\nlabel_color = "pink"\n')
    with pytest.raises(UsageError, match="read_only must be true or false"):
        _settings(tmp_path, '[profiles.prod]\nread_only = "maybe"\n')


def test_read_only_refuses_a_state_change_before_sending_anything(client: Any,
                                                                  project_name: str) -> None:
    sh = make_shell(client)
    sh.ctx.settings.read_only = True
    sh.ctx.settings.profile = "prod"
    line = sh.fails(f"create {project_name}")
    assert line == ("error: create: refused, profile prod is read-only (read_only = true); "
                    "nothing was sent")
    assert sh.fails("call POST /executor ajax=executeFlow project=x flow=y").startswith(
        "error: call: refused")
    assert sh.seen == []  # not one request
    code, _, err = sh("projects")  # reads go through
    assert code == 0, err
    assert sh.seen


def test_confirm_in_a_script_needs_yes(client: Any, project_name: str) -> None:
    sh = make_shell(client)
    sh.ctx.settings.confirm = ("create", "delete")
    line = sh.fails(f"create {project_name}", code=2)
    assert line == "error: create: this profile asks before 'create'; in a script add --yes"
    assert sh.seen == []
    assert sh.json(f"create {project_name} --yes")["created"] is True  # taken off the line
    assert sh.json(f"delete {project_name} --yes")["deleted"] is True  # its own --yes


def test_confirm_asks_on_a_terminal_naming_the_command(client: Any, project_name: str) -> None:
    sh = make_shell(client, tty=True)
    sh.ctx.settings.confirm = ("create",)
    sh.ctx.settings.label = "prod"
    asked: list[str] = []
    answers = iter([False, True])
    sh.ctx.confirm = lambda question: asked.append(question) or next(answers)
    code, _, err = sh(f"create {project_name}")
    assert code == 1
    assert "not confirmed; nothing was sent" in err
    assert sh.seen == []
    code, _, err = sh(f"create {project_name}")
    assert code == 0, err
    assert asked == [f"[prod] this profile: run 'create {project_name}'?"] * 2


def test_take_yes_only_for_confirmed_commands() -> None:
    class S:
        confirm = ("cancel",)

    assert guard.take_yes(S(), "cancel 42 --yes") == ("cancel 42", True)
    assert guard.take_yes(S(), "cancel 42") == ("cancel 42", False)
    assert guard.take_yes(S(), "pause 42 --yes") == ("pause 42 --yes", False)


def test_the_label_leads_the_prompt_and_the_toolbar(client: Any) -> None:
    from azshell.shell.interactive.toolbar import Status, prompt_fragments, session_fragments

    sh = make_shell(client, tty=True)
    sh.ctx.settings.label = "prod"
    sh.ctx.settings.read_only = True
    fragments = prompt_fragments(sh.ctx)
    assert fragments[0] == ("bold ansired", "[prod]")
    assert "".join(t for _, t in fragments).startswith("[prod] azkaban@")
    toolbar = session_fragments(sh.ctx, Status(), None)
    assert ("bold ansired", "[prod read-only]") in toolbar
    sh.ctx.settings.label = ""
    assert prompt_fragments(sh.ctx) == f"azkaban@{client.url.split('://')[1]}> "


@pytest.mark.pty
def test_a_production_profile_in_a_terminal(shell: Any, sandbox: Any, pty_home: Path,
                                            project_name: str, client: Any) -> None:
    """The label leads the prompt; a confirmed command asks on the terminal; read-only
    refuses."""
    config = pty_home / "config" / "azshell" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.prod]\nurl = "{sandbox.url}"\nuser = "azkaban"\n'
                      'label = "prod"\nconfirm = ["create"]\n', encoding="utf-8")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban", AZSHELL_PROFILE="prod",
               AZSHELL_CONFIG=str(config))
    sh.expect_prompt()
    assert "\x1b[0;31;1m[prod]\x1b[0m azkaban@" in sh.child.after  # in red, before the prompt
    sh.child.send(f"create {project_name}\r")
    sh.child.expect(rf"\[prod\] profile prod: run 'create {project_name}'\? \[y/N\]")
    sh.child.send("n\r")
    out = sh.expect_prompt()
    assert "create: not confirmed; nothing was sent" in out
    assert project_name not in [p["projectName"] for p in client.projects()]
