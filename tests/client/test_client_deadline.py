"""The read timeout bounds the whole answer: a server that trickles its answer a byte at a time
ends with the same error as one that never answers; a state change cut that way has an unknown
outcome and is sent once; an upload's own sending time and a streamed project zip are not cut.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import SESSION_ID, FakeServer, Reply, Seen

from azshell.client import AzkabanClient, Exchange
from azshell.errors import OutcomeUnknown, RequestTimedOut

# what to send: pieces of bytes, each after a pause in seconds
Script = list[tuple[float, bytes]]


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeServer]]:
    """``serve(answer, **kwargs)``: a scripted server that plays ``answer(seen)`` piece by
    piece (kwargs go to FakeServer)."""
    servers: list[FakeServer] = []

    def start(answer: Callable[[Seen], Script], **kwargs: Any) -> FakeServer:
        servers.append(FakeServer(lambda seen: Reply(pieces=answer(seen)), login=False,
                                  **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def head(content_type: str = "application/json", length: int | None = None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{size}"
            "Connection: close\r\n\r\n").encode()


def trickle(data: bytes, pause: float = 0.1) -> Script:
    return [(pause, data[i:i + 1]) for i in range(len(data))]


def client_of(server: FakeServer, read: float = 0.4, **kwargs: object) -> AzkabanClient:
    client = AzkabanClient(server.url, timeout=(5, read), **kwargs)  # type: ignore[arg-type]
    client.adopt_session("azkaban", SESSION_ID)
    return client


def test_a_body_sent_a_byte_at_a_time_times_out_like_no_answer(serve) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"status": "RUNNING", "execid": 5, "nodes": []}).encode()
    server = serve(lambda _: [(0, head(length=len(body))), *trickle(body)])
    client = client_of(server)
    with pytest.raises(RequestTimedOut) as err:
        client.execution(5)
    assert str(err.value) == f"no answer from {server.url}/executor within 0.4 s"
    assert len(server.seen) == 1  # a timeout is not a dropped connection: no second try


def test_the_deadline_cuts_soon_after_the_read_timeout(serve) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda _: [(0, head(length=100)), *trickle(b" " * 100, 0.05)])
    client = client_of(server, read=0.3)
    with pytest.raises(RequestTimedOut):
        client.execution(5)
    elapsed = client.last_exchange.elapsed_s  # type: ignore[union-attr]
    assert 0.3 <= elapsed < 1.5  # without a deadline: 100 pieces, 5 s


def test_headers_sent_a_byte_at_a_time_time_out(serve) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda _: trickle(head(length=2) + b"{}", 0.05))
    with pytest.raises(RequestTimedOut, match=r"^no answer from .*/status within 0.3 s$"):
        client_of(server, read=0.3).server_status()


def test_an_answer_read_up_to_the_close_is_not_taken_as_complete(serve) -> None:  # type: ignore[no-untyped-def]
    # no Content-Length: the answer ends when the connection closes, as a cut one would
    server = serve(lambda _: [(0, head()), *trickle(b'{"status": "RUNNING"' + b" " * 50)])
    with pytest.raises(RequestTimedOut):
        client_of(server, read=0.3).execution(5)


def test_a_state_change_cut_by_the_deadline_has_an_unknown_outcome(serve) -> None:  # type: ignore[no-untyped-def]
    body = b'{"execid": 7, "project": "p", "flow": "f"}'
    server = serve(lambda _: [(0, head(length=len(body))), *trickle(body)])
    seen: list[Exchange] = []
    client = client_of(server, observer=seen.append)
    with pytest.raises(OutcomeUnknown, match=r"the outcome of 'cancel execution 5' is unknown: "
                                             r"no answer from .* within 0.4 s"):
        client.cancel(5)
    assert len(server.seen) == 1
    assert [e.error_kind for e in seen] == ["OutcomeUnknown"]


def test_a_prompt_answer_is_untouched(serve) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"status": "RUNNING", "execid": 5, "nodes": []}).encode()
    server = serve(lambda _: [(0, head(length=len(body)) + body)])
    client = client_of(server, read=0.2)
    for _ in range(3):  # the deadline of one call never touches the next one
        assert client.execution(5)["execid"] == 5
        time.sleep(0.25)


def test_a_streamed_project_zip_may_take_longer_than_the_read_timeout(  # type: ignore[no-untyped-def]
        serve, tmp_path: Path) -> None:
    payload = b"PK" + b"z" * 998
    pieces = [(0.1, payload[i:i + 100]) for i in range(0, len(payload), 100)]
    server = serve(lambda _: [(0, head("application/zip", len(payload))), *pieces])
    target = client_of(server, read=0.4).download_project("p", tmp_path)
    assert target.read_bytes() == payload  # ten pieces, 1 s in all


def test_the_upload_itself_is_not_counted(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"PK" + b"\0" * (16 << 20))  # more than the socket buffers hold
    uploaded = b'{"projectId": 1, "version": 2}'
    project = b'{"projectId": 1}'  # the session check before a large upload

    def answer(seen: Seen) -> Script:
        body = uploaded if seen.method == "POST" else project
        return [(0, head(length=len(body)) + body)]

    # the server reads the body only after 1 s: sending it takes longer than the read timeout
    server = serve(answer, body_delay=1.0)
    result = client_of(server, read=0.5).upload_project("p", archive)
    assert result["version"] == 2
    assert len(server.seen[-1].body) > 16 << 20
