"""The azshell(1) manual page, generated from the option parser and the command table.

``azshell --man`` prints it and ``python -m azshell.manpage > docs/azshell.1`` writes the copy the
wheel installs in share/man/man1; a test fails when the committed file is out of date, as for
docs/commands.md.
"""

from __future__ import annotations

import argparse

from azshell import __version__
from azshell.options import EPILOG, build_parser
from azshell.shell.line.commands import COMMANDS, GROUPS


def roff(text: str) -> str:
    """Plain text made safe for roff: backslashes, leading dots and quotes, dashes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text[:1] in (".", "'"):
        text = "\\&" + text
    return text


def _option_lines(parser: argparse.ArgumentParser) -> list[str]:
    out: list[str] = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        flags = ", ".join(f"\\fB{roff(f)}\\fR" for f in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar if isinstance(action.metavar, str) else None
            flags += f" \\fI{roff(metavar or action.dest.upper())}\\fR"
        out += [".TP", flags, roff(action.help or "")]
    return out


def _epilog_section(title: str) -> list[str]:
    """One part of the --help epilog (``examples:``, ``environment:``) as an indented block."""
    lines, inside = [], False
    for line in EPILOG.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            inside = line == f"{title}:"
            continue
        if inside and line.strip():
            lines.append(roff(line.strip()))
    return [".nf", *lines, ".fi"]


def _command_lines() -> list[str]:
    out: list[str] = []
    for group, title in GROUPS:
        members = [c for c in COMMANDS if c.group == group]
        if not members:
            continue
        out += [".SS", roff(title)]
        for cmd in members:
            out += [".TP", f"\\fB{roff(cmd.usage())}\\fR", roff(cmd.summary)]
    return out


def manpage() -> str:
    """The whole page, in roff (man(7) macros)."""
    parser = build_parser()
    lines = [
        f'.TH AZSHELL 1 "" "azshell {roff(__version__)}" "User Commands"',
        ".\\\" Generated from azshell/cli.py and azshell/shell/line/commands.py by",
        ".\\\" `python -m azshell.manpage > docs/azshell.1`; do not edit.",
        ".SH NAME",
        "azshell \\- an interactive shell for the Azkaban workflow scheduler",
        ".SH SYNOPSIS",
        "\\fBazshell\\fR [\\fIOPTIONS\\fR] [\\fIURL\\fR] [\\fICOMMAND\\fR [\\fIARGS\\fR...]]",
        ".br",
        "\\fBazshell sandbox\\fR [\\fB\\-\\-host\\fR \\fIHOST\\fR] [\\fB\\-\\-port\\fR "
        "\\fIPORT\\fR]",
        ".SH DESCRIPTION",
        roff("azshell logs in to an Azkaban web server once and keeps the session, completes "
             "the names of projects, flows, jobs and executions, uploads projects, runs and "
             "follows flows, and prints JSON, YAML, CSV or tables. Without -c, -f or a "
             "command it opens an interactive shell on a terminal; otherwise it runs the "
             "commands as a script. `azshell sandbox` runs an Azkaban-compatible server for "
             "trying it out."),
        ".SH OPTIONS",
        *_option_lines(parser),
        ".SH COMMANDS",
        roff("Each command is typed in the shell, given to -c, written in a script for -f, or "
             "given after the options (azshell projects). `help COMMAND` shows its arguments, "
             "options and examples."),
        *_command_lines(),
        ".SH EXAMPLES",
        *_epilog_section("examples"),
        ".SH ENVIRONMENT",
        *_epilog_section("environment"),
        ".SH EXIT STATUS",
        ".TP", "0", "Every command succeeded.",
        ".TP", "1", roff("A command failed: the server said no, a project did not validate."),
        ".TP", "2", roff("A usage error: unknown command or option, missing argument, bad "
                         "config file."),
        ".TP", "3", roff("The server could not be reached or did not answer in time, or there "
                         "is no valid session."),
        ".TP", "130", "Interrupted with Ctrl\\-C.",
        ".SH FILES",
        roff("The config file is config.toml in the user's config directory "
             "(~/.config/azshell on Linux; `azshell --help` prints its path)."),
        ".SH SEE ALSO",
        roff("The documentation in the docs/ folder of the source distribution."),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    import sys

    sys.stdout.write(manpage())


if __name__ == "__main__":
    main()
