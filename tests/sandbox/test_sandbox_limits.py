"""The sandbox cannot be exhausted without logging in (issue 9): a bounded pool of connections
(Jetty's thread pool) that closes idle keep-alive connections when full, a bounded execution
history, and multipart bodies whose text fields and part count are bounded before the login
check sees them."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from waiting import FINAL, wait_for

from azshell.client import AzkabanClient
from azshell.errors import AzshellError
from azshell.sandbox import Sandbox
from azshell.sandbox.formdata import MAX_PARTS, MAX_TEXT


@pytest.fixture
def small_pool() -> Iterator[Sandbox]:
    with Sandbox(max_connections=4) as sb:
        yield sb


def _stalled(sandbox: Sandbox, count: int) -> list[socket.socket]:
    """Connections stuck half-way through their request line (busy, not idle)."""
    conns = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", sandbox.port), timeout=10)
        conn.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n")  # no blank line: never ends
        conns.append(conn)
    return conns


def test_a_full_pool_queues_the_next_connection_and_serves_it_when_a_slot_frees(
        small_pool: Sandbox) -> None:
    stalled = _stalled(small_pool, 4)
    time.sleep(0.2)
    threads_before = threading.active_count()
    answers: list[int] = []
    waiter = threading.Thread(target=lambda: answers.append(
        requests.get(f"{small_pool.url}/status", timeout=20).status_code))
    waiter.start()
    time.sleep(0.5)
    assert answers == []  # queued behind the four
    more = _stalled(small_pool, 20)  # twenty more: no thread is started for any of them
    time.sleep(0.2)
    assert threading.active_count() <= threads_before + 1  # the waiter itself
    stalled[0].close()  # the server times out... here: the client gives up, a slot frees
    for conn in stalled[1:] + more:
        conn.close()
    waiter.join(20)
    assert answers == [200]


def test_idle_keep_alive_connections_make_room_when_the_pool_is_full(
        small_pool: Sandbox) -> None:
    idle = [socket.create_connection(("127.0.0.1", small_pool.port), timeout=10)
            for _ in range(4)]
    try:
        time.sleep(0.2)
        started = time.monotonic()
        assert requests.get(f"{small_pool.url}/status", timeout=10).status_code == 200
        assert time.monotonic() - started < 5  # not the 300 s idle timeout
        assert idle[0].recv(1) == b""  # closed by the server to make room
    finally:
        for conn in idle:
            conn.close()


def test_the_execution_history_is_bounded(tmp_path: Path, make_zip: Callable[..., Path],
                                          ) -> None:
    with Sandbox(max_executions=3) as sb:
        client = AzkabanClient(sb.url)
        client.login("azkaban", "azkaban")
        client.create_project("hist", "history")
        client.upload_project("hist", make_zip(tmp_path, {"one.job": "type=noop\n"}))
        ids = []
        for _ in range(6):
            ids.append(client.execute("hist", "one"))
            wait_for(client, ids[-1], FINAL)
        with pytest.raises(AzshellError, match=f"{ids[0]}"):
            client.execution(ids[0])
        kept = client.flow_executions("hist", "one", 0, 10)
        # three finished when the sixth was submitted, and the sixth
        assert [e["execId"] for e in kept["executions"]] == ids[:1:-1]
        assert not (sb.workdir / "executions" / str(ids[0])).exists()
        assert not (sb.workdir / "executions" / str(ids[1])).exists()
        assert client.execution(ids[-1])["status"] == "SUCCEEDED"


def _multipart(fields: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "XyZ"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value + b"\r\n" for name, value in fields) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_text_fields_over_the_limit_are_refused_before_the_login_check(
        sandbox: Sandbox) -> None:
    body, content_type = _multipart([("action", b"upload"),
                                     ("description", b"x" * (MAX_TEXT + 1))])
    reply = requests.post(f"{sandbox.url}/manager", data=body, timeout=30,
                          headers={"Content-Type": content_type})
    assert reply.status_code == 500
    assert "text fields exceed" in reply.text


def test_too_many_parts_are_refused(sandbox: Sandbox) -> None:
    body, content_type = _multipart([(f"f{i}", b"v") for i in range(MAX_PARTS + 1)])
    reply = requests.post(f"{sandbox.url}/manager", data=body, timeout=30,
                          headers={"Content-Type": content_type})
    assert reply.status_code == 500
    assert f"more than {MAX_PARTS} parts" in reply.text


def test_text_fields_under_the_limit_still_reach_the_login_check(sandbox: Sandbox) -> None:
    body, content_type = _multipart([("action", b"upload"), ("description", b"x" * 100_000)])
    reply = requests.post(f"{sandbox.url}/manager", data=body, timeout=30,
                          headers={"Content-Type": content_type})
    assert reply.text.startswith("Login error. Need username and password")
