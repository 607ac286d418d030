"""What the client puts on the wire, sessions and their renewal, call(); on a scripted server."""

from __future__ import annotations

import pytest
from fakes import (
    EXECUTED,
    SESSION_ID,
    FakeServer,
    Reply,
    Seen,
    answer_flows,
    logged_in,
)

from azshell import __version__
from azshell.client import AzkabanClient, Exchange
from azshell.errors import (
    BadResponse,
    LoginFailed,
    SessionError,
    UsageError,
)


def test_login_is_a_form_post_and_the_cookie_jar_stays_empty(fake: FakeServer) -> None:
    client = AzkabanClient(fake.url + "/")
    assert client.login("azkaban", "azkaban") == SESSION_ID
    assert (client.user, client.session_id) == ("azkaban", SESSION_ID)
    login = fake.seen[0]
    assert (login.method, login.path, login.query) == ("POST", "/", [])
    assert login.form == [("action", "login"), ("username", "azkaban"), ("password", "azkaban")]
    assert login.headers["x-requested-with"] == "XMLHttpRequest"
    assert login.headers["user-agent"] == f"azshell/{__version__}"

    assert client.flows("p") == ["f"]
    get = fake.seen[1]
    assert all(name != "session.id" for name, _ in get.query)  # never in a URL
    # the session cookie of this GET alone (the login answer's Set-Cookie was not kept)
    assert get.headers["cookie"] == f"azkaban.browser.session.id={SESSION_ID}"
    assert "x-requested-with" not in get.headers

    assert client.execute("p", "f") == 7
    post = fake.seen[2]
    assert post.query == []
    assert ("session.id", SESSION_ID) in post.form
    assert post.headers["x-requested-with"] == "XMLHttpRequest"
    assert "cookie" not in post.headers


def test_one_connection_is_reused(fake: FakeServer) -> None:
    client = logged_in(fake.url)
    client.flows("p")
    client.flows("p")
    assert len(fake.seen) == 3
    assert len({seen.peer for seen in fake.seen}) == 1  # one TCP connection for all three


def test_wrong_password(fake: FakeServer) -> None:
    client = AzkabanClient(fake.url)
    with pytest.raises(LoginFailed) as err:
        client.login("azkaban", "wrong")
    assert str(err.value) == ("login as azkaban failed: Incorrect Login. "
                              "Username/Password not found.")
    assert "wrong" not in str(err.value)
    assert client.session_id is None


def test_login_to_something_that_is_not_azkaban() -> None:
    page = "<html><head><title>Welcome to nginx!</title></head><body>hi</body></html>"
    with FakeServer(lambda seen: Reply(body=page, content_type="text/html"),
                    login=False) as server:
        client = AzkabanClient(server.url)
        with pytest.raises(BadResponse, match=r"did not answer the login like an Azkaban web"):
            client.login("azkaban", "azkaban")


def test_login_without_session_id() -> None:
    with FakeServer(lambda seen: Reply.json({"status": "success"}), login=False) as server, \
            pytest.raises(BadResponse, match=r"has no session id"):
        AzkabanClient(server.url).login("x", "y")


@pytest.mark.parametrize(("url", "normalized"), [
    ("localhost:8081", "http://localhost:8081"),
    ("https://az.example.org/azkaban/", "https://az.example.org/azkaban"),
])
def test_url_normalization(url: str, normalized: str) -> None:
    assert AzkabanClient(url).url == normalized


@pytest.mark.parametrize("url", ["ftp://h", "http://", "http://h/?x=1", "  "])
def test_bad_urls(url: str) -> None:
    with pytest.raises(UsageError, match=r"bad server URL"):
        AzkabanClient(url)


@pytest.mark.parametrize("timeout", [0, -1, (1, 0), (1, 2, 3), ("a", 1)])
def test_bad_timeouts(timeout: object) -> None:
    with pytest.raises(UsageError, match=r"bad timeout"):
        AzkabanClient("http://h", timeout=timeout)  # type: ignore[arg-type]


def test_observer_sees_redacted_exchanges(fake: FakeServer) -> None:
    seen: list[Exchange] = []
    client = AzkabanClient(fake.url, observer=seen.append)
    client.login("azkaban", "azkaban")
    client.flows("p")
    login, flows = seen
    assert login.params == [("action", "login"), ("username", "azkaban"), ("password", "***")]
    assert (login.method, login.path, login.status) == ("POST", "/", 200)
    assert flows.url == fake.url + "/manager"
    assert flows.params == [("ajax", "fetchprojectflows"), ("project", "p")]
    assert flows.session_cookie
    assert flows.request_headers["Cookie"] == "azkaban.browser.session.id=<session>"
    assert flows.size > 0
    assert flows.elapsed_s >= 0
    assert flows.files == []
    assert flows.error is None
    assert client.last_exchange == flows
    assert SESSION_ID not in repr(seen)
    client.observer = None
    client.flows("p")
    assert len(seen) == 2


SESSION_GONE = {
    "get": Reply.json({"error": "session"}),
    "post": Reply(body='{"status":"error","message":"Invalid Session. Need to re-login",'
                       '"action":"login"}', content_type=None),
    "html": Reply(body='<html><form id="login-form" method="post"></form></html>',
                  content_type="text/html; charset=UTF-8"),
}


@pytest.mark.parametrize("kind", sorted(SESSION_GONE))
def test_expired_session_is_renewed_and_the_call_repeated_once(kind: str) -> None:
    state = {"expired": True}

    def handler(seen: Seen) -> Reply:
        if state["expired"]:
            state["expired"] = False
            return SESSION_GONE[kind]
        return EXECUTED

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old-session")
        asked: list[int] = []
        client.credentials = lambda: (asked.append(1), ("azkaban", "azkaban"))[1]
        assert client.execute("p", "f") == 7
        assert asked == [1]
        assert [s.params.get("ajax") or s.params.get("action") for s in server.seen] == \
            ["executeFlow", "login", "executeFlow"]
        assert server.seen[0].params["session.id"] == "old-session"
        assert server.seen[2].params["session.id"] == SESSION_ID
        assert client.session_id == SESSION_ID


def test_expired_session_without_credentials() -> None:
    with FakeServer(lambda seen: SESSION_GONE["get"]) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        with pytest.raises(SessionError, match=r"^session expired; log in again$"):
            client.flows("p")
        assert len(server.seen) == 1


def test_session_refused_even_after_a_new_login() -> None:
    with FakeServer(lambda seen: SESSION_GONE["get"]) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        with pytest.raises(SessionError, match=r"rejected the session right after a new login"):
            client.flows("p")
        # a read renews twice (call, login, call, login, call), then gives up: never a loop
        assert len(server.seen) == 5


def test_renewal_with_a_wrong_password_is_a_login_failure() -> None:
    with FakeServer(lambda seen: SESSION_GONE["get"]) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "changed")
        with pytest.raises(LoginFailed, match=r"Incorrect Login"):
            client.flows("p")


def test_not_logged_in() -> None:
    with FakeServer(answer_flows) as server:
        client = AzkabanClient(server.url)
        with pytest.raises(SessionError, match=r"^not logged in; log in first$"):
            client.flows("p")
        assert server.seen == []
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.flows("p") == ["f"]  # logs in by itself
        assert client.user == "azkaban"


def test_adopt_session_rejects_empty_ids() -> None:
    with pytest.raises(UsageError):
        AzkabanClient("http://h").adopt_session("u", " ")


def test_session_valid_never_logs_in() -> None:
    with FakeServer(lambda seen: SESSION_GONE["get"]) as server:
        client = AzkabanClient(server.url)
        assert client.session_valid() is False
        assert server.seen == []
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.session_valid() is False
        assert len(server.seen) == 1


def test_logout(fake: FakeServer) -> None:
    client = logged_in(fake.url)
    client.logout()
    last = fake.seen[-1]
    assert (last.method, last.path) == ("GET", "/index")
    assert dict(last.query) == {"logout": ""}
    assert last.headers["cookie"] == f"azkaban.browser.session.id={SESSION_ID}"
    assert client.session_id is None
    client.logout()  # nothing to do
    assert len(fake.seen) == 2


def test_call_returns_api_errors_raw() -> None:
    with FakeServer(lambda seen: Reply.json({"error": "Project x doesn't exist."})) as server:
        client = logged_in(server.url)
        result = client.call("get", "manager?ajax=getProjectId", [("project", "x")])
        assert result.status == 200
        assert result.json == {"error": "Project x doesn't exist."}
        assert result.content_type == "application/json"
        assert '"error" : ' in result.text
        assert dict(server.seen[-1].query) == {"ajax": "getProjectId", "project": "x"}
        assert server.seen[-1].headers["cookie"] == f"azkaban.browser.session.id={SESSION_ID}"


def test_call_without_a_session_hands_back_the_session_error() -> None:
    with FakeServer(lambda seen: SESSION_GONE["get"]) as server:
        client = AzkabanClient(server.url)
        result = client.call("GET", "/index", {"ajax": "fetchuserprojects"})
        assert result.json == {"error": "session"}
        assert "session.id" not in server.seen[0].params
        client.adopt_session("azkaban", "old")
        assert client.call("GET", "/index").json == {"error": "session"}


def test_call_renews_the_session_when_it_can() -> None:
    state = {"expired": True}

    def handler(seen: Seen) -> Reply:
        gone, state["expired"] = state["expired"], False
        return SESSION_GONE["get"] if gone else Reply.json({"projects": []})

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.call("GET", "/index", {"ajax": "fetchuserprojects"}).json == \
            {"projects": []}


def test_call_keeps_an_explicit_session_and_rejects_bad_methods(fake: FakeServer) -> None:
    client = logged_in(fake.url)
    client.call("GET", "/manager", [("session.id", "mine"), ("ajax", "fetchprojectflows")])
    assert fake.seen[-1].query == [("ajax", "fetchprojectflows")]  # not in the URL either
    assert fake.seen[-1].headers["cookie"] == "azkaban.browser.session.id=mine"
    client.call("POST", "/manager", [("session.id", "mine"), ("ajax", "fetchprojectflows")])
    assert fake.seen[-1].form.count(("session.id", "mine")) == 1
    assert "cookie" not in fake.seen[-1].headers
    result = client.call("GET", "/status")
    assert "session.id" not in fake.seen[-1].params
    assert result.json is not None
    with pytest.raises(UsageError, match=r"bad HTTP method"):
        client.call("GE T", "/x")


def test_client_as_a_context_manager(fake: FakeServer) -> None:
    with AzkabanClient(fake.url) as client:
        client.login("azkaban", "azkaban")
        assert repr(client) == f"<AzkabanClient {fake.url} user='azkaban'>"
        assert client.observer is None
        assert client.credentials is None
        assert client.flows("p") == ["f"]


def test_login_needs_a_user_name() -> None:
    with pytest.raises(UsageError, match=r"user name is needed"):
        AzkabanClient("http://h").login("", "pw")


def test_unknown_charset_falls_back_to_utf8() -> None:
    reply = Reply(body='{"projects": []}', content_type="application/json; charset=bogus")
    with FakeServer(lambda seen: reply) as server:
        assert logged_in(server.url).projects() == []
