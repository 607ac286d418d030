"""The bottom toolbar: where you are, whether the session is good, and how to finish the line.

Two lines' worth of facts in one: server, user, session state, the last execution, and the syntax
of the command being typed (``Command.usage()`` from the table) with the word at the cursor in
bold, so the table that parses the line also explains it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # prompt_toolkit's own type, without importing it for scripts
    from prompt_toolkit.formatted_text import StyleAndTextTuples as Fragments

    from azshell.shell.line.commands import Command
    from azshell.shell.line.parser import Position
else:
    Fragments = list


# eq and repr are not generated: start-up speed (line/commands.py says why)
@dataclass(eq=False, repr=False)
class Status:
    """What the background work found out; written by the refresher thread, read by the toolbar."""

    session: str = "unknown"  # unknown | checking | valid | expired | offline | none
    names: str = ""  # "" | loading | refreshing
    note: str = ""  # e.g. the refresher's last error, one line
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, **changes: str) -> None:
        with self.lock:
            for key, value in changes.items():
                setattr(self, key, value)


def server_label(url: str | None) -> str:
    """``localhost:8081`` for ``http://localhost:8081``; the scheme only when it is https."""
    if not url:
        return ""
    # `azshell localhost:8081`: urlsplit would read "localhost" as the scheme and 8081 as the path
    parts = urlsplit(url if "://" in url else f"http://{url}")
    label = parts.netloc or url
    if parts.path.strip("/"):
        label += parts.path.rstrip("/")
    return f"https://{label}" if parts.scheme == "https" else label


def prompt_text(ctx: Any, user: str | None = None) -> str:
    """``azkaban@localhost:8081> `` when connected (or configured), ``azshell> `` otherwise;
    ``user`` stands in for the configured user until the client exists."""
    client = ctx.session.connected
    url = getattr(client, "url", None) or ctx.settings.url
    user = getattr(client, "user", None) or ctx.settings.user or user
    if not url:
        return "azshell> "
    where = server_label(url)
    return f"{user}@{where}> " if user else f"{where}> "


def prompt_fragments(ctx: Any, user: str | None = None) -> str | Fragments:
    """The prompt, after the profile's label in its colour (``[prod]`` in red) if it has one;
    the plain text without a label."""
    label = getattr(ctx.settings, "label", "")
    text = prompt_text(ctx, user)
    if not label:
        return text
    from azshell.shell.run.guard import label_style

    return [(label_style(ctx.settings), f"[{label}]"), ("", " " + text)]


def usage_fragments(command: Command, pos: Position, width: int = 10_000) -> Fragments:
    """The command's syntax with the argument or option at the cursor in bold.

    When it is wider than ``width`` the options not being typed shrink to ``[OPTIONS]``, and
    then the end is cut.
    """
    out: Fragments = [("class:bottom-toolbar.command", command.name)]
    for arg in command.args:
        style = "class:bottom-toolbar.current" if arg is pos.arg and not pos.option else ""
        out += [("", " "), (style, arg.usage())]
    options: Fragments = []
    for opt in command.options:
        style = "class:bottom-toolbar.current" if opt is pos.option else ""
        options += [("", " "), (style, opt.usage())]
    if _width(out + options) > width:
        current = [f for f in options if f[0]]
        options = [("", " [OPTIONS]"), *[f for c in current for f in (("", " "), c)]]
    return _cut(out + options, width)


def _width(fragments: Fragments) -> int:
    return sum(len(fragment[1]) for fragment in fragments)


def _cut(fragments: Fragments, width: int) -> Fragments:
    """At most ``width`` characters, the last one an ellipsis when something was cut."""
    if _width(fragments) <= width:
        return fragments
    out: Fragments = []
    room = max(width - 1, 0)
    for fragment in fragments:
        style, text = fragment[0], fragment[1]
        if len(text) >= room:
            out.append((style, text[:room]))
            break
        out.append((style, text))
        room -= len(text)
    return [*out, ("", "…")]


def session_fragments(ctx: Any, status: Status, book: Any) -> Fragments:
    """Server, user, session state, names state and the last execution."""
    client = ctx.session.connected
    url = getattr(client, "url", None) or ctx.settings.url
    if not url:
        return [("", " not connected: type 'connect URL' ")]
    user = getattr(client, "user", None) or ctx.settings.user or "?"
    state = status.session
    state_style = {"valid": "class:bottom-toolbar.ok", "expired": "class:bottom-toolbar.warn",
                   "offline": "class:bottom-toolbar.warn"}.get(state, "")
    out: Fragments = [("", f" {user}@{server_label(url)}  session "), (state_style, state)]
    label = getattr(ctx.settings, "label", "")
    if label:
        from azshell.shell.run.guard import label_style

        read_only = " read-only" if getattr(ctx.settings, "read_only", False) else ""
        out = [("", " "), (label_style(ctx.settings), f"[{label}{read_only}]"), *out]
    if status.names:
        out.append(("", f"  names {status.names}"))
    last = getattr(ctx, "last_execid", None)
    if last is not None:
        out.append(("", f"  last exec {last}"))
        seen = _exec_status(book, last)
        if seen:
            from azshell.shell.interactive.styles import status_style

            out += [("", " "), (status_style(seen), seen)]
    if status.note:
        out.append(("class:bottom-toolbar.warn", f"  {status.note}"))
    return [*out, ("", " ")]


def _exec_status(book: Any, execid: int) -> str:
    known = book.execution(execid) if book is not None else None
    return known.status if known is not None and known.status else ""


def make_toolbar(
    ctx: Any,
    status: Status,
    book: Callable[[], Any],
    text: Callable[[], str],
    columns: Callable[[], int] = lambda: 10_000,
) -> Callable[[], Fragments]:
    """The toolbar callable for the prompt; ``text`` gives the line before the cursor and
    ``columns`` the terminal's width (the session part is kept whole, the syntax gives way)."""

    def toolbar() -> Fragments:
        line = text()
        session = session_fragments(ctx, status, book())
        if not line.strip():  # the first prompt: no need of the command table yet
            return session
        from azshell.shell.line.parser import position

        pos = position(line)
        if pos.command is None:
            return session
        syntax = usage_fragments(pos.command, pos, columns() - 2)
        room = columns() - _width(session) - 5
        if _width(syntax) > room:  # never cut the syntax to keep the session beside it
            return [("", " "), *syntax]
        return [("", " "), *syntax, ("", "  |"), *session]

    return toolbar
