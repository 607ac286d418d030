"""The exit codes of `azshell` (scripts and `-c` depend on them; docs/scripts.md lists them).

The numbers live on the error classes (azshell.errors); this module says what each means.
"""

from __future__ import annotations

from azshell.errors import CONNECTION, FAILED, INTERRUPTED, OK, USAGE, AzshellError

__all__ = ["CONNECTION", "FAILED", "INTERRUPTED", "MEANINGS", "OK", "USAGE", "exit_code"]

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
    """The exit code a failure maps to: its class's ``exit_code`` (errors.py)."""
    if isinstance(err, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(err, AzshellError):
        return err.exit_code
    return FAILED
