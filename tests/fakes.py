"""A tiny scripted HTTP server on loopback, for what the sandbox cannot be asked to do.

Failures in transit (a connection reset after the request was read, an answer that comes too
late, a TLS certificate nobody trusts) and answers of real Azkaban servers that the sandbox
does not produce are played from a script here. It is a real server over a real socket: the
client under test runs exactly as it would against Azkaban.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from azshell.client import AzkabanClient

SESSION_ID = "5d1a9c3e-8f2b-4e6d-a7c1-0b9e8d7f6a5c"


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int] = ("", 0)  # the client's address: same port = same connection

    @property
    def form(self) -> list[tuple[str, str]]:
        if "multipart" in self.headers.get("content-type", ""):
            return []
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    @property
    def params(self) -> dict[str, str]:
        """Query and form parameters together (the servlet API's ``getParameter``)."""
        return dict(self.query + self.form)


@dataclass
class Reply:
    """What to do: answer (``status``, ``body``), ``reset`` the connection, answer late, or play
    the raw answer in ``pieces``."""

    status: int = 200
    body: str | bytes = ""
    content_type: str | None = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # close with a TCP RST after reading the request, no answer
    short_by: int = 0  # announce the whole body, send this many bytes less, then close
    delay: float = 0.0
    # the answer as sent: status line, headers and body in pieces of (pause in s, bytes), each
    # written after its pause; the connection is closed after the last (the fields above unused)
    pieces: list[tuple[float, bytes]] | None = None

    @staticmethod
    def json(data: Any, status: int = 200) -> Reply:
        return Reply(status=status, body=json.dumps(data, indent=2).replace('":', '" :'))


Handler = Callable[[Seen], Reply]


def login_reply(seen: Seen) -> Reply | None:
    """The login answer of §2.1 for ``POST action=login`` (azkaban/azkaban only)."""
    params = seen.params
    if seen.method != "POST" or params.get("action") != "login":
        return None
    if params.get("username") == "azkaban" and params.get("password") == "azkaban":
        return Reply(body=json.dumps({"status": "success", "session.id": SESSION_ID}),
                     headers=[("Set-Cookie",
                               f"azkaban.browser.session.id={SESSION_ID}; Path=/")])
    return Reply.json({"error": "Incorrect Login. Username/Password not found."})


class FakeServer:
    """``with FakeServer(handler) as fake: fake.url``; ``fake.seen`` lists the requests."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None,
                 login: bool = True, body_delay: float = 0.0) -> None:
        """``body_delay``: wait this long before reading a request's body, so that sending it
        takes the client at least that long once the body outgrows the socket buffers."""
        self.handler = handler
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length and body_delay:
                    time.sleep(body_delay)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(self.command, parts.path,
                            parse_qsl(parts.query, keep_blank_values=True),
                            {k.lower(): v for k, v in self.headers.items()}, body,
                            self.client_address[:2])
                with fake._lock:
                    fake.seen.append(seen)
                reply = (login and login_reply(seen)) or fake.handler(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.pieces is not None:
                    self._play(reply.pieces)
                    return
                if reply.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if reply.short_by:
                    self.wfile.write(payload[: len(payload) - reply.short_by])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

            def _play(self, pieces: list[tuple[float, bytes]]) -> None:
                self.close_connection = True
                try:
                    for pause, piece in pieces:
                        time.sleep(pause)
                        self.wfile.write(piece)
                except OSError:  # the client gave up before the end: what these tests provoke
                    pass

            do_GET = do_POST = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """``(cert.pem, key.pem)`` for 127.0.0.1, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def free_port() -> int:
    """A port nobody listens on (for "connection refused")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- answers shared by the tests ---------------------------------------------------------------

FLOWS = Reply.json({"project": "p", "projectId": 1, "flows": [{"flowId": "f"}]})
EXECUTED = Reply.json({"project": "p", "flow": "f", "execid": 7,
                       "message": "Execution queued successfully with exec id 7"})


def answer_flows(seen: Seen) -> Reply:
    return FLOWS if seen.params.get("ajax") == "fetchprojectflows" else EXECUTED


def logged_in(url: str, **kwargs: object) -> AzkabanClient:
    """A client of ``url`` logged in as azkaban (kwargs go to AzkabanClient)."""
    client = AzkabanClient(url, **kwargs)  # type: ignore[arg-type]
    client.login("azkaban", "azkaban")
    return client


# Exec 7 of p/f as a server shows it after its executor died (§9): the sandbox never does that.
STOPPED: dict[str, Any] = {
    "execid": 7, "project": "p", "projectId": 1, "submitUser": "azkaban", "submitTime": 900,
    "id": "f", "flow": "f", "flowId": "f", "nestedId": "f", "type": None,
    "status": "EXECUTION_STOPPED", "startTime": 1000, "endTime": 2000, "updateTime": 2000,
    "attempt": 0,
    "nodes": [
        {"id": "ok", "type": "command", "status": "SUCCEEDED", "startTime": 1001,
         "endTime": 1500, "updateTime": 1500, "nestedId": "ok", "attempt": 0},
        {"id": "j", "type": "command", "status": "EXECUTION_STOPPED", "startTime": 1501,
         "endTime": 2000, "updateTime": 2000, "nestedId": "j", "attempt": 0, "in": ["ok"]},
    ],
}


def answer_stopped(seen: Seen) -> Reply:
    """Flow ``f`` of ``p``: execute starts exec 7, which has ended EXECUTION_STOPPED."""
    ajax = seen.params.get("ajax")
    if ajax == "fetchexecflow":
        return Reply.json(STOPPED)
    if ajax == "fetchexecflowupdate":
        return Reply.json({key: STOPPED[key]
                           for key in ("status", "startTime", "endTime", "updateTime")})
    if ajax == "fetchprojectflows":
        return FLOWS
    return EXECUTED  # executeFlow: exec id 7
