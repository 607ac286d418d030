"""Asking the person at the terminal: a password without echo, a yes/no question.

On the controlling terminal, so that a script piped into azshell can still be answered; with
no terminal (cron, CI) the question is an error that says how to go without it.
"""

from __future__ import annotations

import os
import sys

from azshell.errors import SessionError, UsageError


def terminal_available() -> bool:
    """Can we ask the user something? (a controlling terminal, even when stdin is a pipe)."""
    if os.name == "nt":  # pragma: no cover
        return sys.stdin.isatty()
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return False


def ask_password_tty(prompt: str) -> str:
    """Ask on the terminal without echo; fail clearly when there is none (cron, CI)."""
    if not terminal_available():
        raise SessionError(
            "a password is needed and there is no terminal to ask it on: "
            "set AZSHELL_PASSWORD or a profile's password_command"
        )
    import getpass

    return getpass.getpass(prompt)


def confirm_tty(question: str) -> bool:
    """A yes/no question on the terminal; anything but y/yes is no."""
    if not terminal_available():
        raise UsageError("confirmation needed and no terminal: add --yes")
    if os.name == "nt":  # no /dev/tty there: the console is stdin and stderr
        sys.stderr.write(f"{question} [y/N] ")
        sys.stderr.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    with open("/dev/tty", "r+", encoding="utf-8") as tty:
        tty.write(f"{question} [y/N] ")
        tty.flush()
        return tty.readline().strip().lower() in ("y", "yes")
