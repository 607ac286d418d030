"""The interactive shell's colours: the input's words, statuses in menus and the toolbar.

Apart from the lexer so that the first prompt, which needs the style but highlights nothing,
is drawn before the command table is imported.
"""

from __future__ import annotations

STYLE: dict[str, str] = {
    "command": "bold ansigreen",
    "option": "ansicyan",
    "name.known": "ansiblue",
    "name.unknown": "ansiyellow",
    "number": "ansimagenta",
    "string": "ansimagenta",
    "key": "ansicyan",
    "path": "underline",
    "value": "ansiblue",
    "comment": "italic ansibrightblack",
    "error": "ansired",
    "redirect": "bold",  # the `|`, `>` or `>>` where the command ends
    "redirect.target": "ansibrightblack",  # the pipeline or the file: not azshell's words
    # statuses in completion menus and the toolbar, the colours of the live view
    "status.ok": "ansigreen",
    "status.failed": "ansired",
    "status.warn": "ansiyellow",
    "status.running": "ansicyan",
    "status.dim": "ansibrightblack",
}
STATUS_CLASS = {"32": "status.ok", "31": "status.failed", "33": "status.warn",
                 "36": "status.running", "90": "status.dim"}


def status_style(status: str) -> str:
    """The style class of an execution's or a job's status (``class:status.failed``)."""
    from azshell.shell.run.render import COLORS

    found = STATUS_CLASS.get(COLORS.get(status, ""), "")
    return f"class:{found}" if found else ""


TOOLBAR_STYLE = {
    "bottom-toolbar": "noreverse bg:ansibrightblack ansiwhite",
    "bottom-toolbar.command": "bold",
    "bottom-toolbar.current": "bold underline",
    "bottom-toolbar.ok": "ansigreen",
    "bottom-toolbar.warn": "ansiyellow",
}
