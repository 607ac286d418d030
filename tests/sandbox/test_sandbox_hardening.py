"""Hostile input to the sandbox's HTTP layer: no header injection, no tracebacks, no leftovers."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Callable

import pytest
import requests

from azshell.sandbox import Sandbox, http
from azshell.sandbox.http import Response
from azshell.sandbox.servlets import flow_options as options


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
    assert 'Set-Cookie: azkaban.failure.message="x\\r\\n\\"y\\"";Path=/' in lines
    assert "\n" not in head.replace("\r\n", "")
    assert "\r" not in head.replace("\r\n", "")


def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing at WARNING or above was logged by the sandbox (no traceback on its console)."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_negative_chunk_size_is_a_bad_request(sandbox: Sandbox,
                                              caplog: pytest.LogCaptureFixture) -> None:
    for size in (b"-5", b"+5", b"0x5", b"1_0"):
        reply = _raw(sandbox, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                              b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                              + size + b"\r\naction\r\n0\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 400 "), (size, reply[:80])
    _quiet(caplog)


def test_client_stalling_mid_body_is_a_quiet_drop(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(http._Handler, "timeout", 0.3)
    for path in (b"/", b"/manager"):
        reply = _raw(sandbox, b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                              b"Content-Type: application/x-www-form-urlencoded\r\n\r\naction=lo")
        assert reply == b""
    _quiet(caplog)


def test_deeply_nested_disabled_json_is_ignored(sandbox: Sandbox, session_id: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """§6.1: invalid ``disabled`` JSON is ignored; too deep to parse counts as invalid."""
    reply = requests.post(sandbox.url + "/executor", timeout=10, data={
        "ajax": "executeFlow", "project": "no-such-project", "flow": "f",
        "session.id": session_id, "disabled": "[" * 3000})
    assert reply.status_code == 200
    assert "error" in reply.json()
    assert options._disabled("[" * 3000) == []
    _quiet(caplog)


def test_invalid_content_length_is_a_bad_request(sandbox: Sandbox,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Not taken as 0 (the body would be read as the next request) nor as Python's int()."""
    for length in (b"46x", b"1_0", b"-1", b"+6"):
        reply = _raw(sandbox, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
                              + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
                              b"action=login&username=azkaban&password=azkaban"
                              b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 400 "), (length, reply[:80])
        assert reply.count(b"HTTP/1.1 ") == 1
        assert b"Connection: close" in reply
    _quiet(caplog)


def test_form_over_ten_mib_is_refused_and_changes_nothing(sandbox: Sandbox, session_id: str,
                                                          project_name: str) -> None:
    """Jetty throws "Form too large" (an HTTP 500) instead of acting on a truncated form."""
    data = {"action": "create", "name": project_name, "description": "d",
            "session.id": session_id, "padding": "x" * (http.MAX_FORM_SIZE + 10)}
    reply = requests.post(sandbox.url + "/manager", data=data, timeout=30)
    assert reply.status_code == 500
    assert "Form too large" in reply.text
    lookup = requests.get(sandbox.url + "/manager", timeout=10, params={
        "ajax": "getProjectId", "project": project_name, "session.id": session_id})
    assert "error" in lookup.json()


def test_aborted_upload_leaves_no_spool_file(fresh_sandbox: Sandbox,
                                             caplog: pytest.LogCaptureFixture) -> None:
    """A client that disconnects in the middle of a file part: its spool file is removed."""
    sid = requests.post(fresh_sandbox.url, timeout=10, data={
        "action": "login", "username": "azkaban", "password": "azkaban"}).json()["session.id"]
    body = (b'--XX\r\nContent-Disposition: form-data; name="ajax"\r\n\r\nupload\r\n'
            b'--XX\r\nContent-Disposition: form-data; name="file"; filename="p.zip"\r\n'
            b"Content-Type: application/zip\r\n\r\n" + b"A" * 300000)
    with socket.create_connection(("127.0.0.1", fresh_sandbox.port), timeout=5) as conn:
        conn.sendall(f"POST /manager?session.id={sid} HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: multipart/form-data; boundary=XX\r\n"
                     "Content-Length: 10000000\r\n\r\n".encode() + body)
        spool_dir = fresh_sandbox.state.upload_dir
        deadline = time.monotonic() + 5
        while not list(spool_dir.glob("upload-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert list(spool_dir.glob("upload-*"))  # the part is being spooled
    deadline = time.monotonic() + 5
    while list(spool_dir.glob("upload-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(spool_dir.glob("upload-*")) == []
    _quiet(caplog)


def test_listen_backlog_is_javas_default(sandbox: Sandbox) -> None:
    """A burst of connections is queued like Jetty's (backlog 50), not refused after 5."""
    ss = shutil.which("ss")
    if ss is None:
        pytest.skip("needs ss (iproute2) to read the listen backlog")
    listing = subprocess.run([ss, "-ltnH", f"sport = :{sandbox.port}"], capture_output=True,
                             text=True, check=True, timeout=10).stdout.split()
    assert listing[0] == "LISTEN"
    assert listing[2] == "50"  # Send-Q of a listening socket is its backlog
