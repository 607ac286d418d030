"""The Session object: what each of its methods does to the connection to one server, against
the sandbox (a real HTTP server on loopback)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from azshell.client import AzkabanClient
from azshell.errors import AzshellError
from azshell.sandbox import Sandbox
from azshell.shell.run.context import new_context
from azshell.shell.run.dispatch import run_line
from azshell.shell.session.settings import Settings
from azshell.shell.session.state import Session
from azshell.shell.session.store import MemoryStore


def _session() -> tuple[Session, MemoryStore]:
    session, store = Session(), MemoryStore()
    session.use_store(store)
    return session, store


def test_log_in_saves_the_session_and_remembers_the_password(sandbox: Sandbox) -> None:
    session, store = _session()
    client = AzkabanClient(sandbox.url)
    sid = session.log_in(client, "azkaban", "azkaban")
    assert session.connected is client
    assert client.session_id == sid
    assert store.get(client.url, "azkaban") == sid
    assert session.saved_id == sid
    assert session.password == "azkaban"
    assert not session.reused


def test_a_refused_login_changes_nothing(sandbox: Sandbox) -> None:
    session, _store = _session()
    first = AzkabanClient(sandbox.url)
    sid = session.log_in(first, "azkaban", "azkaban")
    with pytest.raises(AzshellError):
        session.log_in(AzkabanClient(sandbox.url), "azkaban", "not-the-password")
    assert session.connected is first
    assert session.saved_id == sid
    assert session.password == "azkaban"


def test_adopt_reuses_a_saved_session_without_a_password(sandbox: Sandbox) -> None:
    session, _ = _session()
    sid = AzkabanClient(sandbox.url).login("azkaban", "azkaban")
    client = AzkabanClient(sandbox.url)
    session.adopt(client, "azkaban", sid)
    assert session.reused
    assert session.password is None
    assert session.saved_id == sid
    assert client.session_valid()


def test_keep_renewed_writes_a_new_id_once(sandbox: Sandbox) -> None:
    session, store = _session()
    client = AzkabanClient(sandbox.url)
    old = session.log_in(client, "azkaban", "azkaban")
    session.keep_renewed()  # nothing renewed: the store keeps the same id
    assert store.get(client.url, "azkaban") == old
    new = client.login("azkaban", "azkaban")  # what a renewal does inside the client
    assert new != old
    session.keep_renewed()
    assert store.get(client.url, "azkaban") == new
    assert session.saved_id == new


def test_log_out_forgets_the_saved_id_and_the_password(sandbox: Sandbox) -> None:
    session, store = _session()
    client = AzkabanClient(sandbox.url)
    session.log_in(client, "azkaban", "azkaban")
    session.log_out()
    assert store.get(client.url, "azkaban") is None
    assert session.saved_id is None
    assert session.password is None


def test_lent_to_gives_the_client_back_even_after_an_error(sandbox: Sandbox) -> None:
    session, _ = _session()
    own, other = AzkabanClient(sandbox.url), AzkabanClient(sandbox.url)
    session.log_in(own, "azkaban", "azkaban")
    seen: list[object] = []

    def borrow() -> None:
        with session.lent_to(other):
            seen.append(session.connected)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        borrow()
    assert seen == [other]
    assert session.connected is own


def test_known_secrets_skip_short_ones_and_the_user_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZSHELL_PASSWORD", raising=False)
    session = Session()
    session.remember_password("azkaban")  # the sandbox's user is its own password
    session.heard_password("s3cret-typed")
    session.heard_password("ab")  # too short to hide: it would blank every such word
    assert session.known_secrets("azkaban") == []
    session.heard_password("s3cret-typed")
    assert session.known_secrets("azkaban") == ["s3cret-typed"]
    session.forget_password()
    assert session.known_secrets(None) == ["s3cret-typed"]


def test_record_keeps_the_last_exchange_of_every_client(sandbox: Sandbox) -> None:
    """The shell's observer records each exchange in the session, the login's included."""
    ctx = new_context(Settings(pager=False, url=sandbox.url, user="azkaban"),
                      interactive=False, stdout=io.StringIO(), stderr=io.StringIO())
    ctx.session.use_store(MemoryStore())
    ctx.session.remember_password("azkaban")
    assert ctx.session.last_exchange is None
    assert run_line(ctx, "projects") == 0
    last = ctx.session.last_exchange
    assert last is not None
    assert last is ctx.client.last_exchange
    assert last.status == 200
    before = last
    assert run_line(ctx, "projects") == 0
    assert ctx.session.last_exchange is not before


def test_a_refused_password_leaves_the_shell_unconnected(sandbox: Sandbox) -> None:
    ctx = new_context(Settings(pager=False, url=sandbox.url, user="azkaban"),
                      interactive=False, stdout=io.StringIO(), stderr=io.StringIO())
    ctx.session.use_store(MemoryStore())
    ctx.session.remember_password("wrong-password")
    assert run_line(ctx, "projects") == 3
    assert ctx.session.connected is None
    assert ctx.session.saved_id is None


def test_the_debug_log_hides_what_the_session_holds(tmp_path: Path) -> None:
    """The debug log asks the Session at each record: a password typed after the log started
    is hidden too (it read Context fields by name, which a move would have silently broken)."""
    import logging

    from azshell.shell.debugging import debuglog

    ctx = new_context(Settings(), interactive=False, stdout=io.StringIO(),
                      stderr=io.StringIO())
    path = debuglog.start(ctx, [], directory=tmp_path)
    try:
        ctx.session.heard_password("typed-Secret1")
        logging.getLogger(debuglog.LOGGER).debug("line: login with typed-Secret1")
    finally:
        debuglog.stop()
    text = path.read_text(encoding="utf-8")
    assert "line: login with" in text
    assert "typed-Secret1" not in text
