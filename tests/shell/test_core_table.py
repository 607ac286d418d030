"""The command table: complete, consistent, and documented in full sentences."""

from __future__ import annotations

import importlib

import pytest

from azshell.shell.line import commands
from azshell.shell.line.commands import COMMANDS, GROUPS, SETTINGS, find, names
from azshell.shell.line.parser import parse

REQUIRED = {
    "login", "logout", "connect", "whoami", "projects", "create", "delete", "upload", "flows",
    "jobs", "execute", "show", "call", "set", "help", "history", "exit",
}


def test_every_required_command_is_in_the_table() -> None:
    assert set(names()) >= REQUIRED
    assert find("quit") is find("exit")


def test_names_and_aliases_are_unique() -> None:
    words = [w for c in COMMANDS for w in (c.name, *c.aliases)]
    assert len(words) == len(set(words))


def test_no_command_word_looks_like_a_server_address() -> None:
    """`azshell URL ...` reads a word with one of ``.:/[`` as a server without the table."""
    from azshell.cli import _address_like

    assert not [w for c in COMMANDS for w in (c.name, *c.aliases) if _address_like(w)]
    assert _address_like("localhost:8081")
    assert _address_like("http://h")


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_every_help_text_is_a_sentence(cmd: commands.Command) -> None:
    assert cmd.summary.endswith("."), cmd.summary
    for arg in cmd.args:
        assert arg.help.endswith("."), (cmd.name, arg.name)
        assert arg.kind in commands.ARG_KINDS, (cmd.name, arg.kind)
    for opt in cmd.options:
        assert opt.help.endswith("."), (cmd.name, opt.flags)
        assert opt.kind == "flag" or opt.kind in commands.ARG_KINDS


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_examples_that_parse(cmd: commands.Command) -> None:
    assert cmd.examples
    for example in cmd.examples:
        inv = parse(example)
        assert inv is not None, example
        assert inv.command is cmd, example


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_every_handler_exists(cmd: commands.Command) -> None:
    module, _, func = cmd.handler.partition(":")
    assert callable(getattr(importlib.import_module(module), func))


def test_groups_are_known() -> None:
    known = {g for g, _ in GROUPS}
    assert {c.group for c in COMMANDS} <= known


@pytest.mark.parametrize(
    ("name", "usage"),
    [
        ("upload", "upload PROJECT PATH [--create] [--allow-empty] [--plan] [--if-changed] "
                   "[--no-lint]"),
        ("projects", "projects [--all]"),
        ("call", "call [METHOD] PATH [KEY=VALUE]..."),
        ("show", "show [EXECID]"),
        ("delete", "delete PROJECT [--yes]"),
        ("execute", "execute PROJECT FLOW [FLOW]... [--disable JOB]... [--param KEY=VALUE]... "
                    "[--concurrent MODE] [--on-failure ACTION] [--notify-failure EMAILS] "
                    "[--notify-success EMAILS] [--wait] [--timeout SECONDS] [--notify] "
                    "[--on-done COMMAND]"),
    ],
)
def test_usage_strings(name: str, usage: str) -> None:
    cmd = find(name)
    assert cmd is not None
    assert cmd.usage() == usage


def test_set_names_every_setting() -> None:
    set_cmd = find("set")
    assert set_cmd is not None
    assert set(set_cmd.args[0].choices) == set(SETTINGS)
    assert {"output", "color", "verbose", "timing", "pager", "toolbar"} <= set(SETTINGS)


def test_secret_commands_are_marked() -> None:
    assert find("login").secret
    assert find("connect").secret
    assert not find("projects").secret


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if c.table], ids=lambda c: c.name)
def test_every_table_renderer_is_a_reference_that_loads(cmd: commands.Command) -> None:
    """A table is a ``module:function`` like the handler, so it never depends on another
    module having been imported first (it used to fall back to JSON silently)."""
    module, _, name = cmd.table.partition(":")
    renderer = commands.load(cmd.table)
    assert callable(renderer)
    assert (renderer.__module__, renderer.__name__) == (module, name)


def test_a_table_renders_without_its_handler_module_imported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from azshell.shell.run.context import new_context
    from azshell.shell.run.dispatch import emit
    from azshell.shell.session.settings import Settings

    class TTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delitem(sys.modules, "azshell.shell.handlers.schedules", raising=False)
    out = TTY()
    ctx = new_context(Settings(pager=False, color="off"), interactive=True, stdout=out,
                      stderr=TTY())
    emit(ctx, find("schedules"), [{"scheduleId": 7, "projectName": "demo", "flowName": "main",
                                   "cron": "0 0 2 * * ?", "nextRun": "tomorrow"}])
    assert out.getvalue().splitlines()[0].split()[:4] == ["ID", "PROJECT", "FLOW", "CRON"]


def test_every_name_effect_is_known() -> None:
    from azshell.shell.names.learning import EFFECTS

    declared = {c.learns for c in COMMANDS if c.learns}
    assert declared <= set(EFFECTS)
    assert set(EFFECTS) <= declared  # no effect that no command uses


def test_every_kind_has_its_completion_source_and_style() -> None:
    from azshell.shell.interactive import lexer
    from azshell.shell.interactive.completer import ShellCompleter
    from azshell.shell.line.kinds import KINDS

    used = {a.kind for c in COMMANDS for a in c.args}
    used |= {o.kind for c in COMMANDS for o in c.options if o.kind != "flag"}
    assert used == set(KINDS)  # every kind is used, every kind used is defined
    styles = set(lexer.STYLES)
    for kind in KINDS.values():
        assert not kind.complete or callable(getattr(ShellCompleter, f"complete_{kind.complete}"))
        assert not kind.style or kind.style in styles, kind


def test_dependent_choices_are_declared_once() -> None:
    value = find("set").args[1]
    assert value.choices_for({"name": "output"}) == SETTINGS["output"]
    assert value.choices_for({"name": "PAGER"}) == SETTINGS["pager"]
    assert value.choices_for({}) == ()
