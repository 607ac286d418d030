"""Production guard rails a profile sets: ``read_only``, ``confirm = [...]``, and its label.

Checked before a command runs and before anything is sent (a read-only refusal costs no
request, not even a login). Which commands change the server's state is each command's own
fact in the table (``Command.changes``); ``tests/shell/test_guard.py`` checks that every command
says it, so a new command cannot slip past ``read_only`` unclassified.
"""

from __future__ import annotations

import re
from typing import Any

from azshell.errors import AzshellError, UsageError

# The Ajax calls `call` may send on a read-only profile: those that only fetch.
_READ_AJAX = re.compile(r"(fetch|get|is)[A-Za-z]*|flowInfo|checkForWritePermission")
_YES = re.compile(r"\s+(--yes|-y)\s*$")


def changes_state(name: str, values: dict[str, Any]) -> bool:
    """Whether running this command with these values would change state on the server (the
    table's ``Command.changes``)."""
    from azshell.shell.line.commands import find

    command = find(name)
    changes = command.changes if command is not None else False
    if not changes:
        return False
    if name == "call":
        return not _call_reads(values)
    return changes is True or values.get("action") in changes


def _call_reads(values: dict[str, Any]) -> bool:
    """A GET of /status, or of an Ajax call that only fetches, with nothing that deletes."""
    method = (values.get("method") or "GET").upper()
    params = dict(values.get("params") or [])
    path = "/" + str(values.get("path") or "").lstrip("/")
    if method != "GET" or "delete" in params or "action" in params:
        return False
    if path == "/status":
        return True
    return bool(_READ_AJAX.fullmatch(str(params.get("ajax") or "")))


def take_yes(settings: Any, line: str) -> tuple[str, bool]:
    """A trailing ``--yes`` confirms a command the profile's ``confirm`` lists; it is taken
    off the line for a command that has no ``--yes`` of its own (the parser would refuse it)."""
    from azshell.shell.line.commands import find

    words = line.split(None, 1)
    if not words or words[0] not in (settings.confirm or ()):
        return line, False
    found = _YES.search(line)
    if found is None:
        return line, False
    command = find(words[0])
    if command is not None and command.option("--yes") is not None:
        return line, True  # its own --yes stays; the parser sets values["yes"]
    return line[: found.start()], True


def check(ctx: Any, inv: Any, yes: bool) -> None:
    """Refuse a state change on a read-only profile; ask first for a command it confirms."""
    settings = ctx.settings
    name = inv.command.name
    where = f"profile {settings.profile}" if settings.profile else "this profile"
    if settings.read_only and changes_state(name, inv.values):
        raise AzshellError(f"{name}: refused, {where} is read-only (read_only = true); nothing "
                           "was sent")
    if name not in (settings.confirm or ()) or yes or inv.values.get("yes"):
        return
    if not ctx.interactive:
        raise UsageError(f"{name}: {where} asks before '{name}'; in a script add --yes")
    label = f"[{settings.label}] " if settings.label else ""
    if not ctx.confirm(f"{label}{where}: run '{inv.line.strip()}'?"):
        raise AzshellError(f"{name}: not confirmed; nothing was sent")


def label_style(settings: Any) -> str:
    """The prompt_toolkit style of the profile's label: ``bold ansired`` for ``red``."""
    return f"bold ansi{settings.label_color or 'red'}"
