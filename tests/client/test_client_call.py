"""The generic ``call``: what counts as a failed answer, and the answer as it may be shown.

Played from the scripted server (error shapes the sandbox gives in other places) and checked
against the sandbox's real login answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes import SESSION_ID, FakeServer, Reply, Seen, logged_in

from azshell.client import AzkabanClient
from azshell.client.redact import redact_answer, redact_json

ANSWERS = {
    "/ok": Reply.json({"project": "p", "flows": []}),
    "/error-key": Reply.json({"error": "Project p doesn't exist."}),
    "/status-error": Reply.json({"status": "error", "message": "Flow f is locked."}),
    "/gone": Reply.json({"error": "session"}),
    "/html-500": Reply(status=500, content_type="text/html",
                       body="<html><head><title>Error 500 Missing parameter 'flow'</title>"
                            "</head><body></body></html>"),
    "/json-404": Reply.json({"ok": "fine"}, status=404),
    "/redirect": Reply(status=302, body="", content_type=None,
                       headers=[("Location", "/index")]),
}


def answer(seen: Seen) -> Reply:
    return ANSWERS[seen.path]


@pytest.mark.parametrize(("path", "failure", "gone"), [
    ("/ok", None, False),
    ("/error-key", "Project p doesn't exist.", False),
    ("/status-error", "Flow f is locked.", False),
    ("/gone", "the server answered that there is no valid session (HTTP 200)", True),
    ("/html-500", "HTTP 500: Missing parameter 'flow'", False),
    ("/json-404", "HTTP 404", False),
    ("/redirect", None, False),
])
def test_failure_by_the_apis_conventions(path: str, failure: str | None, gone: bool) -> None:
    with FakeServer(answer) as server:
        client = AzkabanClient(server.url)  # no credentials: a gone session comes back raw
        client.adopt_session("azkaban", "s-1")
        result = client.call("GET", path)
    assert result.failure == failure
    assert result.session_gone is gone


def test_redacted_hides_the_session_in_text_and_json(sandbox: Any) -> None:
    client = AzkabanClient(sandbox.url)
    client.login("azkaban", "azkaban")
    result = client.call("POST", "/", {"action": "login", "username": "azkaban",
                                       "password": "azkaban"})
    new_id = result.json["session.id"]
    shown = result.redacted(client.session_id)
    assert shown.json == {"status": "success", "session.id": "<session>"}
    assert new_id not in shown.text
    assert '"session.id" : "<session>"' in shown.text
    assert (shown.status, shown.content_type) == (result.status, result.content_type)
    assert result.json["session.id"] == new_id  # the original is left as it came


def test_redact_answer_and_json_touch_nothing_else() -> None:
    text = f'{{"session.id" : "abc", "password" : "pw", "user" : "{SESSION_ID}x"}}'
    assert redact_answer(text, SESSION_ID) == (
        '{"session.id" : "<session>", "password" : "***", "user" : "<session>x"}')
    assert redact_json({"a": [{"session.id": "abc", "n": 1}], "password": "pw", "b": "c"}) == {
        "a": [{"session.id": "<session>", "n": 1}], "password": "***", "b": "c"}
    assert redact_json(["x", 2, None]) == ["x", 2, None]


def test_a_logged_in_call_renews_nothing_when_the_answer_is_fine() -> None:
    with FakeServer(answer) as server:
        client = logged_in(server.url)
        assert client.call("GET", "/ok").failure is None
        assert [seen.path for seen in server.seen].count("/ok") == 1
