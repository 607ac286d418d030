"""The command table: complete, consistent, and documented in full sentences."""

from __future__ import annotations

import importlib

import pytest

from azshell.shell import commands
from azshell.shell.commands import COMMANDS, GROUPS, SETTINGS, find, names
from azshell.shell.parser import parse

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
        ("execute", "execute PROJECT FLOW [--disable JOB]... [--param KEY=VALUE]... "
                    "[--concurrent MODE] [--on-failure ACTION] [--notify-failure EMAILS] "
                    "[--notify-success EMAILS] [--wait] [--timeout SECONDS]"),
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
