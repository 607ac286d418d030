"""The `azshell` command's options: the one parser that runs it (cli.py), completes it
(completion.py) and documents it (manpage.py), so that the three never disagree.
"""

from __future__ import annotations

import argparse

EPILOG = """\
examples:
  azshell --sandbox                          try azshell on a local sandbox server
  azshell http://localhost:8081 --user azkaban
  azshell --profile prod                     a server described in the config file
  azshell -c projects | jq -r '.[].projectName'
  azshell -c 'upload demo ./demo --create' -c 'execute demo main'
  azshell -f deploy.az --keep-going          run a script, every line even after a failure
  azshell -f deploy.az --check               only check its lines (nothing is sent)
  echo 'flows demo' | azshell --profile prod  piped stdin is a script too
  tail -f queue.az | azshell --stream        each line runs as it comes
  azshell sandbox --port 8081                the sandbox server alone, in the foreground

  azshell projects -o csv                    one command against the default profile
  azshell executions demo main --query '[].execId'

environment:
  AZSHELL_URL, AZSHELL_USER, AZSHELL_PROFILE  server, user and profile
  AZSHELL_PASSWORD  the password when a login is needed (never give it as an option)
  AZSHELL_CONFIG    another config file; PAGER pages long answers
  NO_COLOR, TERM=dumb  no colour; FORCE_COLOR, CLICOLOR_FORCE  colour even in a pipe
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY  proxies (socks5:// with the socks extra)
  REQUESTS_CA_BUNDLE, SSL_CERT_FILE  a CA bundle to verify TLS with

exit codes: 0 ok, 1 a command failed, 2 usage error, 3 connection or session problem,
130 interrupted."""

OUTPUTS = ("auto", "json", "table", "wide", "yaml", "csv", "tsv", "raw")
SHELLS = ("bash", "zsh", "fish")


def commands_help(width: int = 100) -> str:
    """The shell's commands, one line each, by group: what `azshell --help` lists."""
    import textwrap

    from azshell.shell.line.commands import COMMANDS, GROUPS

    name_width = max(len(c.name) for c in COMMANDS)
    lines = ["commands (azshell COMMAND ARGS..., -c 'COMMAND ARGS', or `help COMMAND` in the "
             "shell):"]
    for group, title in GROUPS:
        members = [c for c in COMMANDS if c.group == group]
        if members:
            lines.append(f" {title}:")
        for cmd in members:
            summary = textwrap.shorten(cmd.summary, width - name_width - 6, placeholder="...")
            lines.append(f"  {cmd.name.ljust(name_width)}  {summary}")
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """Adds the commands and the config file's location to --help only (both cost imports)."""

    def format_help(self) -> str:
        from azshell.shell.session.paths import config_file

        return (super().format_help() + "\n" + commands_help()
                + f"\n\nconfig file: {config_file()}\n")


def build_parser() -> argparse.ArgumentParser:
    """The options of `azshell`; each help text ends with a period."""
    parser = _Parser(
        prog="azshell",
        description="An interactive shell for the Azkaban workflow scheduler.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    add = parser.add_argument
    add("-h", "--help", action="help", help="Show this help and exit.")
    add("url", nargs="?", metavar="URL",
        help="The Azkaban web server, e.g. http://host:8081. A command with its arguments may "
             "follow it, or stand in its place to run against the default profile "
             "(azshell projects).")
    add("-u", "--user", help="The user name to log in with.")
    add("-p", "--profile", metavar="NAME", help="Use a profile from the config file.")
    add("-k", "--insecure", action="store_true", default=None,
        help="Do not verify the server's TLS certificate.")
    add("--ca-cert", metavar="FILE", help="Verify TLS with this CA bundle file.")
    add("--truststore", action="store_true", default=None,
        help="Verify TLS with the operating system's trust store (the truststore extra).")
    add("--timeout", type=float, metavar="SECONDS",
        help="Seconds to wait for each answer, all of it (default 60; connecting: at most 10).")
    add("-o", "--output", choices=OUTPUTS, metavar="FORMAT",
        help="Answer format: json, table, wide, yaml, csv, tsv, raw or auto (tables for lists "
             "on a terminal).")
    add("-q", "--query", metavar="EXPR",
        help="Keep only what this JMESPath expression selects from each answer.")
    add("--color", choices=("auto", "always", "never"), metavar="WHEN",
        help="Colour the output, the input and the toolbar: auto, always or never.")
    add("--no-pager", dest="pager", action="store_false", default=None,
        help="Never page long answers.")
    add("--tz", metavar="ZONE",
        help="Show times in this zone: local (the default), UTC or a name like Europe/Paris.")
    add("-v", "--verbose", action="store_true", default=None,
        help="Print each HTTP request on stderr.")
    add("--debug", action="store_true", default=None,
        help="Write a debug log of every request and error (its path is printed first).")
    add("-c", "--command", dest="commands", action="append", default=[], metavar="COMMAND",
        help="Run this command and exit (repeatable).")
    add("-f", "--file", metavar="FILE", help="Run the commands in FILE (- for stdin) and exit.")
    add("--keep-going", action="store_true",
        help="In a script, run the following commands after a failure (still exit non-zero).")
    add("--check", action="store_true",
        help="Only check the script (-f, -c or stdin): each line that does not parse is named "
             "and nothing is sent (exit 0 or 2).")
    add("--stream", action="store_true",
        help="Run piped stdin line by line as it comes, without checking the whole script "
             "first (for a pipe that stays open, like tail -f).")
    add("--sandbox", action="store_true",
        help="Start the embedded sandbox server and log in to it as azkaban.")
    add("--examples", action="store_true",
        help="With --sandbox: upload the example projects into it first.")
    add("--completion", choices=SHELLS, metavar="SHELL",
        help="Print the completion script for bash, zsh or fish and exit.")
    add("--man", action="store_true", help="Print the manual page (roff) and exit.")
    add("--list-profiles", action="store_true", help=argparse.SUPPRESS)  # for completion
    add("-V", "--version", action="store_true", help="Print the version and exit.")
    return parser
