"""What the client tells observers about each exchange, against the sandbox and a server that
drops connections: headers, the start of the answer, the session (hidden), renewals, repeats."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from azshell.client import AzkabanClient, Exchange
from azshell.errors import ConnectionFailed, OutcomeUnknown


def test_login_exchange_hides_the_cookie_and_the_session_in_the_answer(sandbox: Any) -> None:
    seen: list[Exchange] = []
    client = AzkabanClient(sandbox.url, observer=seen.append)
    session = client.login("azkaban", "azkaban")
    (login,) = seen
    assert ("password", "***") in login.params
    assert login.reveal_session() is None  # a login carries no session
    cookie = next(v for k, v in login.response_headers.items() if k.lower() == "set-cookie")
    assert cookie.startswith("azkaban.browser.session.id=<session>")
    assert '"session.id" : "<session>"' in login.body
    assert login.request_headers["X-Requested-With"] == "XMLHttpRequest"
    assert login.verify is True
    assert session not in repr(login) + login.body + str(login.response_headers)
    assert "azkaban" not in login.body  # neither the password nor anything else of it


def test_a_call_exchange_keeps_the_session_it_sent_for_reveal_only(sandbox: Any) -> None:
    seen: list[Exchange] = []
    client = AzkabanClient(sandbox.url, observer=seen.append)
    client.login("azkaban", "azkaban")
    client.projects()
    last = seen[-1]
    assert all(name != "session.id" for name, _ in last.params)  # a GET: the cookie carries it
    assert last.session_cookie
    assert last.request_headers["Cookie"] == "azkaban.browser.session.id=<session>"
    assert last.reveal_session() == client.session_id
    assert client.session_id not in repr(last)
    assert "X-Requested-With" not in last.request_headers  # a GET
    assert last.request_headers["User-Agent"].startswith("azshell/")
    assert last.body.lstrip().startswith("{") or last.body.lstrip().startswith("[")
    assert last == client.last_exchange


def test_an_expired_session_shows_as_gone_then_a_login_then_the_call_again(
        fresh_sandbox: Any) -> None:
    seen: list[Exchange] = []
    client = AzkabanClient(fresh_sandbox.url, observer=seen.append)
    client.credentials = lambda: ("azkaban", "azkaban")
    client.login("azkaban", "azkaban")
    old = client.session_id
    fresh_sandbox.expire_sessions()
    seen.clear()
    client.projects()
    assert [(e.method, e.path, e.session_gone) for e in seen] == [
        ("GET", "/index", True), ("POST", "/", False), ("GET", "/index", False)]
    assert seen[0].reveal_session() == old
    assert seen[2].reveal_session() == client.session_id != old


class DroppingServer:
    """Reads each request and closes the connection without answering."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests += 1

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    server = DroppingServer()
    yield server
    server.close()


def test_a_read_whose_connection_dropped_is_marked_as_sent_again(dropping: DroppingServer,
                                                                 ) -> None:
    seen: list[Exchange] = []
    client = AzkabanClient(dropping.url, observer=seen.append, timeout=(2, 2))
    client.adopt_session("azkaban", "5d1a9c3e-8f2b-4e6d-a7c1-0b9e8d7f6a5c")
    with pytest.raises(ConnectionFailed):
        client.execution(1)
    assert [(e.status, e.repeat, e.error_kind) for e in seen] == [
        (None, True, "ConnectionFailed"), (None, False, "ConnectionFailed")]
    assert all("lost before the answer" in (e.error or "") for e in seen)


def test_a_state_change_whose_connection_dropped_is_not_sent_again(dropping: DroppingServer,
                                                                  ) -> None:
    seen: list[Exchange] = []
    client = AzkabanClient(dropping.url, observer=seen.append, timeout=(2, 2))
    client.adopt_session("azkaban", "5d1a9c3e-8f2b-4e6d-a7c1-0b9e8d7f6a5c")
    with pytest.raises(OutcomeUnknown):
        client.cancel(1)
    (only,) = seen
    assert (only.status, only.repeat, only.error_kind) == (None, False, "OutcomeUnknown")
    assert only.request_headers["X-Requested-With"] == "XMLHttpRequest"
    assert dropping.requests == 1
