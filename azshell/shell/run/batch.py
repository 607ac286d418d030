"""Scripts: `-c COMMAND`, `-f FILE` (`-` = stdin) and piped stdin, without prompt_toolkit.

Each line runs through the same ``run_line`` as the interactive shell. The first failing line
stops the script (``--keep-going`` runs on), and its exit code becomes the script's; errors name
the script and the line (``deploy.az:3: error: ...``).

The whole script is read and checked first (piped stdin to its end): a line that does not parse,
or that could only fail in a script (``delete`` without ``--yes``, a cron Quartz refuses), stops
it before its first command runs, so a typo on line 3 cannot leave lines 1-2 half done.
``--check`` does only that.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from azshell.errors import UsageError
from azshell.shell.line.parser import Invocation, parse
from azshell.shell.run.context import Context
from azshell.shell.run.dispatch import run_line
from azshell.shell.run.exitcodes import INTERRUPTED, USAGE

STDIN = "<stdin>"


def script_lines(source: str) -> tuple[str, list[str]]:
    """(name for messages, lines) of ``-f FILE``; ``-`` reads stdin to its end."""
    if source == "-":
        return STDIN, list(stdin_lines())
    path = Path(source).expanduser()
    try:
        text = path.read_bytes().decode("utf-8")  # read_text would turn a lone \r into \n
    except OSError as err:
        raise UsageError(f"cannot read script {source}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UsageError(f"script {source} is not UTF-8 text") from None
    return source, lines_of(text)


def lines_of(text: str) -> list[str]:
    """The lines of a script split on ``\\n`` (and ``\\r\\n``) only, as stdin is read:
    ``str.splitlines`` would also split on a form feed, a lone ``\\r``, U+0085 and U+2028
    inside a line (a job property, a description) and run the pieces as commands."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def stdin_lines() -> Iterator[str]:
    """stdin line by line as it comes, read as strict UTF-8 like a script file: bytes that are
    not UTF-8 stop the script (whatever the locale's decoding would have made of them)."""
    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:  # already text (a test's StringIO)
        yield from sys.stdin
        return
    for number, raw in enumerate(binary, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"script {STDIN} is not UTF-8 text (line {number})") from None


def run_lines(
    ctx: Context,
    lines: Iterable[tuple[str, str]],
    *,
    keep_going: bool = False,
) -> int:
    """Run ``(location, line)`` pairs; 0, or the exit code of the first failure."""
    first_failure = 0
    pairs = iter(lines)
    while True:
        try:
            location, line = next(pairs)
        except StopIteration:
            break
        except UsageError:  # unreadable input: its message names where, not the last line
            ctx.out.location = None
            raise
        ctx.out.location = location
        try:
            code = run_line(ctx, _chomp(line))
        except KeyboardInterrupt:
            ctx.out.error("interrupted")
            return INTERRUPTED
        except EOFError:
            break
        except SystemExit as stop:  # `exit N` ends it with N, `exit` with what failed so far
            return stop.code if isinstance(stop.code, int) else first_failure
        if code:
            first_failure = first_failure or code
            if not keep_going or code == INTERRUPTED:  # Ctrl-C ends a script, --keep-going or not
                return code
    return first_failure


def _chomp(line: str) -> str:
    """The line without its end: ``\\n`` or ``\\r\\n``, once (a ``\\r`` of its own stays)."""
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    return line


def numbered(name: str, lines: Iterable[str]) -> Iterable[tuple[str, str]]:
    """``name:N`` for each line, counting from 1 like an editor."""
    for number, line in enumerate(lines, 1):
        yield f"{name}:{number}", line


def script_refusal(inv: Invocation) -> None:
    """The usage errors a line can only meet in a script, found without the server: UsageError.

    Each is the handler's own check, run early (the handler runs it again).
    """
    name, values = inv.command.name, inv.values
    if name in ("delete", "purge") and not values.get("yes"):
        what = f"delete {values['project']!r}" if name == "delete" else \
            f"purge project {values['project_id']}"
        raise UsageError(f"{name}: refusing to {what} in a script without --yes")
    if name in ("execute", "rerun"):
        from azshell.shell.handlers.starting import check_wait_options

        check_wait_options(inv)
    if name == "schedule":
        from azshell.shell.handlers.schedules import read_cron

        read_cron(values["cron"])


def check_lines(ctx: Context, pairs: list[tuple[str, str]]) -> tuple[int, int]:
    """Parse every line before any runs and print each usage error with its place:
    ``(0 or 2, how many good commands there are)``.

    Lines after an ``exit`` never run, so they are not checked either.
    """
    bad = good = 0
    for location, line in pairs:
        try:
            inv = parse(line.rstrip("\r\n"))
            if inv is not None and inv.command.name == "exit":
                break
            if inv is not None:
                script_refusal(inv)
                good += 1
        except UsageError as err:
            ctx.out.location = location
            ctx.out.error(str(err))
            bad += 1
    ctx.out.location = None
    return (USAGE if bad else 0), good


def run_batch(
    ctx: Context,
    commands: list[str],
    script: str | None,
    *,
    keep_going: bool = False,
    check_only: bool = False,
    stream: bool = False,
) -> int:
    """The -c commands (named ``-c:1``, ``-c:2``...), else the script, else stdin: all of it
    checked first (``check_only``: only that), then run. ``stream``: stdin's lines run as they
    come, each checked on its own (a pipe that stays open never reaches its end)."""
    if stream:
        return run_lines(ctx, numbered(STDIN, stdin_lines()), keep_going=keep_going)
    if commands:
        pairs = list(numbered("-c", commands))
    else:
        name, lines = script_lines(script or "-")
        pairs = list(numbered(name, lines))
    code, good = check_lines(ctx, pairs)
    if code and good and not check_only:  # the commands held back are worth a word
        ctx.out.note(f"{pairs[0][0].rpartition(':')[0]}: nothing was run (fix the lines above)")
    if code or check_only:
        return code
    return run_lines(ctx, pairs, keep_going=keep_going)
