"""Hostile answers the client must survive with one readable error (issue 9): JSON nested without
end, answers over the size cap (with and without a Content-Length, a gzip bomb), and a session
that expires again between the renewal and the repeat of a read.

Every test talks to a scripted loopback server (tests/fakes.py), never a mocked ``requests``.
"""

from __future__ import annotations

import gzip
import resource
import threading

import pytest
from fakes import SESSION_ID, FakeServer, Reply, Seen

from azshell.client import AzkabanClient
from azshell.client.answers import MAX_DEPTH, decode, parse_json
from azshell.errors import ApiError, BadResponse, SessionError
from azshell.threads import map_in_threads


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deeply_nested_answers_are_a_bad_response(levels: int) -> None:
    body = '{"projects": ' + nested(levels) + "}"
    with FakeServer(lambda seen: Reply(body=body)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(BadResponse, match=r"not an Azkaban answer: JSON nested more than"):
            client.projects()


def test_a_deeply_nested_login_answer_is_a_bad_response() -> None:
    with FakeServer(lambda seen: Reply(body=nested(100_000)), login=False) as server:
        client = AzkabanClient(server.url)
        with pytest.raises(BadResponse, match=r"did not answer the login like an Azkaban"):
            client.login("azkaban", "azkaban")


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert decode(200, nested(MAX_DEPTH), "x") is not None
    assert parse_json(nested(MAX_DEPTH + 1)) is None
    assert parse_json(nested(100_000)) is None


def test_raw_call_of_a_deep_answer_is_text_without_json() -> None:
    with FakeServer(lambda seen: Reply(body=nested(100_000))) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        result = client.call("GET", "/manager?ajax=x")
        assert result.json is None
        assert result.text.startswith("[[[")


def _big(size: int, length: bool) -> Reply:
    body = b'{"projects": ["' + b"x" * size + b'"]}'
    if length:
        return Reply(body=body)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    return Reply(pieces=[(0.0, head), (0.0, body)])


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "until-close"])
def test_an_answer_over_the_cap_is_one_error(length: bool) -> None:
    with FakeServer(lambda seen: _big(300_000, length)) as server:
        client = AzkabanClient(server.url, max_answer=100_000)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(BadResponse, match=r"too large to read .*limit of 0.0953674 MiB"):
            client.projects()
        exchange = client.last_exchange
        assert exchange is not None
        assert exchange.error_kind == "BadResponse"


def test_an_answer_under_the_cap_is_read() -> None:
    with FakeServer(lambda seen: _big(50_000, False)) as server:
        client = AzkabanClient(server.url, max_answer=100_000)
        client.adopt_session("azkaban", SESSION_ID)
        assert len(client.projects()[0]) == 50_000


def test_a_gzip_bomb_is_cut_at_the_cap_when_unpacked() -> None:
    """200 KB of gzip that unpacks to 200 MB: stopped at 1 MiB, memory barely moves."""
    inner = b'{"projects": ["' + b"a" * (200 * 1024 * 1024) + b'"]}'
    bomb = gzip.compress(inner, compresslevel=9)
    assert len(bomb) < 300_000
    reply = Reply(body=bomb, headers=[("Content-Encoding", "gzip")])
    with FakeServer(lambda seen: reply) as server:
        client = AzkabanClient(server.url, max_answer=1024 * 1024)
        client.adopt_session("azkaban", SESSION_ID)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with pytest.raises(BadResponse, match="too large to read"):
            client.projects()
        grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 64 * 1024  # far from the 200 MB the bomb unpacks to


def test_a_state_change_over_the_cap_says_it_may_have_been_done() -> None:
    with FakeServer(lambda seen: _big(300_000, True)) as server:
        client = AzkabanClient(server.url, max_answer=100_000)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(BadResponse, match="it may have been done"):
            client.create_project("p", "d")
        assert len(server.seen) == 1  # never repeated


def test_a_read_survives_a_second_expiry_right_after_the_renewal() -> None:
    """The race of issue 9: the session expires again between the new login and the repeat.
    A session-gone answer proves nothing was done, so a read renews once more."""
    gone = {"left": 2}

    def handler(seen: object) -> Reply:
        if gone["left"]:
            gone["left"] -= 1
            return Reply.json({"error": "session"})
        return Reply.json({"projects": []})

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.projects() == []
        calls = [s.params.get("ajax") or s.params.get("action") for s in server.seen]
        assert calls == ["fetchuserprojects", "login", "fetchuserprojects", "login",
                         "fetchuserprojects"]


def test_reads_from_several_threads_renew_an_expired_session_once() -> None:
    """`plan` sends its fetchJobInfo calls from several threads. When the session has expired
    they all hear so at once, and one new login serves them all."""
    threads = 4
    together = threading.Barrier(threads, timeout=10)

    def handler(seen: Seen) -> Reply:
        if "session.id=old" in seen.headers.get("cookie", ""):
            together.wait()  # every thread's first call is answered 'gone' at the same time
            return Reply.json({"error": "session"})
        return Reply.json({"projects": []})

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        answers = map_in_threads(lambda _: client.projects(), range(threads), workers=threads)
        assert answers == [[]] * threads
        logins = [s for s in server.seen if s.params.get("action") == "login"]
        assert len(logins) == 1
        assert client.session_id == SESSION_ID


def test_a_state_change_is_not_renewed_twice() -> None:
    def handler(seen: object) -> Reply:
        return Reply(body='{"status":"error","message":"Invalid Session. Need to re-login",'
                          '"action":"login"}', content_type=None)

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        with pytest.raises(SessionError, match="right after a new login"):
            client.create_project("p", "d")
        assert [s.params.get("action") for s in server.seen] == ["create", "login", "create"]


def test_log_pages_that_do_not_advance_end_in_one_error() -> None:
    """A server answering every page as offset 0 would keep the offset loop reading forever."""
    page = Reply.json({"data": "x" * 10, "offset": 0, "length": 10})
    with FakeServer(lambda seen: page) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(BadResponse, match="log page at offset 10 with one at offset 0"):
            client.read_flow_log(1)
        assert len(server.seen) == 2


def test_an_echoed_session_id_never_reaches_an_error_message() -> None:
    def echo(seen: object) -> Reply:
        # a GET carries the session in its cookie, a POST in its body: echo both
        return Reply.json({"error": f"bad request {seen.params} "  # type: ignore[attr-defined]
                                    f"{seen.headers.get('cookie')}"})  # type: ignore[attr-defined]

    with FakeServer(echo) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(ApiError) as caught:
            client.projects()
        assert SESSION_ID not in str(caught.value)
        assert "[hidden session id]" in str(caught.value)
