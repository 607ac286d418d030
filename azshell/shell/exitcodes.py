"""The exit codes of `azshell` (scripts and `-c` depend on them; docs/scripts.md lists them)."""

from __future__ import annotations

from azshell.errors import (
    AzshellError,
    ConnectionFailed,
    RequestTimedOut,
    SessionError,
    UsageError,
)

OK = 0
FAILED = 1
USAGE = 2
CONNECTION = 3
INTERRUPTED = 130

MEANINGS: tuple[tuple[int, str], ...] = (
    (OK, "Every command succeeded."),
    (FAILED, "A command failed: the server said no, a project did not validate, a file is "
             "missing."),
    (USAGE, "The words were wrong: unknown command or option, missing argument, bad config file, "
            "or `delete` or `purge` without `--yes` in a script."),
    (CONNECTION, "The server could not be reached or did not answer in time (a state change "
                 "that got no answer gives 1), or there is no valid session and no password to "
                 "make one."),
    (INTERRUPTED, "Interrupted with Ctrl-C."),
)


def exit_code(err: BaseException) -> int:
    """The exit code a failure maps to (errors.py's ``exit_code``, refined for connections)."""
    if isinstance(err, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(err, UsageError):
        return USAGE
    if isinstance(err, (ConnectionFailed, RequestTimedOut, SessionError)):
        return CONNECTION
    if isinstance(err, AzshellError):
        return err.exit_code or FAILED
    return FAILED
