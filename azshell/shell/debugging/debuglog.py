"""`--debug`: a log file with the whole request flow, for the report of a problem.

Everything azshell logs goes through the standard ``logging`` package under the ``azshell``
logger: the lines run and their outcome with tracebacks (:mod:`azshell.shell.run.dispatch`), and
each HTTP exchange with its parameters, headers, status, size, time and the start of its answer,
the logins a renewal makes, and the calls that were repeated or, changing state, were not
(:func:`exchange`). Nothing is written unless :func:`start` attached the file.

The file is the user's alone (0600 in a 0700 directory, in the platform's log directory), one per
run, the newest few kept. Secrets stay out of it twice over: the client hands over exchanges
already redacted, and the formatter replaces every session id and password it knows of, any
``session.id=`` / ``password=`` pair and any UUID in the final text, tracebacks included.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from azshell.client.redact import PASSWORD_PLACEHOLDER, SESSION_PLACEHOLDER, redact_text
from azshell.shell.debugging.wording import human_size, human_time, show_param

LOGGER = "azshell"
KEEP_LOGS = 10  # debug logs kept in the log directory (the oldest are removed at start)
_log = logging.getLogger("azshell.http")


def log_dir() -> Path:
    """The platform's log directory for azshell (e.g. ~/.local/state/azshell/log)."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("azshell", appauthor=False))


class PrivateFileHandler(logging.FileHandler):
    """A FileHandler whose file is created 0600 (and made 0600 if it existed)."""

    def _open(self) -> Any:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.baseFilename, flags, 0o600)
        with contextlib.suppress(OSError, AttributeError):
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


class RedactingFormatter(logging.Formatter):
    """Formats a record, then hides every secret in the whole text (traceback included)."""

    def __init__(self, secrets: Callable[[], Iterable[tuple[str | None, str]]]) -> None:
        super().__init__("%(asctime)s.%(msecs)03d %(name)s %(message)s", "%H:%M:%S")
        self._secrets = secrets
        self._known: dict[str, str] = {}  # secret -> placeholder, kept after a renewal

    def remember(self, secret: str | None, placeholder: str = SESSION_PLACEHOLDER) -> None:
        if secret:
            self._known[secret] = placeholder

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret, placeholder in self._secrets():
            if secret and secret not in self._known:
                self._known[secret] = placeholder
        for secret in sorted(self._known, key=len, reverse=True):  # longest first
            text = text.replace(secret, self._known[secret])
        return redact_text(text)


class _NotTheSandbox(logging.Filter):
    """The in-process sandbox (``--sandbox``) logs too; the debug log is about the client."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("azshell.sandbox")


def _handlers() -> list[PrivateFileHandler]:
    """The debug log's handlers on the ``azshell`` logger (none, or the one of this run)."""
    handlers = logging.getLogger(LOGGER).handlers
    return [h for h in handlers if isinstance(h, PrivateFileHandler)]


def new_path(directory: Path) -> Path:
    """``debug-20240131-120501-4242.log``: one file per run, sorted by time."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return directory / f"debug-{stamp}-{os.getpid()}.log"


def prune(directory: Path, keep: int = KEEP_LOGS) -> None:
    """Remove all but the ``keep`` newest debug logs."""
    logs = sorted(directory.glob("debug-*.log"), key=lambda p: p.stat().st_mtime)
    for old in logs[:-keep] if keep else logs:
        with contextlib.suppress(OSError):
            old.unlink()


def start(ctx: Any, argv: list[str] | None = None, directory: Path | None = None) -> Path:
    """Open this run's debug log and attach it to the ``azshell`` logger; returns its path.

    ``ctx`` is asked, at each record, for the secrets it holds now (the password, the session
    ids), so a session renewed halfway through is hidden as well as the first one.
    """
    from azshell.shell.session.paths import private_dir

    stop()
    folder = private_dir(directory or log_dir())
    prune(folder, KEEP_LOGS - 1)
    path = new_path(folder)

    def secrets() -> list[tuple[str | None, str]]:
        passwords, session_ids = ctx.session.secrets_held()
        return ([(p, PASSWORD_PLACEHOLDER) for p in passwords]
                + [(os.environ.get("AZSHELL_PASSWORD"), PASSWORD_PLACEHOLDER)]
                + [(s, SESSION_PLACEHOLDER) for s in session_ids])

    handler = PrivateFileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(secrets))
    handler.addFilter(_NotTheSandbox())
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)  # DEBUG records never reach stderr: Python's last-resort
    # handler (no logging configured) shows WARNING and above only
    _header(ctx, argv)
    return path


def stop(code: int | None = None) -> None:
    """Write the exit code, close the file and detach it (safe to call when not started)."""
    handlers = _handlers()
    if not handlers:
        return
    if code is not None:
        logging.getLogger("azshell.run").debug("exit status %s", code)
    logger = logging.getLogger(LOGGER)
    for handler in handlers:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.NOTSET)


def active() -> bool:
    """Whether a debug log is being written."""
    return bool(_handlers())


def _header(ctx: Any, argv: list[str] | None) -> None:
    from azshell import __version__

    settings = getattr(ctx, "settings", None)
    run = logging.getLogger("azshell.run")
    run.debug("azshell %s, Python %s, %s", __version__, platform.python_version(),
              platform.platform())
    run.debug("argv: %s", " ".join(argv if argv is not None else sys.argv[1:]))
    if settings is not None:
        run.debug("server %s, user %s, verify %s, timeout %s s, interactive %s",
                  settings.url, settings.user, settings.verify, settings.timeout,
                  getattr(ctx, "interactive", None))


def exchange(seen: Any) -> None:
    """Log one HTTP exchange with everything the client saw (already redacted)."""
    if not _log.isEnabledFor(logging.DEBUG):
        return
    for handler in _handlers():
        if isinstance(handler.formatter, RedactingFormatter):
            handler.formatter.remember(seen.reveal_session())
    _log.debug("%s", describe(seen))


def describe(seen: Any) -> str:
    """The multi-line record of one exchange (pure: the tests read it)."""
    lines = [f"{seen.method} {seen.url}"]
    if seen.params:
        lines.append("  params: " + " ".join(show_param(k, v) for k, v in seen.params))
    for path in seen.files:
        lines.append(f"  file: {path}")
    if seen.verify is not True:
        lines.append(f"  TLS verification: {seen.verify or 'off'}")
    lines += _headers("request", seen.request_headers)
    took = human_time(seen.elapsed_s)
    if seen.status is None:
        lines.append(f"  no answer after {took}: {seen.error_kind or 'error'}: {seen.error}")
        if seen.repeat:
            lines.append("  a read-only call: sent once more")
        elif seen.outcome_unknown and not seen.interrupted:
            lines.append("  not repeated: it changes state and may have been done")
        return "\n".join(lines)
    lines.append(f"  status {seen.status}, {human_size(seen.size)}, {took}")
    lines += _headers("response", seen.response_headers)
    if seen.body:
        lines.append("  body: " + seen.body.replace("\n", "\n        "))
    if seen.session_gone:
        lines.append("  the answer says the session is gone: logging in again, then repeating")
    return "\n".join(lines)


def _headers(kind: str, headers: dict[str, str]) -> list[str]:
    return [f"  {kind} header {name}: {value}" for name, value in headers.items()]
