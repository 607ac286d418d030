"""Hostile input to the sandbox's HTTP layer: no header injection, no tracebacks, no leftovers."""

from __future__ import annotations

import socket
from collections.abc import Callable

from azshell.sandbox import Sandbox
from azshell.sandbox.http import Response


def _raw(sandbox: Sandbox, data: bytes, timeout: float = 5) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=timeout) as conn:
        conn.sendall(data)
        out = b""
        while chunk := conn.recv(65536):
            out += chunk
    return out


def _head_lines(reply: bytes) -> list[bytes]:
    return reply.partition(b"\r\n\r\n")[0].split(b"\r\n")


def test_crlf_in_a_parameter_never_reaches_a_header(sandbox: Sandbox,
                                                    login: Callable[..., str]) -> None:
    """The failure-message cookie carries the project name: CR/LF are escaped, not sent raw."""
    sid = login(sandbox.url)
    for query in ("project=x%0d%0aX-Injected:%20yes&delete=true",
                  "project=x%0aX-Injected:%20yes&delete=true",
                  "project=x%0d%0a%0d%0a<html>smuggled&download=true"):
        reply = _raw(sandbox, f"GET /manager?{query}&session.id={sid} HTTP/1.1\r\nHost: x\r\n"
                              f"Connection: close\r\n\r\n".encode())
        head = reply.partition(b"\r\n\r\n")[0]
        assert b"\n" not in head.replace(b"\r\n", b"")
        assert b"\r" not in head.replace(b"\r\n", b"")
        assert not any(line.lower().startswith(b"x-injected") for line in _head_lines(reply))
        assert b"<html>smuggled" not in reply.partition(b"\r\n\r\n")[2]


def test_no_header_value_is_written_with_a_raw_crlf() -> None:
    """The one place headers are written guards them all; Location is percent-encoded."""
    response = Response(status=302, headers=[("Location", "/manager?project=a\r\nX-Bad: 1"),
                                             ("X-Other", "a\nb")])
    response.add_cookie("azkaban.failure.message", 'x\r\n"y"')
    head = response.head_bytes(0).decode("latin-1")
    lines = head.split("\r\n")
    assert "Location: /manager?project=a%0D%0AX-Bad: 1" in lines
    assert "X-Other: a b" in lines
    assert 'Set-Cookie: azkaban.failure.message="x\\r\\n\\"y\\""; Path=/' in lines
    assert "\n" not in head.replace("\r\n", "")
    assert "\r" not in head.replace("\r\n", "")
