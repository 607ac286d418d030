"""The connection to one server, as one object: its client, the password it logged in with, the
session id it saved, and the last HTTP exchange it made.

The ``Context`` owns one ``Session``; the modules that connect, log out, renew or observe call
its methods (``adopt``, ``log_in``, ``keep_renewed``, ``log_out``, ``record`` ...) instead of
writing fields, so what can happen to a session is read here. How a session is found (a saved
id first, a password only when needed) is ``connection.py``'s; this object only keeps the result.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azshell.client import AzkabanClient, Exchange
    from azshell.shell.session.store import SessionStore

MIN_SECRET = 3  # a shorter "password" would hide every such word in ordinary lines


class Session:
    """One server's session in this shell. Reads are properties; every change is a method."""

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self._warn = warn  # how the saved-session store reports a broken file
        self._client: AzkabanClient | None = None
        self._store: SessionStore | None = None
        self._password: str | None = None  # the one that logged in; memory only
        self._asked: str | None = None  # the last one typed at the question, even a wrong one
        self._saved: str | None = None  # the session id last written to the store
        self._reused = False
        self._last_exchange: Exchange | None = None

    # -- what it is ---------------------------------------------------------------------------
    @property
    def connected(self) -> AzkabanClient | None:
        """The client, None until the first connect."""
        return self._client

    @property
    def password(self) -> str | None:
        """The password this session logged in with (or was given), if any."""
        return self._password

    @property
    def reused(self) -> bool:
        """Whether the last connect adopted a saved session instead of logging in."""
        return self._reused

    @property
    def saved_id(self) -> str | None:
        """The session id last written to (or read from) the store."""
        return self._saved

    @property
    def store(self) -> SessionStore:
        """The saved sessions, made on first use (reading them costs a file)."""
        if self._store is None:
            from azshell.shell.session.store import SessionStore

            self._store = SessionStore(warn=self._warn)
        return self._store

    def open_store(self) -> None:
        """Make the store now (the app does it on the main thread, before completion asks)."""
        _ = self.store

    def use_store(self, store: SessionStore) -> None:
        """Keep saved sessions in ``store`` instead (the in-process sandbox: memory only)."""
        self._store = store

    def accounts(self) -> list[tuple[str, str]]:
        """The saved servers and users, without making the store (completion asks from its own
        thread; the store is made on the main one)."""
        return self._store.accounts() if self._store is not None else []

    @property
    def last_exchange(self) -> Exchange | None:
        """The session's last exchange, whichever client sent it (`curl`, `debug`)."""
        return self._last_exchange

    def known_secrets(self, configured_user: str | None = None) -> list[str]:
        """The passwords this shell knows: the one it logged in with, the one last typed at its
        question, AZSHELL_PASSWORD. A line holding one never reaches history, log or screen."""
        found = (self._password, self._asked, os.environ.get("AZSHELL_PASSWORD"))
        # a password that is the user's own name (the sandbox's azkaban/azkaban) hides nothing,
        # and hiding it would blank the user name in every line
        users = {configured_user, getattr(self._client, "user", None)}
        return [s for s in found if s and len(s) >= MIN_SECRET and s not in users]

    def secrets_held(self) -> tuple[list[str | None], list[str | None]]:
        """(passwords, session ids) this session holds now, short ones too: what the debug log
        hides in every record (a renewed session id as well as the first)."""
        session_id = getattr(self._client, "session_id", None)
        return [self._password, self._asked], [session_id, self._saved]

    # -- what happens to it -------------------------------------------------------------------
    def adopt(self, client: AzkabanClient, user: str, session_id: str) -> None:
        """Talk through ``client`` on a saved session: no password, no login request."""
        client.adopt_session(user, session_id)
        self._saved, self._reused, self._client = session_id, True, client

    def log_in(self, client: AzkabanClient, user: str, password: str) -> str:
        """Log in through ``client``, save the new session id and remember the password; on a
        refusal nothing changes (the previous client stays)."""
        session_id = client.login(user, password)
        self._password = password
        self.store.put(client.url, user, session_id)
        self._saved, self._reused, self._client = session_id, False, client
        return session_id

    def use(self, client: AzkabanClient) -> None:
        """Talk through ``client``, which holds its session already (made and logged in
        elsewhere: a test's, a program's that embeds the shell); the next ``keep_renewed``
        saves its session id."""
        self._client, self._reused = client, False

    def remember_password(self, password: str) -> None:
        """A password that worked (a renewal's login) or that is given (the sandbox's)."""
        self._password = password

    def heard_password(self, answer: str) -> None:
        """What was typed at the password question: a secret from now on, even if refused."""
        self._asked = answer

    def forget_password(self) -> None:
        """Another server or user, or a logout: the remembered password is not for it."""
        self._password = None

    def keep_renewed(self) -> None:
        """Write the client's session id to the store when the client renewed it by itself."""
        client = self._client
        sid, user = getattr(client, "session_id", None), getattr(client, "user", None)
        if client is not None and sid and user and sid != self._saved:
            self.store.put(client.url, user, sid)
            self._saved = sid

    def forget_saved(self) -> None:
        """Drop the saved session of the current server and user (logout, refused session)."""
        client = self._client
        if client is not None and client.user:
            self.store.forget(client.url, client.user)
        self._saved = None

    def log_out(self) -> None:
        """After the server ended the session: neither its id nor its password is kept."""
        self.forget_saved()
        self.forget_password()

    @contextlib.contextmanager
    def lent_to(self, client: AzkabanClient | None) -> Iterator[None]:
        """Commands talk through ``client`` for a while (`test` runs a flow on a sandbox of its
        own), then through this session's client again."""
        kept = self._client
        self._client = client
        try:
            yield
        finally:
            self._client = kept

    def drop_client(self) -> None:
        """No server any more: the next command that needs one connects again."""
        self._client = None

    def record(self, exchange: Exchange) -> None:
        """An exchange one of the session's clients made (the client's observer calls this)."""
        self._last_exchange = exchange
