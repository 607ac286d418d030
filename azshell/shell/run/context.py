"""One shell session's state: the ``Context`` every handler gets, and a handler's ``Reply``.

``run_line`` (azshell.shell.run.dispatch) runs one line against it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from azshell.errors import SessionError, UsageError
from azshell.shell.run.output import Output
from azshell.shell.session.settings import Settings
from azshell.shell.session.state import Session

if TYPE_CHECKING:
    from azshell.client import AzkabanClient
    from azshell.shell.names.book import NameBook

class SandboxHoldings(Protocol):
    """What the shell asks of its in-process sandbox (the shell never imports the sandbox)."""

    def holdings(self) -> tuple[int, int]:
        """(projects, unfinished executions): what quitting the shell would lose."""
        ...


# eq and repr are not generated: start-up speed (line/commands.py says why)
@dataclass(eq=False, repr=False)
class Reply:
    """A handler's answer: ``data`` is the JSON document; ``text`` is how a person reads it."""

    data: Any
    text: str | None = None  # shown instead of JSON on a terminal (help, set, history, log)
    raw: str | None = None  # the server's answer as is, for `--output raw`
    styled: bool = False  # ``text`` carries azshell's own colours (kept on a terminal)
    # the text in pipes too, unless `-o json` (a log is text that grep reads line by line)
    text_in_pipes: bool = False
    page: bool = True  # False: never through the pager (the verdict of a followed run)


def ok(**extra: Any) -> dict[str, Any]:
    """The answer of a command that has no data: ``{"ok": true, ...}``."""
    return {"ok": True, **extra}


def make_names(url: str | None, persistent: bool, user: str | None = None) -> NameBook:
    """A NameBook for ``url``: cached on disk in the interactive shell, in memory in scripts."""
    from azshell.shell.names.book import NameBook, names_path

    path = names_path(url, user or "") if persistent and url else None
    book = NameBook(path)
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            book.load()
    return book


def new_context(
    settings: Settings,
    *,
    interactive: bool,
    stdout: Any = None,
    stderr: Any = None,
) -> Context:
    """A session's context with the writer, the password prompt and the names it needs."""
    from azshell.shell.session.terminal import ask_password_tty, confirm_tty

    out = Output(stdout, stderr, color=settings.color, pager=settings.pager,
                 pager_command=settings.pager_command)
    ctx = Context(
        settings=settings,
        names=make_names(None, False),
        out=out,
        interactive=interactive,
        ask_password=ask_password_tty,
        confirm=confirm_tty,
    )
    out.secrets = ctx.known_secrets
    return ctx


def _no_password(prompt: str) -> str:
    raise SessionError("a password is needed: set AZSHELL_PASSWORD or a profile's password_command")


def _no_confirm(question: str) -> bool:
    raise UsageError("confirmation needed: add --yes")


@dataclass(eq=False, repr=False)
class Context:
    """Everything a handler may use; the app and the batch runner each build one.

    ``session`` is the connection to one server (azshell.shell.session.state): its client,
    password, saved session and last exchange, changed only through its methods. Handlers read
    ``client``, which is never None (the dispatcher connects before a command that needs it).
    """

    settings: Settings
    names: NameBook
    out: Output
    last_execid: int | None = None
    interactive: bool = False
    ask_password: Callable[[str], str] = _no_password
    confirm: Callable[[str], bool] = _no_confirm
    history: Callable[[], list[str]] | None = None  # the app's history, newest last
    lines: list[str] = field(default_factory=list)  # lines run in this session
    sandbox: SandboxHoldings | None = None  # the in-process --sandbox (goes with the shell)
    session: Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.session = Session(warn=self._note)

    def _note(self, text: str) -> None:
        self.out.note(text)  # the output of the moment: a redirected line replaces ``out``

    @property
    def client(self) -> AzkabanClient:
        """The client of a command that needs a session; never None (SessionError instead)."""
        client = self.session.connected
        if client is None:
            raise SessionError("not connected to a server: 'connect URL' first")
        return client

    def known_secrets(self) -> list[str]:
        """The passwords this shell knows (``Session.known_secrets``): a line holding one never
        reaches history, log or screen."""
        return self.session.known_secrets(self.settings.user)
