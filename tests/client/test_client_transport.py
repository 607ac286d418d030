"""The client's transport rules against a scripted loopback server (tests/client/fakes.py).

What is checked here is what the sandbox cannot be asked to do: connections that break after
the request was sent, late answers, TLS, and the exact bytes the client puts on the wire.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fakes import SESSION_ID, FakeServer, Reply, Seen, free_port, self_signed_cert
from urllib3.exceptions import InsecureRequestWarning

from azshell import __version__
from azshell.client import AzkabanClient, Exchange, ExecuteOptions
from azshell.errors import (
    AzshellError,
    BadResponse,
    ConnectionFailed,
    LocalError,
    LoginFailed,
    OutcomeUnknown,
    RequestTimedOut,
    ServerError,
    SessionError,
    UsageError,
)

FLOWS = Reply.json({"project": "p", "projectId": 1, "flows": [{"flowId": "f"}]})
EXECUTED = Reply.json({"project": "p", "flow": "f", "execid": 7,
                       "message": "Execution queued successfully with exec id 7"})


def answer_flows(seen: Seen) -> Reply:
    return FLOWS if seen.params.get("ajax") == "fetchprojectflows" else EXECUTED


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with FakeServer(answer_flows) as server:
        yield server


def logged_in(url: str, **kwargs: object) -> AzkabanClient:
    client = AzkabanClient(url, **kwargs)  # type: ignore[arg-type]
    client.login("azkaban", "azkaban")
    return client


# -- what goes on the wire ---------------------------------------------------------------------

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
    assert ("session.id", SESSION_ID) in get.query
    assert "cookie" not in get.headers  # the login answer did set one (§2.2, §2.6)
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
    assert flows.params == [("ajax", "fetchprojectflows"), ("project", "p"),
                            ("session.id", "<session>")]
    assert flows.size > 0
    assert flows.elapsed_s >= 0
    assert flows.files == []
    assert flows.error is None
    assert client.last_exchange == flows
    assert SESSION_ID not in repr(seen)
    client.observer = None
    client.flows("p")
    assert len(seen) == 2


# -- transport failures ------------------------------------------------------------------------

def test_connection_refused_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = AzkabanClient(url)
    client.adopt_session("azkaban", SESSION_ID)
    with pytest.raises(ConnectionFailed) as err:
        client.execute("p", "f")  # nothing was sent: not an unknown outcome
    assert str(err.value) == f"cannot connect to {url}: connection refused"
    assert client.last_exchange is not None
    assert client.last_exchange.status is None


def test_unknown_host() -> None:
    client = AzkabanClient("http://no-such-host.invalid:8081")
    with pytest.raises(ConnectionFailed, match=r"^cannot connect to http://no-such-host.invalid"):
        client.login("a", "b")


def test_reset_after_sending_a_state_change_is_an_unknown_outcome() -> None:
    def handler(seen: Seen) -> Reply:
        return Reply(reset=True) if seen.params.get("ajax") == "executeFlow" else FLOWS

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(OutcomeUnknown) as err:
            client.execute("p", "f")
        executes = [s for s in server.seen if s.params.get("ajax") == "executeFlow"]
        assert len(executes) == 1  # never repeated
    message = str(err.value)
    assert message.startswith("the outcome of 'execute flow p.f' is unknown: the connection to "
                              f"{server.url}/executor was lost")
    assert "check the running executions of p.f before trying again" in message
    assert SESSION_ID not in message


@pytest.mark.parametrize("call", [
    lambda c: c.cancel(3), lambda c: c.create_project("p", "d"),
    lambda c: c.delete_project("p"), lambda c: c.schedule_cron("p", "f", "0 0 * * * ?"),
    lambda c: c.add_permission("p", "bob", ["read"]), lambda c: c.change_description("p", "d"),
    lambda c: c.set_sla(1, [], []), lambda c: c.call("POST", "/executor", {"ajax": "x"}),
])
def test_every_state_change_is_sent_once(call) -> None:
    with FakeServer(lambda seen: Reply(reset=True)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(OutcomeUnknown, match=r"is unknown"):
            call(client)
        assert len(server.seen) == 1


def test_a_read_is_repeated_once_after_a_reset() -> None:
    calls: list[int] = []

    def handler(seen: Seen) -> Reply:
        calls.append(1)
        return Reply(reset=True) if len(calls) == 1 else FLOWS

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        assert client.flows("p") == ["f"]
        assert len(server.seen) == 2


def test_a_read_that_keeps_failing_is_tried_twice() -> None:
    with FakeServer(lambda seen: Reply(reset=True)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(ConnectionFailed, match=r"was lost before the answer arrived"):
            client.flows("p")
        assert len(server.seen) == 2


def test_read_timeout() -> None:
    with FakeServer(lambda seen: Reply(body="{ }", delay=0.6)) as server:
        client = AzkabanClient(server.url, timeout=(2, 0.2))
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(RequestTimedOut) as err:
            client.execution(5)
        assert str(err.value) == f"no answer from {server.url}/executor within 0.2 s"
        assert len(server.seen) == 1
        with pytest.raises(OutcomeUnknown, match=r"'cancel execution 5' is unknown: no answer"):
            client.cancel(5)


def test_html_error_page_becomes_a_short_reason() -> None:
    page = ("<html><head><title>Error 500 Missing required parameter &apos;flow&apos;."
            "</title></head><body><h2>HTTP ERROR: 500</h2><pre>Missing required parameter "
            "'flow'.</pre></body></html>")
    with FakeServer(lambda seen: Reply(500, page, "text/html; charset=iso-8859-1")) as server:
        client = logged_in(server.url)
        with pytest.raises(ServerError) as err:
            client.flow_graph("p", "f")
    assert str(err.value) == ("server error (HTTP 500) on graph of p.f: Missing required "
                              "parameter 'flow'.")


def test_flow_jobs_of_an_unknown_flow_is_not_found() -> None:
    def handler(seen: Seen) -> Reply:
        if seen.params.get("ajax") == "fetchflowjobs":
            return Reply(500, "<html><pre>java.lang.NullPointerException</pre></html>",
                         "text/html")
        return FLOWS

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Flow nope not found in project p$"):
            client.flow_jobs("p", "nope")
        with pytest.raises(ServerError, match=r"NullPointerException"):
            client.flow_jobs("p", "f")  # the flow exists: the server's failure stays


def test_empty_and_non_json_answers() -> None:
    bodies = iter(["", "not json at all"])
    with FakeServer(lambda seen: Reply(body=next(bodies), content_type=None)) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(BadResponse, match=r"empty answer to execution 3"):
            client.execution(3)
        with pytest.raises(BadResponse, match=r"is not JSON: not json at all"):
            client.execution(3)


# -- sessions ----------------------------------------------------------------------------------

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
        assert len(server.seen) == 3  # call, login, call: never a loop


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
    assert dict(last.query) == {"logout": "", "session.id": SESSION_ID}
    assert client.session_id is None
    client.logout()  # nothing to do
    assert len(fake.seen) == 2


# -- call() ------------------------------------------------------------------------------------

def test_call_returns_api_errors_raw() -> None:
    with FakeServer(lambda seen: Reply.json({"error": "Project x doesn't exist."})) as server:
        client = logged_in(server.url)
        result = client.call("get", "manager?ajax=getProjectId", [("project", "x")])
        assert result.status == 200
        assert result.json == {"error": "Project x doesn't exist."}
        assert result.content_type == "application/json"
        assert '"error" : ' in result.text
        assert dict(server.seen[-1].query) == {"ajax": "getProjectId", "project": "x",
                                              "session.id": SESSION_ID}


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
    assert fake.seen[-1].query.count(("session.id", "mine")) == 1
    assert ("session.id", SESSION_ID) not in fake.seen[-1].query
    result = client.call("GET", "/status")
    assert "session.id" not in fake.seen[-1].params
    assert result.json is not None
    with pytest.raises(UsageError, match=r"bad HTTP method"):
        client.call("GE T", "/x")


# -- Azkaban answers the sandbox does not give -------------------------------------------------

def test_locked_flow_has_no_error_key_but_execid_minus_one() -> None:
    locked = Reply.json({"project": "p", "flow": "f", "execid": -1,
                         "message": "Flow f for project p is locked."})
    with FakeServer(lambda seen: locked) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Flow f for project p is locked.$"):
            client.execute("p", "f", ExecuteOptions(concurrent="ignore"))


def test_java_object_in_a_message_becomes_the_project_name() -> None:
    missing = Reply.json({"project": "p", "flow": "g", "error":
                          "Flow 'g' cannot be found in project azkaban.project.Project@1b2c3d"})
    with FakeServer(lambda seen: missing) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Flow 'g' cannot be found in project p$"):
            client.execute("p", "g")


def test_schedule_error_object_and_missing_cron_quirk() -> None:
    answers = iter([
        Reply.json({"error": {"message": "Could not connect to the database", "cause": None}}),
        Reply.json({"error": "Cron expression must exist.", "status": "success",
                    "message": "p.f scheduled.", "scheduleId": -1}),
        Reply.json({"status": "success", "message": "p.f scheduled.", "scheduleId": -1}),
    ])
    with FakeServer(lambda seen: next(answers)) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Could not connect to the database$"):
            client.sla_info(3)
        with pytest.raises(AzshellError, match=r"^Cron expression must exist.$"):
            client.schedule_cron("p", "f", "0 0 * * * ?")
        with pytest.raises(AzshellError, match=r"^flow p.f was not scheduled$"):
            client.schedule_cron("p", "f", "0 0 * * * ?")


def test_delete_failure_cookie() -> None:
    cookie = ('azkaban.failure.message="Cannot delete. User \'reader\' is not an ADMIN."; '
              "Path=/")
    redirect = Reply(302, content_type=None, headers=[("Location", "/manager?project=p"),
                                                      ("Set-Cookie", cookie)])
    with FakeServer(lambda seen: redirect) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError) as err:
            client.delete_project("p")
    assert type(err.value).__name__ == "PermissionDenied"
    assert str(err.value) == "Cannot delete. User 'reader' is not an ADMIN."


def test_delete_that_did_not_happen_is_reported() -> None:
    def handler(seen: Seen) -> Reply:
        if "delete" in seen.params:
            return Reply(302, content_type=None, headers=[("Location", "/")])
        return Reply.json({"project": "p", "projectId": 3})

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^project p still exists after the delete$"):
            client.delete_project("p")


def test_upload_answer_with_string_ids_and_warnings(tmp_path: Path) -> None:
    archive = tmp_path / "project"  # no .zip extension: the client adds it to the part name
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    reply = Reply.json({"projectId": "12", "version": "3",
                        "warn": "Validator X reports warnings:<br><br>w1<br>w2<br>"})
    with FakeServer(lambda seen: reply) as server:
        client = logged_in(server.url)
        progress: list[tuple[int, int]] = []
        answer = client.upload_project("p", archive, lambda sent, total:
                                       progress.append((sent, total)))
        assert answer == {"projectId": 12, "version": 3,
                          "warnings": "Validator X reports warnings: w1; w2"}
        upload = server.seen[-1]
    content_type = upload.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    body = upload.body
    assert b'name="session.id"\r\n\r\n' + SESSION_ID.encode() in body
    assert b'name="ajax"\r\n\r\nupload' in body
    assert b'name="project"\r\n\r\np' in body
    assert b'name="file"; filename="project.zip"' in body
    assert b"Content-Type: application/zip" in body
    assert upload.query == []
    assert progress[0][0] == 0
    assert progress[-1] == (progress[-1][1], progress[-1][1])
    assert client.last_exchange is not None
    assert client.last_exchange.files == [str(archive)]


def test_small_upload_is_sent_again_after_the_multipart_login_error(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * 1000)
    state = {"expired": True}

    def handler(seen: Seen) -> Reply:
        gone, state["expired"] = state["expired"], False
        if gone:
            return Reply(body="Login error. Need username and password", content_type=None)
        return Reply.json({"projectId": "1", "version": "1"})

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        assert client.upload_project("p", archive)["version"] == 1
        assert [s.path for s in server.seen] == ["/manager", "/", "/manager"]


def test_large_upload_checks_the_session_first_and_is_never_sent_twice(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * (2 << 20))

    def handler(seen: Seen) -> Reply:
        if seen.params.get("ajax") == "getProjectId":
            return Reply.json({"project": "p", "projectId": 1})
        # the session expires between the check and the upload
        return Reply(body="Login error. Need username and password", content_type=None)

    with FakeServer(handler) as server:
        client = AzkabanClient(server.url)
        client.adopt_session("azkaban", "old")
        client.credentials = lambda: ("azkaban", "azkaban")
        with pytest.raises(SessionError, match=r"nothing was installed") as err:
            client.upload_project("p", archive)
        big = [s for s in server.seen if "multipart" in s.headers.get("content-type", "")]
        assert len(big) == 1
        assert client.session_id == SESSION_ID  # renewed, ready for the user's retry
    assert "send it again" in str(err.value)


def test_large_upload_to_a_missing_project_sends_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * (2 << 20))
    missing = Reply.json({"project": "p", "error": "Project p doesn't exist."})
    with FakeServer(lambda seen: missing) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Project p doesn't exist.$"):
            client.upload_project("p", archive)
        assert all("multipart" not in s.headers.get("content-type", "") for s in server.seen)


def test_upload_of_a_missing_file(tmp_path: Path) -> None:
    client = AzkabanClient("http://127.0.0.1:1")
    with pytest.raises(LocalError, match=r"cannot read"):
        client.upload_project("p", tmp_path / "nope.zip")
    with pytest.raises(LocalError, match=r"is not a file"):
        client.upload_project("p", tmp_path)


def test_ctrl_c_during_an_upload_is_an_unknown_outcome(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"x" * 300_000)

    def progress(sent: int, total: int) -> None:
        if sent > 100_000:
            raise KeyboardInterrupt

    with FakeServer(lambda seen: Reply.json({})) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^interrupted: the outcome of 'upload p.zip to "
                                               r"project p' is unknown") as err:
            client.upload_project("p", archive, progress)
    assert type(err.value).__name__ == "Interrupted"


def test_download_failures(tmp_path: Path) -> None:
    answers = iter([
        Reply(302, content_type=None, headers=[
            ("Set-Cookie", 'azkaban.failure.message="Project p doesn\'t exist."; Path=/')]),
        Reply(302, content_type=None, headers=[("Location", "/")]),
        Reply(500, "<html><pre>Boom</pre></html>", "text/html"),
        Reply.json({"weird": True}),
    ])
    with FakeServer(lambda seen: next(answers)) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError, match=r"^Project p doesn't exist.$"):
            client.download_project("p", tmp_path)
        with pytest.raises(AzshellError, match=r"redirected to /"):
            client.download_project("p", tmp_path)
        with pytest.raises(ServerError, match=r"Boom"):
            client.download_project("p", tmp_path)
        with pytest.raises(BadResponse, match=r"unexpected answer to download project p"):
            client.download_project("p", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_names_and_streams(tmp_path: Path) -> None:
    payload = b"PK" + bytes(range(256)) * 1000
    reply = Reply(body=payload, content_type="application/zip",
                  headers=[("Content-Disposition", 'attachment; filename="../p-v2.zip"'),
                           ("version", "2")])
    with FakeServer(lambda seen: reply) as server:
        client = logged_in(server.url)
        saved = client.download_project("p", tmp_path, version=2)
        assert saved == tmp_path / "p-v2.zip"
        assert saved.read_bytes() == payload
        assert dict(server.seen[-1].query)["version"] == "2"
        named = client.download_project("p", tmp_path / "copy.zip")
        assert named.read_bytes() == payload
        with pytest.raises(LocalError, match=r"does not exist"):
            client.download_project("p", tmp_path / "no" / "x.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.zip", "p-v2.zip"]


# -- TLS -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeServer, Path]]:
    import ssl

    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeServer(answer_flows, tls=context) as server:
        yield server, cert


def test_tls_is_verified_by_default(tls_server: tuple[FakeServer, Path]) -> None:
    server, _ = tls_server
    client = AzkabanClient(server.url)
    with pytest.raises(ConnectionFailed) as err:
        client.login("azkaban", "azkaban")
    assert str(err.value).startswith(f"TLS failure with {server.url}: certificate verify failed")


def test_tls_with_a_ca_bundle(tls_server: tuple[FakeServer, Path]) -> None:
    server, cert = tls_server
    client = logged_in(server.url, verify=str(cert))
    assert client.flows("p") == ["f"]
    with pytest.raises(LocalError, match=r"CA bundle .* does not exist"):
        AzkabanClient(server.url, verify=str(cert) + ".missing")


def test_tls_unverified_is_quiet(tls_server: tuple[FakeServer, Path]) -> None:
    server, _ = tls_server
    with warnings.catch_warnings(record=True) as control:
        warnings.simplefilter("always")
        requests.get(server.url + "/status", verify=False, timeout=5)
    assert any(issubclass(w.category, InsecureRequestWarning) for w in control)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = logged_in(server.url, verify=False)
        assert client.flows("p") == ["f"]
    assert not [w for w in caught if issubclass(w.category, InsecureRequestWarning)]


def test_exchange_json_sanity() -> None:
    # Reply.json writes Jackson-like "k" : v, which must still be JSON
    assert json.loads(Reply.json({"a": [1]}).body) == {"a": [1]}  # type: ignore[arg-type]


def test_a_download_cut_short_leaves_no_file(tmp_path: Path) -> None:
    payload = b"PK" + b"z" * 300_000
    cut = Reply(body=payload, content_type="application/zip", short_by=1000)
    with FakeServer(lambda seen: cut) as server:
        client = logged_in(server.url)
        with pytest.raises(ConnectionFailed, match=r"was lost before the answer arrived"):
            client.download_project("p", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_without_a_file_name(tmp_path: Path) -> None:
    reply = Reply(body=b"PK", content_type="application/zip", headers=[("version", "4")])
    with FakeServer(lambda seen: reply) as server:
        assert logged_in(server.url).download_project("p", tmp_path) == tmp_path / "p-4.zip"


@pytest.mark.parametrize(("reply", "call", "error"), [
    (Reply.json([1]), lambda c, p: c.upload_project("p", p), "not a JSON object"),
    (Reply.json({"x": 1}, status=502), lambda c, p: c.upload_project("p", p), "HTTP 502"),
    (Reply.json({"projects": "many"}), lambda c, p: c.projects(), "is not a list"),
    (Reply.json({"nothing": 1}), lambda c, p: c.projects(all=True), "has no 'projects'"),
    (Reply.json({"items": {"a": 1}}), lambda c, p: c.schedules(), "is not a list"),
    (Reply.json({"error": "Project p doesn't exist."}), lambda c, p: c.delete_project("p"),
     "Project p doesn't exist."),
    (Reply.json({"weird": 1}), lambda c, p: c.delete_project("p"),
     "unexpected answer to delete project p"),
])
def test_answers_of_the_wrong_shape(tmp_path: Path, reply: Reply, call, error: str) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"PK")
    with FakeServer(lambda seen: reply) as server:
        client = logged_in(server.url)
        with pytest.raises(AzshellError) as err:
            call(client, archive)
    assert error in str(err.value)


def test_client_as_a_context_manager(fake: FakeServer) -> None:
    with AzkabanClient(fake.url) as client:
        client.login("azkaban", "azkaban")
        assert repr(client) == f"<AzkabanClient {fake.url} user='azkaban'>"
        assert client.observer is None
        assert client.credentials is None
        assert client.flows("p") == ["f"]


@pytest.mark.parametrize(("exc", "mutating", "message"), [
    (requests.exceptions.ProxyError("Cannot connect to proxy. [Errno 111] Connection refused"),
     False, "cannot reach http://h:1 through the proxy: connection refused"),
    (requests.exceptions.ContentDecodingError("bad gzip"), False,
     "the answer from http://h:1/x could not be decoded"),
    (requests.exceptions.SSLError("something odd"), False,
     "TLS failure with http://h:1: the TLS handshake failed"),
    (requests.exceptions.InvalidHeader(f"bad header in /x?session.id={SESSION_ID}"), False,
     "request to http://h:1/x failed: InvalidHeader: bad header in /x?session.id=<session>"),
    (requests.exceptions.ConnectionError("Read timed out."), True,
     "the outcome of 'do x' is unknown: the connection to http://h:1/x was lost before the "
     "answer arrived; look at the server before trying again"),
])
def test_translation_of_rare_failures(exc: Exception, mutating: bool, message: str) -> None:
    from azshell.client.transport import Request, Transport

    transport = Transport("http://h:1")
    transport.adopt_session("u", SESSION_ID)
    error = transport.translate(exc, Request("GET", "/x", [], what="do x", mutating=mutating))
    assert str(error) == message


def test_unknown_charset_falls_back_to_utf8() -> None:
    reply = Reply(body='{"projects": []}', content_type="application/json; charset=bogus")
    with FakeServer(lambda seen: reply) as server:
        assert logged_in(server.url).projects() == []


def test_login_needs_a_user_name() -> None:
    with pytest.raises(UsageError, match=r"user name is needed"):
        AzkabanClient("http://h").login("", "pw")


def test_observer_sees_failed_exchanges() -> None:
    seen: list[Exchange] = []
    with FakeServer(lambda s: Reply(body="{ }", delay=0.3)) as server:
        client = AzkabanClient(server.url, timeout=(2, 0.05), observer=seen.append)
        client.adopt_session("azkaban", SESSION_ID)
        with pytest.raises(RequestTimedOut):
            client.execution(1)
    assert len(seen) == 1
    assert seen[0].status is None
    assert seen[0].error == f"no answer from {server.url}/executor within 0.05 s"
