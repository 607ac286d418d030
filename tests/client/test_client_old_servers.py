"""Older Azkaban releases, played by a scripted loopback server from their sources (protocol
§15): what they lack is replaced by an older call that does the same job, or named in one line
with the release that has it; their ``{ }`` and empty answers are never read as "nothing"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fakes import FakeServer, Reply, Seen, logged_in

from azshell.errors import AzshellError, NotFound, UnsupportedCall
from azshell.shell.run.exitcodes import exit_code

EMPTY = Reply(body="{ }")
NO_STATUS = Reply(404, body="<html><body><h2>HTTP ERROR: 404</h2></body></html>",
                  content_type="text/html")
LOADFLOW_25 = Reply.json({"items": [
    {"scheduleid": 4, "flowname": "f", "projectname": "p", "time": 1600000000000,
     "cron": None, "period": 86400000, "history": False}]})


def server(version: str | None, answer: Callable[[Seen], Reply | None]) -> FakeServer:
    """A server of release ``version`` (None: one without /status, older than 3.33.0)."""
    def handler(seen: Seen) -> Reply:
        if seen.path == "/status":
            return NO_STATUS if version is None else Reply.json({"version": version})
        reply = answer(seen)
        return reply if reply is not None else EMPTY
    return FakeServer(handler)


def ajax_names(fake: FakeServer) -> list[str | None]:
    return [seen.params.get("ajax") for seen in fake.seen if seen.path != "/"]


def test_schedules_of_a_server_without_fetchSchedules_come_from_loadFlow() -> None:
    def answer(seen: Seen) -> Reply | None:
        return LOADFLOW_25 if seen.params.get("ajax") == "loadFlow" else None  # { } otherwise

    with server(None, answer) as fake:
        items = logged_in(fake.url).schedules()
    assert [(i["scheduleId"], i["projectname"], i["flowname"]) for i in items] == [(4, "p", "f")]
    assert ajax_names(fake) == ["fetchSchedules", None, "loadFlow"]


def test_a_server_that_has_fetchSchedules_is_believed_when_it_says_none() -> None:
    with server("3.90.0", lambda seen: None) as fake:
        assert logged_in(fake.url).schedules() == []
    assert ajax_names(fake) == ["fetchSchedules", None]  # then /status; no loadFlow


def test_none_from_loadFlow_too_is_an_empty_list() -> None:
    with server("3.36.0", lambda seen: None) as fake:
        assert logged_in(fake.url).schedules() == []
    assert ajax_names(fake) == ["fetchSchedules", None, "loadFlow"]


def test_unschedule_finds_the_schedule_in_the_list_without_getProjectId() -> None:
    removed = Reply.json({"status": "success", "message": "flow f removed from Schedules."})

    def answer(seen: Seen) -> Reply | None:
        if seen.params.get("action") == "removeSched":
            return removed
        return LOADFLOW_25 if seen.params.get("ajax") == "loadFlow" else None

    with server("3.0.0", answer) as fake:
        client = logged_in(fake.url)
        assert client.unschedule("p", "f") == 4
        with pytest.raises(NotFound, match=r"^flow g of project p has no schedule$"):
            client.unschedule("p", "g")
    removal = [seen for seen in fake.seen if seen.params.get("action") == "removeSched"]
    assert [seen.params["scheduleId"] for seen in removal] == ["4"]
    assert "getProjectId" not in ajax_names(fake)


def test_delete_is_judged_by_its_cookie_alone() -> None:
    cookie = ('azkaban.success.message="Project \'p\' was successfully deleted."; Path=/')
    redirect = Reply(302, content_type=None, headers=[("Location", "/"), ("Set-Cookie", cookie)])
    with server("2.5.0", lambda seen: redirect if "delete" in seen.params else None) as fake:
        message = logged_in(fake.url).delete_project("p")
    assert message == "Project 'p' was successfully deleted."
    assert [seen.params for seen in fake.seen[1:]] == [
        {"project": "p", "delete": "true", "session.id": fake.seen[1].params["session.id"]}]


def test_project_id_on_a_server_without_getProjectId() -> None:
    """3.0.0 puts projectId in its "Cannot execute command" answer, and writes nothing at all
    for a project that does not exist."""
    def answer(seen: Seen) -> Reply | None:
        if seen.params.get("project") == "p":
            return Reply.json({"project": "p", "projectId": 12,
                               "error": "Cannot execute command getProjectId"})
        return Reply(body="", content_type=None)

    with server(None, answer) as fake:
        client = logged_in(fake.url)
        assert client.project_id("p") == 12
        with pytest.raises(NotFound, match=r"^Project q doesn't exist.$"):
            client.project_id("q")


def test_an_empty_getProjectId_answer_from_a_new_server_is_no_answer() -> None:
    with (server("3.90.0", lambda seen: Reply(body="", content_type=None)) as fake,
          pytest.raises(AzshellError, match=r"empty answer") as err):
        logged_in(fake.url).project_id("q")
    assert not isinstance(err.value, NotFound)


@pytest.mark.parametrize(("version", "call", "expected"), [
    ("3.50.0", lambda c: c.flow_locked("p", "f"),
     "Azkaban 3.50.0 has no ajax=isFlowLocked (Azkaban 3.72.0 and later have it)"),
    (None, lambda c: c.projects(),
     "this Azkaban (no /status: older than 3.33.0) has no ajax=fetchuserprojects "
     "(Azkaban 3.1.0 and later have it)"),
    ("3.1.0", lambda c: c.schedule_cron("p", "f", "0 0 3 ? * *"),
     "Azkaban 3.1.0 has no ajax=scheduleCronFlow (Azkaban 3.2.0 and later have it)"),
    ("3.40.0", lambda c: c.running_triggers(),
     "Azkaban 3.40.0 has no ajax=fetchRunningTriggers (Azkaban 3.42.0 and later have it)"),
    (None, lambda c: c.server_status(),
     "this Azkaban (no /status: older than 3.33.0) has no /status "
     "(Azkaban 3.33.0 and later have it)"),
])
def test_a_call_the_server_lacks_is_named_with_the_release_that_has_it(
        version: str | None, call: Callable, expected: str) -> None:
    def answer(seen: Seen) -> Reply | None:
        ajax = seen.params.get("ajax")
        if seen.path == "/manager":
            return Reply.json({"project": "p", "projectId": 1,
                               "error": f"Cannot execute command {ajax}"})
        if seen.path == "/flowtriggerinstance":
            return NO_STATUS
        return None

    with server(version, answer) as fake, pytest.raises(UnsupportedCall) as err:
        call(logged_in(fake.url))
    assert str(err.value) == expected
    assert exit_code(err.value) == 1


@pytest.mark.parametrize(("answer", "message"), [
    (EMPTY, r"^the answer to permissions of p \(getPermissions\) is not an answer of /manager"),
    (Reply(body="", content_type=None), r"^the server gave an empty answer to permissions of p"),
    (Reply(body="<html><body>Azkaban</body></html>", content_type="text/html"),
     r"^the server answered permissions of p with an HTML page"),
])
def test_an_answer_that_cannot_be_a_list_is_no_empty_list(answer: Reply, message: str) -> None:
    with FakeServer(lambda seen: answer) as fake, pytest.raises(AzshellError, match=message) \
            as err:
        logged_in(fake.url).permissions("p")
    assert exit_code(err.value) == 1
