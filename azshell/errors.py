"""The one exception hierarchy of azshell.

Every error carries the one-line message a user sees (``str(err)``); the shell prints that line
and goes on, and only ``--debug`` shows a traceback. The classes say *what kind* of failure it
was, so that a script's exit code and the client's retry rules can depend on it.

Each class's ``exit_code`` is the one source of azshell's exit statuses (the shell's
``exitcodes.exit_code`` reads it; ``exitcodes.MEANINGS`` says what each number means).
"""

from __future__ import annotations

# The exit statuses of `azshell` (README.md and docs/scripts.md list them).
OK = 0
FAILED = 1
USAGE = 2
CONNECTION = 3
INTERRUPTED = 130


class AzshellError(Exception):
    """Base class: a failure with a message fit for the user."""

    exit_code = FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(AzshellError):
    """The user's words are off: unknown command, wrong arguments, bad option value."""

    exit_code = USAGE


class LocalError(AzshellError):
    """Something on this machine: a missing file, a directory that cannot be zipped."""


class ProjectValidationError(LocalError):
    """A project directory or zip that Azkaban's loader would reject; nothing was sent."""

    def __init__(self, errors: list[str], source: str = "") -> None:
        self.errors = list(errors)
        where = f" in {source}" if source else ""
        lines = "; ".join(self.errors)
        super().__init__(f"project{where} is invalid: {lines}")


class ConnectionFailed(AzshellError):
    """The server could not be reached at all (refused, DNS, TLS). Nothing was sent."""

    exit_code = CONNECTION


class RequestTimedOut(AzshellError):
    """The server did not answer in time."""

    exit_code = CONNECTION


class OutcomeUnknown(AzshellError):
    """A request that changes state may have reached the server and its answer was lost.

    Never retried silently: the user must look (``show``, ``projects``) before trying again.
    """


class SessionError(AzshellError):
    """The session is missing or expired and could not be renewed."""

    exit_code = CONNECTION


class LoginFailed(SessionError):
    """The server refused the user name or password."""


class ServerError(AzshellError):
    """The server answered with something that is not an API answer (HTML error page, 5xx)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LogNotReady(ServerError):
    """A job log the server cannot read (HTTP 500, §6.5): most often the job has not started
    yet and has no log file, but a real server error looks the same; the execution tells."""


class BadResponse(ServerError):
    """The answer could not be understood (not JSON where JSON was due, unexpected shape)."""


class ApiError(AzshellError):
    """The server understood the call and said no (an ``error`` key, ``status: error``, ...)."""

    def __init__(self, message: str, status: int | None = None, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class FlowNotStarted(ApiError):
    """``executeFlow`` answered exec id -1: the flow is locked or the queue is full (§6.1).

    The server's message alone says which; ``project`` and ``flow`` name what was refused.
    """

    def __init__(self, message: str, project: str, flow: str, body: object = None) -> None:
        super().__init__(message, body=body)
        self.project = project
        self.flow = flow


class FlowAlreadyRunning(ApiError):
    """``executeFlow`` refused a second run of a flow that runs now (``--concurrent skip``, the
    default: "Flow F is already running. Skipping execution.", §6.1)."""

    def __init__(self, message: str, project: str, flow: str, status: int | None = None,
                 body: object = None) -> None:
        super().__init__(message, status, body)
        self.project = project
        self.flow = flow


class NotFound(ApiError):
    """The project, flow, job, execution or schedule named does not exist."""


class PermissionDenied(ApiError):
    """The user lacks the permission the call needs."""


class Interrupted(AzshellError):
    """The user pressed Ctrl-C during a call; the shell abandons it and goes on."""

    exit_code = INTERRUPTED


class ProjectLoadError(LocalError):
    """The project files cannot be loaded at all (bad zip, bad ``.project``).

    These are the failures Azkaban raises as exceptions rather than reports as validation errors.
    """


class UnsupportedCall(ApiError):
    """The server is an Azkaban too old (or too different) to have the call asked for.

    The message names the call and the first Azkaban release that has it; nothing was done.
    """
