"""``run_line``: parse, handle, render, learn, for one line of a session (its ``Context``).

The interactive app and the batch runner both call ``run_line``; it prints its own result and
its own one-line error, and returns an exit code, so both modes report failures the same way.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

from azshell.errors import AzshellError, BadResponse, UsageError
from azshell.shell.line.commands import Command, load
from azshell.shell.line.parser import Invocation, parse
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.exitcodes import exit_code
from azshell.shell.run.output import visible, visible_data
from azshell.shell.run.render import choose_format, render

_log = logging.getLogger("azshell.shell")


def load_handler(command: Command) -> Callable[[Context, Invocation], Any]:
    """Import ``module:function`` named in the table only when the command runs."""
    return load(command.handler)


def select(expression: str, data: Any) -> Any:
    """What the JMESPath ``expression`` picks out of ``data`` (an error in it is a UsageError)."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.search(expression, data)
    except JMESPathError as err:
        detail = " ".join(str(err).split())
        raise UsageError(f"query {expression!r}: {detail}") from None


def emit(ctx: Context, command: Command, result: Any) -> None:
    """Print one answer in the format the settings and the terminal call for; a query
    (``--query``, ``set query``) first picks what to print, and the shape it gives has no
    command table, so it reads as JSON, a generic table (wide), YAML, CSV or TSV. The shell's
    own commands (`set`, `help`, `history`) are not queried: the query is about answers."""
    reply = result if isinstance(result, Reply) else Reply(result)
    setting = ctx.settings.output
    tty = ctx.out.stdout_tty
    table_name = command.table
    if ctx.settings.query and command.group != "shell":  # not `set`, `help`: about the shell
        reply = Reply(select(ctx.settings.query, reply.data), page=reply.page)
        table_name = ""
    if reply.text is not None and setting in ("auto", "table") and (tty or reply.text_in_pipes):
        if reply.text or tty:  # an empty log in a pipe is no output, not an empty line
            shown = visible(reply.text, keep_sgr=reply.styled) if tty else reply.text
            ctx.out.result(shown, page=reply.page)
        return
    fmt = choose_format(setting, table_name, tty)
    spec = load(table_name) if fmt == "table" and table_name else None
    data, raw = reply.data, reply.raw
    if tty:  # the server's words are shown, never obeyed; a pipe gets them unchanged
        data = visible_data(data) if fmt in ("table", "wide", "csv", "tsv") else data
        raw = visible(raw) if raw is not None else None
    width = ctx.out.size()[0] if tty else None
    text = render(data, fmt=fmt, color=ctx.out.color, spec=spec, raw=raw, width=width)
    ctx.out.result(text if fmt != "raw" or not tty else visible(text), page=reply.page)


def _learn(ctx: Context, inv: Invocation, result: Any) -> None:
    data = result.data if isinstance(result, Reply) else result
    try:
        ctx.names.learn(inv.command.name, inv.values, data)
    except Exception as err:  # a completion cache must never fail a command
        _log.debug("names.learn failed", exc_info=True)
        if ctx.settings.debug:
            ctx.out.note(f"debug: names.learn failed: {err!r}")


def run_line(ctx: Context, line: str) -> int:
    """Run one line; print its answer or one error line; return its exit code.

    With ``set timing on`` a ``took 0.12 s`` line follows on stderr, whatever the outcome; the
    debug log (``--debug``) gets the line, its outcome and any traceback.
    """
    from azshell.shell.run.guard import take_yes

    line, yes = take_yes(ctx.settings, line)
    secret = _withheld(ctx, line)
    try:
        inv = parse(line)
    except UsageError as err:
        _log.debug("line %s: %s", secret or repr(line), err)
        ctx.out.error(str(err))
        return exit_code(err)
    if inv is None:
        return 0
    if not secret:
        ctx.lines.append(line)
    _log.debug("run: %s", secret or line)
    started = time.monotonic()
    code = (_dispatch(ctx, inv, yes) if inv.redirect is None
            else _dispatch_redirected(ctx, inv, yes))
    took = time.monotonic() - started
    _log.debug("%s: exit status %d, took %.3f s", inv.command.name, code, took)
    if ctx.settings.timing:
        ctx.out.note(f"took {took:.2f} s" if took >= 0.1 else f"took {took:.3f} s")
    return code


def _withheld(ctx: Context, line: str) -> str | None:
    """What the debug log says instead of ``line`` when the line may be a password typed at
    the wrong prompt (it holds a known one, or its unknown first word looks like one)."""
    from azshell.shell.line.commands import find
    from azshell.shell.line.secretwords import holds, looks_like_secret

    if holds(line, ctx.known_secrets()):
        return "(withheld: it holds the password)"
    first = line.strip().split(" ", 1)[0]
    if first and not find(first) and not find(first.lower()) and looks_like_secret(first):
        return "(withheld: its first word looks like a password)"
    return None


def _dispatch(ctx: Context, inv: Invocation, yes: bool = False) -> int:
    """Check the profile's guard rails, connect if needed, run the handler, print its answer
    or its error."""
    try:
        from azshell.shell.run.guard import check

        check(ctx, inv, yes)
        handler = load_handler(inv.command)
        if inv.command.needs_session:
            from azshell.shell.session.connection import ensure_session

            ensure_session(ctx)
        result = handler(ctx, inv)
    except AzshellError as err:
        _after(ctx)
        _log.debug("%s: %s", type(err).__name__, err, exc_info=True)
        ctx.out.error(str(err))
        return exit_code(err)
    except (KeyboardInterrupt, EOFError, SystemExit) as stop:
        _log.debug("%s", type(stop).__name__)
        _after(ctx)
        raise
    except OSError as err:  # a local path the system refuses (too long, a loop, a device)
        _after(ctx)
        _log.debug("%s: OSError", inv.command.name, exc_info=True)
        ctx.out.error(os_error_line(inv.command.name, err))
        return 1
    except Exception as err:
        _log.debug("internal error", exc_info=True)
        if ctx.settings.debug:
            ctx.out.note(traceback.format_exc().rstrip())
        ctx.out.error(f"internal error: {type(err).__name__}: {err} (run with --debug for details)")
        return 1
    _after(ctx)
    if result is not None:
        try:
            emit(ctx, inv.command, result)
        except (UsageError, BadResponse) as err:  # a query that does not fit; an odd shape
            ctx.out.error(str(err))
            return exit_code(err)
        _learn(ctx, inv, result)
    return 0


def _dispatch_redirected(ctx: Context, inv: Invocation, yes: bool = False) -> int:
    """``_dispatch`` with the answer going to a pipeline or a file (azshell.shell.run.redirect);
    a pipeline that fails is reported and fails the line (like ``set -o pipefail``)."""
    from azshell.shell.run.redirect import PIPELINE_FAILED, redirected

    assert inv.redirect is not None
    screen = ctx.out
    try:
        with redirected(screen, inv.redirect) as (writer, status):
            ctx.out = writer
            try:
                code = _dispatch(ctx, inv, yes)
            finally:
                ctx.out = screen
    except AzshellError as err:  # the file cannot be written, the pipeline cannot start
        screen.error(str(err))
        return exit_code(err)
    if status and status[0] != 0:
        screen.error(f"the pipeline {inv.redirect.target!r} exited with status {status[0]}")
        return code or PIPELINE_FAILED
    return code


def os_error_line(command: str, err: OSError) -> str:
    """``upload: /very/long/…/path: File name too long``: the path and the system's reason."""
    reason = err.strerror or type(err).__name__
    where = os.fsdecode(err.filename) if isinstance(err.filename, (str, bytes)) else None
    return f"{command}: {where}: {reason}" if where is not None else f"{command}: {reason}"


def _after(ctx: Context) -> None:
    """Keep a renewed session id for the next run, whatever the command's outcome."""
    ctx.session.keep_renewed()
