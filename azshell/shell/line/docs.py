"""Help text and the command reference, both from the command table.

``help`` prints ``command_help``/``overview``;
``python -m azshell.shell.line.docs > docs/commands.md`` writes the reference, and a test fails
when the committed file is out of date.
"""

from __future__ import annotations

from azshell.shell.line.commands import COMMANDS, GROUPS, Command


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


def command_help(cmd: Command) -> str:
    """Plain-text help of one command, for `help COMMAND`."""
    lines = [f"usage: {cmd.usage()}", "", cmd.summary]
    if cmd.aliases:
        lines.append(f"Also: {', '.join(cmd.aliases)}.")
    for title, rows in (("arguments", _args_lines(cmd)), ("options", _options_lines(cmd))):
        if rows:
            width = max(len(left) for left, _ in rows)
            lines += ["", f"{title}:"]
            lines += [f"  {left.ljust(width)}  {right}" for left, right in rows]
    lines += ["", "examples:"] + [f"  {example}" for example in cmd.examples]
    return "\n".join(lines)


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


def overview() -> str:
    """Every command with its one-line summary, by group, for `help`."""
    width = max(len(c.name) for c in COMMANDS)
    lines: list[str] = []
    for group, title in GROUPS:
        members = [c for c in COMMANDS if c.group == group]
        if not members:
            continue
        lines += ["", f"{title}:"] if lines else [f"{title}:"]
        lines += [f"  {c.name.ljust(width)}  {c.summary}" for c in members]
    lines += ["", "Type 'help COMMAND' for its usage, options and examples."]
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
