"""The interactive shell: a prompt_toolkit PromptSession loop around ``run_line``.

Start-up is kept lean so the first prompt appears as fast as a bare PromptSession: a saved
session is adopted without asking the server, and the session check, the name cache and the
refresh of projects and flows all happen in a background thread after the first prompt is drawn.
A command runs in the main thread, so Ctrl-C interrupts it where it is (inside ``requests``); the
shell then drops the HTTP connections and carries on with the same session.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import threading
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application
from prompt_toolkit.auto_suggest import ThreadedAutoSuggest
from prompt_toolkit.completion import DynamicCompleter
from prompt_toolkit.lexers import DynamicLexer
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import CompleteStyle
from prompt_toolkit.styles import Style

from azshell.errors import AzshellError, SessionError
from azshell.shell.interactive.history import ServerSuggest
from azshell.shell.interactive.keys import shell_bindings
from azshell.shell.interactive.styles import STYLE, TOOLBAR_STYLE
from azshell.shell.interactive.toolbar import Status, make_toolbar, prompt_fragments
from azshell.threads import start_daemon

if TYPE_CHECKING:
    from azshell.client import Exchange
    from azshell.shell.interactive.completer import BusyCompleter
    from azshell.shell.interactive.lexer import CommandLexer

INTERRUPTED_NOTE = "interrupted; the request was abandoned"
INTERRUPTED_QUIET = "interrupted"  # nothing had been sent (a question, a local step)
INTERRUPTED = 130
# imported in the background once the first prompt is drawn (it does without them)
LINE_MODULES = ("azshell.shell.interactive.lexer", "azshell.shell.interactive.completer",
                "azshell.shell.run.dispatch")
WELCOME = ("type 'help' for the commands, 'help keys' for the keys; Tab completes names "
           "(this note shows once)")



class InteractiveShell:
    """One interactive session: the prompt, its completer, history, toolbar and background work."""

    def __init__(self, ctx: Any, history: Any = None, input: Any = None, output: Any = None,
                 ) -> None:
        self.ctx = ctx
        self.status = Status()
        ctx.interactive = True
        ctx.ask_password = self.ask_password
        ctx.confirm = self.confirm
        self.history = history if history is not None else _file_history()
        if hasattr(self.history, "secrets"):  # a SecretFreeHistory: it knows what to drop
            self.history.secrets = ctx.known_secrets
        ctx.history = self.history_lines
        from azshell.shell.interactive.refresh import Refresher

        self.refresher = Refresher(ctx, self.status, self._changed)
        self.book_key: tuple[str, str] | None = None
        self.book: Any = None
        self._io = {"input": input, "output": output}
        # the lexer and the completer need the command table: they are made when first asked
        # for, once there is input, so the first prompt is drawn without importing it
        self._line_lexer: CommandLexer | None = None
        self._line_completer: BusyCompleter | None = None
        self.session: PromptSession[str] = PromptSession(
            history=self.history,
            completer=DynamicCompleter(lambda: self.completer),
            lexer=DynamicLexer(self._lexer),
            auto_suggest=ThreadedAutoSuggest(ServerSuggest(self._book)),
            complete_while_typing=True,
            complete_style=CompleteStyle.COLUMN,
            reserve_space_for_menu=6,
            key_bindings=shell_bindings(self.toggle_toolbar),
            style=Style.from_dict({**STYLE, **TOOLBAR_STYLE}),
            **{k: v for k, v in self._io.items() if v is not None},
        )
        self._started = False
        self._deferred_user: str | None = None  # connect after the first prompt, as this user
        self._ready = threading.Event()  # set once the deferred connect is done
        self._ready.set()
        self._late_error: str | None = None  # what went wrong while connecting in the background
        self.session.app.after_render += self._first_render

    # -- the loop --------------------------------------------------------------------------------
    def run(self) -> int:
        """Read and run lines until Ctrl-D, ``exit`` or ``quit``; the exit status is 0."""
        self.prepare()
        try:
            while True:
                try:
                    line = self.read_line()
                except KeyboardInterrupt:
                    continue  # Ctrl-C at the prompt: a fresh, empty line
                except EOFError:
                    if self.may_leave():
                        return 0
                    continue
                stop = self.run_one(line)
                if stop is not None:
                    return stop
        finally:
            self.refresher.stop()
            self._save_names()
            self.fresh_connections()  # close them: the server sees a goodbye, not a reset

    def welcome(self) -> None:
        """A new user's first prompt says where help is, once (a marker file remembers it)."""
        from azshell.shell.session.paths import state_dir

        marker = state_dir() / "welcomed"
        try:
            if marker.exists():
                return
            from azshell.shell.interactive.history import private_file

            private_file(marker)
        except OSError:
            return
        self.ctx.out.note(WELCOME)

    def may_leave(self) -> bool:
        """Ctrl-D ends the shell, but a ``--sandbox`` shell holding projects or unfinished
        executions asks first: they live in this process and go with it."""
        sandbox = getattr(self.ctx, "sandbox", None)
        if sandbox is None:
            return True
        projects, running = sandbox.holdings()
        if not (projects or running):
            return True
        held = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in
                ((projects, "project"), (running, "running execution")) if n]
        return self.confirm(f"Quit and lose the sandbox's {' and '.join(held)}?")

    def _last_exchange(self) -> Exchange | None:
        """The session's last request, whichever client sent it (the observer records it)."""
        session = self.ctx.session
        client = session.connected
        return session.last_exchange or (client.last_exchange if client is not None else None)

    def _interruption_note(self, before: object) -> str:
        """The client's own note when Ctrl-C cut a request of this line (it says when the
        outcome of a state change is unknown), the generic one for another cut request, and a
        plain "interrupted" when no request was cut (Ctrl-C at a question, between polls)."""
        exchange = self._last_exchange()
        if exchange is None or exchange is before or not exchange.interrupted:
            return INTERRUPTED_QUIET
        if exchange.outcome_unknown and exchange.error:
            return exchange.error
        return INTERRUPTED_NOTE

    def read_line(self) -> str:
        """One line from the prompt (KeyboardInterrupt on Ctrl-C, EOFError on Ctrl-D)."""
        toolbar = None  # prompt(bottom_toolbar=None) would keep the old one: set it here
        if self.ctx.settings.toolbar:
            toolbar = make_toolbar(self.ctx, self.status, self._book, self._text_before_cursor,
                                   self._columns)
        self.session.bottom_toolbar = toolbar
        # `--color never`, `set color off`, NO_COLOR, TERM=dumb: no colour in the input and the
        # toolbar either (None lets prompt_toolkit choose: it honours NO_COLOR itself)
        self.session.color_depth = None if self.ctx.out.color else ColorDepth.MONOCHROME
        return self.session.prompt(prompt_fragments(self.ctx, self._deferred_user))

    def recall(self, line: str) -> str | None:
        """``!N``: line N of `history` (shown first, and kept in the history as itself);
        ``!!`` the last one. None (after an error line) for a number it does not have."""
        word = line.strip()
        lines = self.history_lines()
        if word == "!!":
            index = len(lines)
        elif re.fullmatch(r"!\d+", word):
            index = int(word[1:])
        else:
            return line
        if not 1 <= index <= len(lines):
            self.ctx.out.error(f"{word}: no such line in the history ('history' lists them)")
            return None
        recalled = lines[index - 1]
        self.ctx.out.note(recalled)
        self.history.append_string(recalled)
        return recalled

    def run_one(self, line: str) -> int | None:
        """Run one line; an exit status when the shell should end, else None."""
        from azshell.shell.run.dispatch import run_line

        if line.lstrip().startswith("!"):
            recalled = self.recall(line)
            if recalled is None:
                return None
            line = recalled

        before: object = INTERRUPTED  # not a session key: nothing to compare if interrupted early
        try:
            last: object = None
            self._ready.wait()  # the saved session is being adopted in the background
            if self._late_error:
                self.ctx.out.error(self._late_error)
                self._late_error = None
            unreachable, self.refresher.unreachable = self.refresher.unreachable, None
            if unreachable:
                self.ctx.out.error(unreachable)
            before = self._session_key()
            last = self._last_exchange()
            code = run_line(self.ctx, line)
        except KeyboardInterrupt:
            self.ctx.out.error(self._interruption_note(last))
            code = INTERRUPTED
        except EOFError:
            return 0
        except SystemExit as stop:  # `exit N` chooses the status
            return stop.code if isinstance(stop.code, int) else 0
        if code == INTERRUPTED:
            self.fresh_connections()
        self.sync_book()
        self._watch_last_execution()
        self._reachability(last)
        if before != INTERRUPTED and self._session_key() != before:
            client = self.ctx.session.connected
            if self._session_key():
                state = "valid"
            else:  # a failed line that lost the session: it expired and was not renewed
                state = "expired" if code and getattr(client, "user", None) else "none"
            self.status.set(session=state, note="")
            self.refresher.refresh()
        return None

    def _reachability(self, before: object) -> None:
        """The toolbar says `offline` once a request of the line found the server gone, and
        `valid` again once one gets an answer."""
        exchange = self._last_exchange()
        if exchange is None or exchange is before:
            return
        if exchange.offline:
            self.status.set(session="offline")
        elif self.status.session == "offline" and exchange.status:
            self.status.set(session="valid" if self._session_key() else "none")

    def _watch_last_execution(self) -> None:
        """The toolbar's last execution is kept current in the background while it runs."""
        from azshell.client.execution_model import FINAL_FLOW

        execid, book = self.ctx.last_execid, self._book()
        known = book.execution(execid) if execid is not None and book is not None else None
        if known is not None and known.status not in FINAL_FLOW:
            self.refresher.watch(execid)

    # -- session and names -----------------------------------------------------------------------
    def prepare(self) -> None:
        """Connect now only when a password is needed; a saved session is adopted after the
        first prompt is drawn (adopting needs the HTTP client, which takes a while to import)."""
        ctx = self.ctx
        ctx.session.open_store()  # here, on the main thread: completion reads it from its own
        if ctx.session.connected is None and ctx.settings.url:
            user = self._saved_user(ctx.settings.url)
            if user is not None:
                self._deferred_user = user
                self._ready.clear()
                self.status.set(session="unknown")
                return
        self.connect_quietly()

    def _saved_user(self, url: str) -> str | None:
        """The user whose session for ``url`` is saved (the configured one, else the last)."""
        store = self.ctx.session.store
        try:
            user = self.ctx.settings.user or store.last_user(url)
            return user if user and store.get(url, user) else None
        except (OSError, ValueError):
            return None

    def _background_start(self) -> None:
        """After the first prompt: import what the first keystroke and the first line need,
        adopt the saved session, then refresh names."""
        for module in LINE_MODULES:  # a warm-up only: the main thread imports them too when
            with contextlib.suppress(Exception):  # it needs them, and meets any error there
                importlib.import_module(module)
        try:
            if self._deferred_user is not None:
                from azshell.shell.session.connection import connect

                try:
                    connect(self.ctx, self.ctx.settings.url, self._deferred_user)
                    self.sync_book()
                except AzshellError as err:
                    self._late_error = str(err)
                    self.status.set(session="none", note=str(err)[:60])
                except Exception as err:  # never leave the prompt waiting forever
                    self._late_error = f"could not connect: {err!r}"
        finally:
            self._deferred_user = None
            self._ready.set()
        self.refresher.start()
        self._changed("names")

    def connect_quietly(self) -> None:
        """Adopt the saved session of the configured server (no request); log in if there is none.

        A failure is one line and the shell still starts: ``connect`` or ``login`` can fix it.
        """
        ctx = self.ctx
        if ctx.session.connected is None and ctx.settings.url:
            from azshell.shell.session.connection import connect

            try:
                connect(ctx, ctx.settings.url, ctx.settings.user)
            except AzshellError as err:
                ctx.out.error(str(err))
            except (KeyboardInterrupt, EOFError):
                ctx.out.error("not logged in; type 'login' when ready")
        if ctx.session.connected is not None:
            self.status.set(session="valid" if not ctx.session.reused else "unknown")
        else:
            self.status.set(session="none")
        self.sync_book()

    def sync_book(self) -> None:
        """Keep one NameBook per server and user: the one ``connect`` made for the context (its
        cache file is per server and user), or a new one if the context's is for another."""
        from azshell.shell.names.book import NameBook, names_path

        key = self._book_key()
        if key is None:
            self.book = self.ctx.names
            return
        if key == self.book_key:
            if self.ctx.names is not self.book:  # a reconnect to the same server made a new one
                self.ctx.names = self.book
            return
        wanted = names_path(*key)
        if getattr(self.ctx.names, "path", None) != wanted:
            self._save_names()
            self.ctx.names = NameBook(wanted)  # loaded by the refresher, off the prompt's thread
        self.book, self.book_key = self.ctx.names, key
        if self._started:
            self.refresher.refresh()

    def _book(self) -> Any:
        return self.ctx.names

    def _lexer(self) -> CommandLexer | None:
        """The input is highlighted only while colour is on, and once there is some."""
        if not self.ctx.out.color:
            return None
        if self._line_lexer is None:
            if not self.session.default_buffer.text:  # the first prompt: nothing to highlight
                return None
            from azshell.shell.interactive.lexer import CommandLexer

            self._line_lexer = CommandLexer(self._book)
        return self._line_lexer

    @property
    def completer(self) -> BusyCompleter:
        """Made on the event loop's thread the first time completion runs."""
        if self._line_completer is None:
            from azshell.shell.interactive.completer import BusyCompleter, ShellCompleter

            ctx = self.ctx
            self._line_completer = BusyCompleter(ShellCompleter(
                self._book, self.refresher.want, lambda: getattr(ctx, "last_execid", None),
                accounts=self._accounts,
                current_url=lambda: getattr(ctx.session.connected, "url", None)))
        return self._line_completer

    def _book_key(self) -> tuple[str, str] | None:
        client = self.ctx.session.connected
        url, user = getattr(client, "url", None), getattr(client, "user", None)
        return (url, user) if url and user else None

    def _session_key(self) -> tuple[str, str, str] | None:
        client = self.ctx.session.connected
        parts = tuple(getattr(client, a, None) for a in ("url", "user", "session_id"))
        return parts if all(parts) else None  # type: ignore[return-value]

    def _save_names(self) -> None:
        if self.book is not None:
            with contextlib.suppress(Exception):
                self.book.save()

    def fresh_connections(self) -> None:
        """Drop the pooled connections (after Ctrl-C one may hold half an answer)."""
        if self.ctx.session.connected is not None:
            with contextlib.suppress(Exception):
                self.ctx.client.close()

    # -- callbacks -------------------------------------------------------------------------------
    def _first_render(self, app: Application[Any]) -> None:
        """Background work starts once the first prompt is on the screen."""
        if not self._started:
            self._started = True
            from azshell.shell import started

            started()
            start_daemon(self._background_start, "azshell-start")

    def _changed(self, what: str) -> None:
        """From the refresher thread: redraw, and re-open the menu when wanted names arrived."""
        app = self.session.app
        if not app.is_running or app.loop is None:
            return
        if what in ("wanted", "names"):
            app.loop.call_soon_threadsafe(self._recomplete)
        if what == "status" and self.refresher.unreachable:
            app.loop.call_soon_threadsafe(self._say_unreachable)
        app.invalidate()

    def _say_unreachable(self) -> None:
        """The session check found no server: say why above the prompt (a certificate that is
        not trusted names -k and --ca-cert), not only `offline` in the toolbar."""
        from prompt_toolkit.application import run_in_terminal

        message, self.refresher.unreachable = self.refresher.unreachable, None
        if message:
            run_in_terminal(lambda: self.ctx.out.error(message))

    def _recomplete(self) -> None:
        """Show names that arrived while the user was typing, where no menu is open.

        A completion still running was computed without them and would swallow a new start,
        so this runs again when it has ended."""
        app, buffer = self.session.app, self.session.default_buffer
        if not buffer.text.strip() or not app.is_running or app.loop is None:
            return
        if self.completer.after_busy(self._recomplete):
            return
        if buffer.complete_state is None:  # an open menu stays as it is: Tab may be on its way
            buffer.start_completion(select_first=False)

    def _accounts(self) -> list[tuple[str, str]]:
        """The saved sessions' servers and users (for completing `connect` and `login`); the
        store is made by ``prepare`` on the main thread, not here in the completion's."""
        return self.ctx.session.accounts()

    def _columns(self) -> int:
        return self.session.app.output.get_size().columns

    def _text_before_cursor(self) -> str:
        return self.session.app.current_buffer.document.text_before_cursor

    def toggle_toolbar(self) -> None:
        self.ctx.settings.toolbar = not self.ctx.settings.toolbar
        if self.ctx.settings.toolbar:
            self.session.bottom_toolbar = make_toolbar(
                self.ctx, self.status, self._book, self._text_before_cursor, self._columns)
        else:
            self.session.bottom_toolbar = None

    def history_lines(self) -> list[str]:
        """The history, oldest first, for the `history` command: without the lines that may
        hold a secret (they are recallable with the arrow keys, not printed)."""
        from azshell.shell.interactive.history import is_secret

        secrets = self.ctx.known_secrets()
        return [line for line in self.history.get_strings() if not is_secret(line, secrets)]

    def ask_password(self, message: str) -> str:
        """The password, asked without echo: nothing at all shows, not even a star per
        character, as getpass and psql do (Ctrl-C abandons the command that needed it)."""
        return self._question(message, is_password=True)

    def confirm(self, question: str) -> bool:
        """A yes/no question; only y or yes says yes (Ctrl-D says no)."""
        try:
            answer = self._question(f"{question} [y/N] ")
        except EOFError:
            return False
        return answer.strip().lower() in ("y", "yes")

    def _question(self, message: str, is_password: bool = False) -> str:
        """A one-off prompt on the shell's terminal, without the shell's history."""
        extra: dict[str, Any] = {}
        if is_password:
            from azshell.shell.interactive.history import Hidden

            extra["input_processors"] = [Hidden()]
        asker: PromptSession[str] = PromptSession(
            **{k: v for k, v in self._io.items() if v is not None})
        try:
            return asker.prompt(message, **extra)
        except EOFError:
            if is_password:  # Ctrl-D: no password, and the shell goes on
                raise SessionError("no password given") from None
            raise


def _file_history() -> Any:
    from azshell.shell.interactive.history import SecretFreeHistory
    from azshell.shell.session.paths import history_file

    try:
        return SecretFreeHistory(history_file())
    except OSError:
        from prompt_toolkit.history import InMemoryHistory

        return InMemoryHistory()


def run(ctx: Any) -> int:
    """Run the interactive shell on ``ctx`` (called by ``azshell.cli``); returns the exit status."""
    shell = InteractiveShell(ctx)
    shell.welcome()
    return shell.run()
