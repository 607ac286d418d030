"""A real web server lets go of a finished execution about a second after its database says
it finished (seen on Azkaban 3.90.0 and 4.0.0 with `execute --wait` then `log` or `rerun`):
meanwhile logs answer HTTP 500 "Running flow N not found." and a new run of the flow is refused
as already running. Played here by a scripted loopback server with the real answers."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import FakeServer, Reply, Seen, logged_in

from azshell.client import executions
from azshell.errors import ServerError

# the page 3.90.0 answered (its stack trace cut short)
NOT_FOUND_YET = Reply(500, content_type="text/html; charset=iso-8859-1", body=(
    '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
    'charset=ISO-8859-1"/>\n<title>Error 500 Running flow 6 not found.</title>\n</head>\n'
    "<body><h2>HTTP ERROR 500</h2>\n<p>Problem accessing /executor. Reason:\n<pre>    Running "
    "flow 6 not found.</pre></p><h3>Caused by:</h3><pre>azkaban.executor."
    "ExecutorManagerException: Running flow 6 not found.\n</pre></body>\n</html>\n"))
PAGE = Reply(body='{\n  "length" : 6,\n  "offset" : 0,\n  "data" : "hello\\n"\n}',
             content_type="application/json; charset=utf-8")


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executions, "_SETTLE_PAUSE", 0.01)


def scripted(replies: list[Reply]) -> FakeServer:
    def handler(seen: Seen) -> Reply:
        return replies.pop(0) if len(replies) > 1 else replies[0]
    return FakeServer(handler)


def test_a_log_read_waits_until_the_server_has_caught_up() -> None:
    with scripted([NOT_FOUND_YET, NOT_FOUND_YET, PAGE]) as fake:
        chunk = logged_in(fake.url).job_log(6, "hello")
    assert (chunk.data, chunk.length) == ("hello\n", 6)
    assert len(fake.requests_to("/executor")) == 3


def test_the_wait_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executions, "SETTLE_SECONDS", 0.1)
    with scripted([NOT_FOUND_YET]) as fake, \
            pytest.raises(ServerError, match=r"Running flow 6 not found\.$"):
        logged_in(fake.url).flow_log(6)


def test_another_server_error_is_not_waited_for() -> None:
    with scripted([NOT_FOUND_YET, PAGE]) as fake, pytest.raises(ServerError):
        logged_in(fake.url).job_log(7, "hello")  # not execution 7's words
    assert len(fake.requests_to("/executor")) == 1


def test_settle_waits_until_getRunning_no_longer_lists_the_execution() -> None:
    running = Reply.json({"execIds": [6]})
    with scripted([running, running, Reply(body="{ }")]) as fake:
        assert logged_in(fake.url).settle(6, "p", "f") is True
    asked: list[Any] = [seen.params.get("ajax") for seen in fake.requests_to("/executor")]
    assert asked == ["getRunning"] * 3
