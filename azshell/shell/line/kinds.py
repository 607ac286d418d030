"""What an argument's value is: one object per kind says how a value is checked and converted
(the parser), where completion finds values (the completer) and how a value is shown (the input
lexer). The command table names a kind for each argument and option (``Arg.kind``); adding a
kind is one entry in ``KINDS`` (plus a completion source or a style if it needs a new one).

Light on purpose: the command table imports it, and scripts never import prompt_toolkit.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azshell.errors import UsageError


# eq and repr are not generated: start-up speed (line/commands.py says why)
@dataclass(frozen=True, eq=False, repr=False)
class Kind:
    """One kind of value.

    ``parse``: ``(word, what) -> value``, raising UsageError (None: the word as is);
    ``choices``: the value must be one of the argument's choices (and is normalized: ``method``
    upper case, the others lower case);
    ``complete``: the completer's source of values (``ShellCompleter.complete_<source>``; "" =
    none beyond the argument's choices);
    ``style``: how the input lexer shows a value (``lexer.STYLES``; "" = plain).
    """

    name: str
    meaning: str
    parse: Callable[[str, str], Any] | None = None
    choices: bool = False
    complete: str = ""
    style: str = ""

    def convert(self, word: str, choices: tuple[str, ...], what: str) -> Any:
        """The value of ``word`` for the argument (or option) ``what``."""
        if self.parse is not None:
            return self.parse(word, what)
        if choices and self.choices:
            if not fits_choices(word, choices):
                raise UsageError(f"{what} must be one of {', '.join(choices)}, not {word!r}")
            return word.upper() if self.name == "method" else word.lower()
        return word


def fits_choices(value: str, choices: tuple[str, ...]) -> bool:
    """Is ``value`` one of ``choices``? ``pipeline:1`` among them admits any ``pipeline:N``."""
    low = value.lower()
    if low in (c.lower() for c in choices):
        return True
    for choice in choices:
        m = re.fullmatch(r"([a-z]+):\d+", choice)
        if m and re.fullmatch(rf"{m.group(1)}:[1-9]\d*", low):
            return True
    return False


def execution_url(word: str) -> tuple[int, str | None] | None:
    """``(execid, job)`` from a web UI address pasted as is: ``http://host:8081/executor?
    execid=42&job=load`` (also ``jobId=``, and ``#jobslist`` or other fragments); else None."""
    if "execid=" not in word or not re.match(r"(?i)(https?://|[^\s?]*executor\?)", word):
        return None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(word).query)
    execid = (query.get("execid") or [""])[0]
    if not re.fullmatch(r"[1-9]\d*", execid):
        return None
    job = (query.get("job") or query.get("jobId") or [""])[0]
    return int(execid), job or None


def looks_like_execid(word: str) -> bool:
    """A number, or an execution's address (for the lexer and for skipping [EXECID])."""
    return word.isdigit() or execution_url(word) is not None


def _execid(word: str, what: str) -> int:
    found = execution_url(word)
    if found is not None:
        return found[0]
    if not re.fullmatch(r"[1-9]\d*", word):
        raise UsageError(f"{what} must be a positive execution id, not {word!r}")
    return int(word)


MAX_NUMBER = 999_999_999  # ids and counts fit Azkaban's Java int


def _number(word: str, what: str) -> int:
    if not re.fullmatch(r"[1-9]\d*", word):
        raise UsageError(f"{what} must be a positive number, not {word!r}")
    return _not_too_large(word, what)


def _count(word: str, what: str) -> int:
    if not re.fullmatch(r"0|[1-9]\d*", word):
        raise UsageError(f"{what} must be a number (0 or more), not {word!r}")
    return _not_too_large(word, what)


def _not_too_large(word: str, what: str) -> int:
    if len(word) > len(str(MAX_NUMBER)) or int(word) > MAX_NUMBER:
        shown = word if len(word) <= 20 else word[:20] + "…"
        raise UsageError(f"{what} {shown} is too large (at most {MAX_NUMBER})")
    return int(word)


def _keyvalue(word: str, what: str) -> tuple[str, str]:
    key, eq, value = word.partition("=")
    if not eq or not key:
        raise UsageError(f"{what} must look like KEY=VALUE, not {word!r}")
    return (key, value)


def _emails(word: str, what: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", word) if w]


_KINDS = (
    Kind("project", "a project's name (those seen complete)", complete="projects", style="name"),
    Kind("flow", "a flow of the PROJECT before it", complete="flows", style="name"),
    Kind("job", "a job of the FLOW before it (sub:job inside an embedded flow)",
         complete="jobs", style="name"),
    Kind("execid", "an execution id, or its address in the web UI", parse=_execid,
         complete="executions", style="execid"),
    Kind("path", "a local file or directory", complete="paths", style="path"),
    Kind("enum", "one of the argument's choices", choices=True, style="choice"),
    Kind("method", "an HTTP method", choices=True, style="choice"),
    Kind("setting", "a shell setting's name", choices=True, complete="settings",
         style="choice"),
    Kind("text", "any text", style="text"),
    Kind("keyvalue", "KEY=VALUE", parse=_keyvalue, style="keyvalue"),
    Kind("ajax-param", "a request parameter, KEY=VALUE", parse=_keyvalue,
         complete="ajax_params", style="keyvalue"),
    Kind("command", "a command's name", complete="commands"),
    Kind("cron", "a cron expression or one of its fields", style="cron"),
    Kind("email", "e-mail addresses, comma-separated", parse=_emails),
    Kind("number", "a positive number", parse=_number),
    Kind("count", "a number, 0 or more", parse=_count),
    Kind("server", "a server's address (those of the saved sessions complete)",
         complete="servers"),
    Kind("account", "a user name (those of the saved sessions complete)", complete="accounts"),
    Kind("principal", "any user or group seen", complete="principals"),
    Kind("holder", "a user or group with a permission on the PROJECT", complete="principals"),
    Kind("proxy-user", "for `add` any user seen, for `remove` the project's proxy users",
         complete="principals"),
    Kind("servlet", "a servlet path (its choices are offered, any path is sent)"),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}
