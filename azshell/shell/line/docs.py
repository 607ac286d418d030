"""Help text and the command reference, both from the command table.

``help`` prints ``command_help``/``overview``;
``python -m azshell.shell.line.docs > docs/commands.md`` writes the reference, and a test fails
when the committed file is out of date.
"""

from __future__ import annotations

import textwrap

from azshell.shell.line.commands import COMMANDS, GROUPS, Command

NARROWEST = 20  # a description column narrower than this goes under its name instead
KEYS: tuple[tuple[str, str], ...] = (
    ("Tab", "Complete the word: a single match is inserted (Enter then runs the line); "
            "several open a menu, and Tab moves through it."),
    ("Enter", "Run the line; on a menu entry chosen with Tab or the arrows, take that entry."),
    ("Ctrl-Space", "Open the completion menu (or move to its next entry)."),
    ("Right, Ctrl-E", "Take the grey suggestion from the history of this server."),
    ("Up, Down", "Walk through the history (what was typed so far narrows it)."),
    ("Ctrl-R", "Search the history backwards; Ctrl-R again finds the next older match."),
    ("Ctrl-C", "Clear the line; while a command runs, stop it (a followed flow goes on)."),
    ("Ctrl-D", "Leave the shell (on an empty line)."),
    ("Ctrl-L", "Clear the screen (like 'clear')."),
    ("F2", "Show or hide the bottom toolbar (like 'set toolbar on|off')."),
    ("!N", "Run line N of 'history' again ('history 20' lists the last 20)."),
)


def _options_lines(cmd: Command) -> list[tuple[str, str]]:
    out = []
    for opt in cmd.options:
        flags = ", ".join(opt.flags)
        if opt.takes_value:
            flags += f" {opt.metavar or opt.dest.upper()}"
        text = opt.help
        if opt.choices:
            text += f" One of: {', '.join(opt.choices)}."
        out.append((flags, text))
    return out


def _args_lines(cmd: Command) -> list[tuple[str, str]]:
    out = []
    for arg in cmd.args:
        text = arg.help
        if arg.choices:
            text += f" One of: {', '.join(arg.choices)}."
        out.append((arg.name, text))
    return out


def _wrap(text: str, width: int | None, column: int = 0) -> list[str]:
    """``text`` as lines that fit a terminal of ``width`` columns when they start at
    ``column``, words kept whole (one line when there is no terminal)."""
    if not width:
        return [text]
    return textwrap.wrap(text, max(width - 1 - column, NARROWEST), break_long_words=False,
                         break_on_hyphens=False) or [""]


def rows_text(rows: list[tuple[str, str]], width: int | None = None, margin: int = 2) -> list[str]:
    """Two columns: names, then their descriptions wrapped under themselves (a hanging
    indent), or under the name when the terminal leaves the descriptions too little room."""
    left = max((len(name) for name, _ in rows), default=0)
    column = margin + left + 2
    out: list[str] = []
    for name, text in rows:
        if width and width - 1 - column < NARROWEST:
            out.append(" " * margin + name)
            out += [" " * (margin + 4) + line for line in _wrap(text, width, margin + 4)]
            continue
        lines = _wrap(text, width, column)
        out.append(f"{' ' * margin}{name.ljust(left)}  {lines[0]}".rstrip())
        out += [" " * column + line for line in lines[1:]]
    return out


def usage_lines(cmd: Command, width: int | None = None) -> list[str]:
    """``usage: execute PROJECT FLOW [--disable JOB]...`` broken between its parts, never
    inside one, the next lines indented under the first argument."""
    parts = [a.usage() for a in cmd.args] + [o.usage() for o in cmd.options]
    head = f"usage: {cmd.name}"
    if not width:
        return [" ".join([head, *parts])]
    indent = len(head) + 1 if len(head) + 1 <= width // 2 else 4
    lines, line = [], head
    for part in parts:
        if len(line) + 1 + len(part) > width - 1 and line.strip() and line != head:
            lines.append(line)
            line = " " * indent + part
        else:
            line += " " + part
    return [*lines, line]


def command_help(cmd: Command, width: int | None = None) -> str:
    """Plain-text help of one command, for `help COMMAND`; ``width`` wraps it to a terminal."""
    lines = [*usage_lines(cmd, width), "", *_wrap(cmd.summary, width)]
    if cmd.aliases:
        lines.append(f"Also: {', '.join(cmd.aliases)}.")
    for title, rows in (("arguments", _args_lines(cmd)), ("options", _options_lines(cmd))):
        if rows:
            lines += ["", f"{title}:", *rows_text(rows, width)]
    lines += ["", "examples:"] + [f"  {example}" for example in cmd.examples]
    return "\n".join(lines)


def keys_help(width: int | None = None) -> str:
    """`help keys`: the keys of the interactive shell."""
    return "\n".join(["Keys of the interactive shell (Emacs-style editing as in bash):",
                      *rows_text(list(KEYS), width)])


def command_data(cmd: Command) -> dict:
    """The same help as a JSON document, for scripts."""
    return {
        "command": cmd.name,
        "usage": cmd.usage(),
        "summary": cmd.summary,
        "aliases": list(cmd.aliases),
        "arguments": [{"name": n, "help": h} for n, h in _args_lines(cmd)],
        "options": [{"flags": f, "help": h} for f, h in _options_lines(cmd)],
        "examples": list(cmd.examples),
    }


def overview(width: int | None = None) -> str:
    """Every command with its one-line summary, by group, for `help`."""
    names = max(len(c.name) for c in COMMANDS)
    lines: list[str] = []
    for group, title in GROUPS:
        members = [c for c in COMMANDS if c.group == group]
        if not members:
            continue
        lines += ["", f"{title}:"] if lines else [f"{title}:"]
        rows = [(c.name.ljust(names), c.summary) for c in members]
        lines += rows_text(rows, width)
    lines += ["", *_wrap("Type 'help COMMAND' (or COMMAND --help) for its usage, options and "
                         "examples, and 'help keys' for Tab, Ctrl-R, F2 and the other keys.",
                         width)]
    return "\n".join(lines)


def _anchor(cmd: Command) -> str:
    return cmd.name


def markdown() -> str:
    """docs/commands.md: the whole reference, generated (do not edit the file by hand)."""
    out = [
        "# azshell commands",
        "",
        "<!-- Generated from azshell/shell/line/commands.py by "
        "`python -m azshell.shell.line.docs > docs/commands.md`; do not edit. -->",
        "",
        "Each command prints one JSON document when its output is not a terminal "
        "(see [scripts.md](scripts.md)); on a terminal lists read as tables and answers as "
        "coloured JSON. Commands that take an execution id default to the last execution "
        "started in this session.",
        "",
    ]
    for group, title in GROUPS:
        members = [c for c in COMMANDS if c.group == group]
        if not members:
            continue
        out += [f"## {title}", ""]
        out += [f"- [`{c.name}`](#{_anchor(c)}) — {c.summary}" for c in members]
        out.append("")
        for cmd in members:
            out += [f"### {cmd.name}", "", cmd.summary, "", "```", cmd.usage(), "```", ""]
            if cmd.aliases:
                out += [f"Aliases: {', '.join(f'`{a}`' for a in cmd.aliases)}.", ""]
            for title2, rows in (("Arguments", _args_lines(cmd)),
                                 ("Options", _options_lines(cmd))):
                if rows:
                    out += [f"{title2}:", ""]
                    out += [f"- `{left}` — {right}" for left, right in rows]
                    out.append("")
            out += ["Examples:", "", "```", *cmd.examples, "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    import sys

    sys.stdout.write(markdown())


if __name__ == "__main__":
    main()
