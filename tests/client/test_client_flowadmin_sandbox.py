"""AzkabanClient's operator calls against the sandbox (§5.4, §5.6, §6.7): flow facts and locks,
job override properties, proxy users and purge, with every documented refusal; the answers the
sandbox cannot give (a database failure, a CSRF refusal) come from the scripted server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fakes import FakeServer, Reply, Seen, logged_in

from azshell.client import AzkabanClient
from azshell.errors import (
    ApiError,
    BadResponse,
    FlowNotStarted,
    NotFound,
    PermissionDenied,
    RequestTimedOut,
    UsageError,
)
from azshell.sandbox import Sandbox

JOBS = {
    "a.job": "type=command\ncommand=echo a\n",
    "b.job": "type=command\ncommand=echo b ${who}\ndependencies=a\nwho=me\n"
             "failure.emails=ops@example.com\nsuccess.emails=dev@example.com, qa@example.com\n",
}


@pytest.fixture
def project(put_project: Callable[..., str]) -> str:
    """A project with one flow ``b`` (a -> b)."""
    return put_project(JOBS, "operator calls")


def logged(sandbox: Sandbox, user: str) -> AzkabanClient:
    api = AzkabanClient(sandbox.url)
    api.login(user, user)
    return api


@pytest.fixture
def reader(sandbox: Sandbox) -> AzkabanClient:
    """READ on every new project, nothing more."""
    return logged(sandbox, "reader")


@pytest.fixture
def stranger(sandbox: Sandbox) -> AzkabanClient:
    """``metrics``: no permission on the projects."""
    return logged(sandbox, "metrics")


# -- the facts of a flow (calls the `flow` command reads) ----------------------------------------

def test_flow_info_without_an_execution(client: AzkabanClient, project: str) -> None:
    info = client.flow_info(project, "b")
    assert info["successEmails"] == ["dev@example.com", "qa@example.com"]
    assert info["failureEmails"] == ["ops@example.com"]
    assert "scheduled" not in info
    client.schedule_cron(project, "b", "0 0 1 * * ?")
    assert client.flow_info(project, "b")["scheduled"] > 0


def test_flow_info_refusals(client: AzkabanClient, stranger: AzkabanClient,
                            project: str) -> None:
    with pytest.raises(NotFound, match=rf"^Error loading flow. Flow nope doesn't exist in "
                                       rf"{project}$"):
        client.flow_info(project, "nope")
    with pytest.raises(NotFound, match=r"^Project 'nothere' not found.$"):  # 'null' named
        client.flow_info("nothere", "b")
    with pytest.raises(PermissionDenied,
                       match=rf"^User 'metrics' doesn't have READ permissions on {project}$"):
        stranger.flow_info(project, "b")


def test_flow_details_and_jobs_refusals(client: AzkabanClient, stranger: AzkabanClient,
                                        project: str) -> None:
    assert client.flow_jobs(project, "b")["isLocked"] is False
    assert [(n["id"], n["level"]) for n in client.flow_jobs(project, "b")["nodes"]] == [
        ("a", 0), ("b", 1)]
    with pytest.raises(NotFound, match=r"^Flow nope not found.$"):
        client.flow_details(project, "nope")
    with pytest.raises(PermissionDenied, match=r"^Permission denied. Need READ access.$"):
        stranger.flow_details(project, "b")


# -- flow locks ----------------------------------------------------------------------------------

def test_lock_and_unlock_a_flow(client: AzkabanClient, project: str) -> None:
    assert client.flow_locked(project, "b") is False
    assert client.set_flow_lock(project, "b", True, "maintenance until 6") == {
        "flowId": "b", "isLocked": True, "flowLockErrorMessage": "maintenance until 6"}
    assert client.flow_locked(project, "b") is True
    assert client.flow_jobs(project, "b")["isLocked"] is True
    # execid -1, no error key, and the standard words: real 3.90.0 and 4.0.0 do not send the
    # lock's own message here
    with pytest.raises(ApiError, match=rf"^Flow b for project {project} is locked\.$"):
        client.execute(project, "b")
    assert client.set_flow_lock(project, "b", False, "ignored") == {
        "flowId": "b", "isLocked": False, "flowLockErrorMessage": None}
    assert client.flow_locked(project, "b") is False


def test_a_lock_without_a_message(client: AzkabanClient, project: str) -> None:
    answer = client.set_flow_lock(project, "b", True)
    assert answer["isLocked"] is True
    assert answer["flowLockErrorMessage"] is None
    sent = client.last_exchange
    assert sent is not None
    assert "flowLockErrorMessage" not in dict(sent.params)
    with pytest.raises(FlowNotStarted, match=rf"^Flow b for project {project} is locked.$") as no:
        client.execute(project, "b")
    assert (no.value.project, no.value.flow) == (project, "b")  # typed: the shell reads no JSON


def test_lock_refusals(client: AzkabanClient, reader: AzkabanClient, stranger: AzkabanClient,
                       project: str) -> None:
    for call in (lambda: client.flow_locked(project, "nope"),
                 lambda: client.set_flow_lock(project, "nope", True)):
        with pytest.raises(NotFound, match=rf"^Flow nope not found in project {project}$"):
            call()
    for call in (lambda: client.flow_locked("nothere", "b"),
                 lambda: client.set_flow_lock("nothere", "b", True)):
        with pytest.raises(NotFound, match=r"^Project nothere doesn't exist.$"):
            call()
    with pytest.raises(PermissionDenied, match=r"^Permission denied. Need ADMIN access.$"):
        reader.set_flow_lock(project, "b", True)
    assert reader.flow_locked(project, "b") is False  # READ is enough to look
    with pytest.raises(PermissionDenied, match=r"^Permission denied. Need READ access.$"):
        stranger.flow_locked(project, "b")


# -- job override properties ---------------------------------------------------------------------

def test_override_the_properties_of_a_job(client: AzkabanClient, project: str) -> None:
    general = client.job_info(project, "b", "b")["generalParams"]
    wanted = {**general, "who": "you", "extra": "1"}
    del wanted["failure.emails"]
    client.set_job_override(project, "b", "b", wanted)
    info = client.job_info(project, "b", "b")
    assert info["overrideParams"] == wanted
    assert info["generalParams"] == general  # the job file stays as it is
    assert info["jobType"] == "command"
    assert client.project_logs(project, size=1)[0]["type"] == "PROPERTY_OVERRIDE"


def test_override_refusals(client: AzkabanClient, reader: AzkabanClient, project: str) -> None:
    with pytest.raises(NotFound, match=rf"^Flow nope not found in project {project}$"):
        client.set_job_override(project, "nope", "b", {"type": "noop"})
    with pytest.raises(NotFound, match=r"^Job zz not found in flow b$"):
        client.set_job_override(project, "b", "zz", {"type": "noop"})
    with pytest.raises(PermissionDenied, match=r"^Permission denied. Need WRITE access.$"):
        reader.set_job_override(project, "b", "b", {"type": "noop"})
    with pytest.raises(NotFound, match=rf"^Flow nope not found in project {project}$"):
        client.job_info(project, "nope", "b")
    assert client.job_info(project, "b", "b")["overrideParams"]["type"] == "command"


def test_an_empty_override_is_refused_before_sending(client: AzkabanClient,
                                                     project: str) -> None:
    before = client.last_exchange
    with pytest.raises(UsageError, match=r"replaces them all"):
        client.set_job_override(project, "b", "b", {})
    with pytest.raises(UsageError, match=r"needs a name"):
        client.set_job_override(project, "b", "b", {"": "x"})
    assert client.last_exchange is before


def test_override_that_the_database_refuses() -> None:
    def handler(seen: Seen) -> Reply:
        return Reply.json({"project": "p", "projectId": 1,
                           "error": "Failed to upload job override property"})

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(ApiError, match=r"^Failed to upload job override property$"):
            client.set_job_override("p", "f", "j", {"type": "command", "command": "a b"})
        (sent,) = [s for s in server.seen if s.params.get("ajax") == "setJobOverrideProperty"]
    assert sent.method == "POST"
    assert sent.params["jobOverride[command]"] == "a b"
    assert (sent.params["flowName"], sent.params["jobName"]) == ("f", "j")


# -- proxy users ---------------------------------------------------------------------------------

def test_add_and_remove_a_proxy_user(client: AzkabanClient, project: str) -> None:
    client.add_proxy_user(project, "metrics")
    assert sorted(client.proxy_users(project)) == ["azkaban", "metrics"]
    client.add_proxy_user(project, "metrics")  # a set: no second entry, no error
    assert sorted(client.proxy_users(project)) == ["azkaban", "metrics"]
    client.remove_proxy_user(project, "metrics")
    assert client.proxy_users(project) == ["azkaban"]
    client.remove_proxy_user(project, "metrics")  # not there: the server says nothing
    messages = [e["message"] for e in client.project_logs(project, size=4)]
    assert "Proxy user metrics is added to project." in messages


def test_proxy_calls_pass_the_csrf_check_without_a_cookie(client: AzkabanClient,
                                                          project: str) -> None:
    seen: list = []
    client.observer = seen.append
    client.add_proxy_user(project, "reader")
    (exchange,) = seen
    assert exchange.method == "POST"
    assert "session.id" in dict(exchange.params)  # the session as a parameter (§2.6) ...
    assert "cookie" not in {k.lower() for k in exchange.request_headers}  # ... never a cookie


def test_proxy_refusals(client: AzkabanClient, reader: AzkabanClient, project: str) -> None:
    with pytest.raises(PermissionDenied,
                       match=r"^User azkaban has no permission to add nobody as proxy user.$"):
        client.add_proxy_user(project, "nobody")
    for call in (reader.add_proxy_user, reader.remove_proxy_user):
        with pytest.raises(PermissionDenied, match=r"^Permission denied. Need ADMIN access.$"):
            call(project, "azkaban")
    with pytest.raises(NotFound, match=r"^Project nothere doesn't exist.$"):
        client.remove_proxy_user("nothere", "azkaban")
    assert client.proxy_users(project) == ["azkaban"]


@pytest.mark.parametrize(("ajax", "error", "kind"), [
    ("removeProxyUser", "Error removing proxy user from the database", ApiError),
    ("addProxyUser", "CSRF validation failed.", ApiError),
])
def test_proxy_answers_the_sandbox_cannot_give(ajax: str, error: str, kind: type) -> None:
    with FakeServer(lambda seen: Reply.json({"error": error})) as server:
        client = logged_in(server.url)
        call = client.add_proxy_user if ajax == "addProxyUser" else client.remove_proxy_user
        with pytest.raises(kind, match=rf"^{error}$"):
            call("p", "bob")
        (sent,) = [s for s in server.seen if s.params.get("ajax") == ajax]
    assert sent.params["name"] == "bob"
    assert "cookie" not in sent.headers


# -- purge ---------------------------------------------------------------------------------------

def test_purge_a_deleted_project_by_its_id(client: AzkabanClient, sandbox: Sandbox,
                                           project: str) -> None:
    pid = client.project_id(project)
    client.delete_project(project)
    assert sandbox.state.project_by_id(pid).versions  # deleted, its files still kept
    client.purge_project(pid)
    assert sandbox.state.project_by_id(pid).versions == {}
    client.purge_project(str(pid))  # again: nothing new, no error


def test_purge_refusals(client: AzkabanClient, reader: AzkabanClient, project: str) -> None:
    pid = client.project_id(project)
    for key in (project, pid):
        with pytest.raises(ApiError, match=rf"^Project {project} should be deleted before "
                                           "purging$"):
            client.purge_project(key)
    client.delete_project(project)
    with pytest.raises(PermissionDenied, match=r"^Cannot purge. User 'reader' is not an "
                                               r"ADMIN.$"):
        reader.purge_project(pid)
    with pytest.raises(NotFound, match=r"^invalid project: no project has the id 99999999 "):
        client.purge_project(99999999)
    with pytest.raises(NotFound, match=rf"no project has the id {project} "):
        client.purge_project(project)  # a name finds active projects only


def test_purge_answers_the_sandbox_cannot_give() -> None:
    answers = iter([Reply.json({"success": False, "error": None}),
                    Reply.json({"success": False, "error": "Could not delete the files"}),
                    Reply(body="<html><body>project page</body></html>",
                          content_type="text/html")])

    def handler(seen: Seen) -> Reply:
        return next(answers)

    with FakeServer(handler) as server:
        client = logged_in(server.url)
        with pytest.raises(ApiError, match=r"^the server did not purge project 7$"):
            client.purge_project(7)
        with pytest.raises(ApiError, match=r"^Could not delete the files$"):
            client.purge_project(7)
        with pytest.raises(BadResponse, match=r"purge project 7 with an HTML page"):
            client.purge_project(7)
        purges = [s for s in server.seen if "purge" in s.params]
    assert [(s.method, s.params["project"]) for s in purges] == [("GET", "7")] * 3


def test_purge_is_repeated_safely_so_it_goes_as_a_read() -> None:
    """Purging twice does nothing new: a dropped connection is tried again, and an answer that
    never comes is RequestTimedOut (exit code 3 in a script), not OutcomeUnknown."""
    answers = iter([Reply(reset=True), Reply.json({"success": True}),
                    Reply(delay=1.0, body='{"success": true}')])

    def handler(seen: Seen) -> Reply:
        return next(answers)

    with FakeServer(handler) as server:
        client = logged_in(server.url, timeout=(5, 0.3))
        client.purge_project(7)
        with pytest.raises(RequestTimedOut):
            client.purge_project(7)
        purges = [s for s in server.seen if "purge" in s.params]
    assert len(purges) == 3  # one dropped, tried again; one that never got its answer
