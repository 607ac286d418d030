"""AzkabanClient's flow trigger calls (§8.2) against the sandbox: a Flow 2.0 flow's trigger,
pausing and resuming it, its instances, with every documented refusal; what the sandbox never
does (a running instance, a server without Quartz) comes from the scripted server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fakes import FakeServer, Reply, Seen, logged_in

from azshell.client import AzkabanClient
from azshell.errors import BadResponse, NotFound, PermissionDenied, ServerError, UsageError
from azshell.sandbox import Sandbox

FILES = {
    "t.project": "azkaban-flow-version: 2.0\n",
    "nightly.flow": "trigger:\n  maxWaitMins: 60\n  schedule:\n    type: cron\n"
                    "    value: 0 30 2 ? * *\n  triggerDependencies:\n"
                    "    - name: orders\n      type: dali-dataset\n"
                    "      params:\n        view: sales.orders\n        delay: 1\n"
                    "nodes:\n  - name: load\n    type: noop\n",
    "plain.flow": "nodes:\n  - name: c\n    type: noop\n",
}
DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture
def project(put_project: Callable[..., str]) -> str:
    return put_project(FILES, "flow triggers")


@pytest.fixture
def reader(sandbox: Sandbox) -> AzkabanClient:
    api = AzkabanClient(sandbox.url)
    api.login("reader", "reader")
    return api


def _paused(sandbox: Sandbox, project: str, flow: str) -> bool:
    """The sandbox's own record (the API does not report it)."""
    registry = sandbox.context.extra["flow_triggers"]
    project_id = sandbox.state.active_project(project).id
    found = registry.find(sandbox.state, project_id, flow)
    assert found is not None
    return found.paused


def test_flow_trigger(client: AzkabanClient, project: str) -> None:
    found = client.flow_trigger(project, "nightly")
    assert found is not None
    assert found["cronExpression"] == "0 30 2 ? * *"
    assert found["maxWaitMin"] == 60
    assert found["submitUser"] == "azkaban"
    assert DATE.fullmatch(found["nextExecTime"])
    assert found["nextExecTime"].endswith("02:30:00")
    assert found["dependencies"] == [{"props": {"view": "sales.orders", "delay": "1"},
                                      "name": "orders", "type": "dali-dataset"}]


def test_a_flow_without_trigger(client: AzkabanClient, project: str) -> None:
    assert client.flow_trigger(project, "plain") is None
    assert client.flow_trigger(project, "nosuchflow") is None  # the server cannot tell


def test_flow_trigger_of_a_missing_project(client: AzkabanClient) -> None:
    with pytest.raises(NotFound, match=r"nosuchproject"):
        client.flow_trigger("nosuchproject", "nightly")


def test_pause_and_resume(client: AzkabanClient, sandbox: Sandbox, project: str) -> None:
    seen: list = []
    client.observer = seen.append
    found = client.pause_trigger(project, "nightly")
    assert found["cronExpression"] == "0 30 2 ? * *"
    assert _paused(sandbox, project, "nightly")
    pause = seen[-1]
    assert (pause.method, dict(pause.params)["ajax"]) == ("GET", "pauseTrigger")  # GET only
    client.resume_trigger(project, "nightly")
    assert not _paused(sandbox, project, "nightly")
    client.resume_trigger(project, "nightly")  # already active: nothing changes, no error
    assert not _paused(sandbox, project, "nightly")


def test_pause_a_flow_without_trigger(client: AzkabanClient, project: str) -> None:
    """The server would say success: the client looks first and says there is none."""
    seen: list = []
    client.observer = seen.append
    with pytest.raises(NotFound, match=rf"^flow {project}\.plain has no flow trigger"):
        client.pause_trigger(project, "plain")
    assert not [e for e in seen if dict(e.params).get("ajax") == "pauseTrigger"]


def test_pause_needs_admin(reader: AzkabanClient, sandbox: Sandbox, project: str) -> None:
    for call in (reader.pause_trigger, reader.resume_trigger):
        with pytest.raises(PermissionDenied, match=r"^Permission denied. Need ADMIN access.$"):
            call(project, "nightly")
    assert not _paused(sandbox, project, "nightly")


def test_trigger_instances(client: AzkabanClient, project: str) -> None:
    assert client.running_triggers() == []
    assert client.trigger_instances(project, "nightly") == []
    with pytest.raises(NotFound, match=r"^project nosuchproject does not exist$"):
        client.trigger_instances("nosuchproject", "nightly")
    with pytest.raises(UsageError):
        client.trigger_instances(project, "nightly", length=0)


def test_trigger_instances_need_read(sandbox: Sandbox, project: str) -> None:
    metrics = AzkabanClient(sandbox.url)
    metrics.login("metrics", "metrics")
    with pytest.raises(PermissionDenied, match=r"^Permission denied. Need READ access.$"):
        metrics.trigger_instances(project, "nightly")


def test_kill_a_trigger_instance_that_is_not_running(client: AzkabanClient) -> None:
    with pytest.raises(NotFound, match=r"^the trigger doesn't exist, might already finished"):
        client.kill_trigger("0b7c1e2d-0000-4000-8000-000000000000")
    with pytest.raises(UsageError):
        client.kill_trigger(" ")


# -- what the sandbox never answers ----------------------------------------------------------------

TRIGGER = {"flowTrigger": {"timeZone": "UTC", "cronExpression": "0 0 1 ? * *",
                           "submitUser": "azkaban", "firstSchedTime": "2024-01-01 00:00:00",
                           "nextExecTime": "2024-01-02 01:00:00", "maxWaitMin": None}}


def _server(pause: Reply, trigger: dict[str, Any] = TRIGGER) -> Callable[[Seen], Reply]:
    def handler(seen: Seen) -> Reply:
        ajax = seen.params.get("ajax")
        if ajax == "getProjectId":
            return Reply.json({"project": "p", "projectId": 1})
        if ajax == "fetchTrigger":
            return Reply.json(trigger)
        return pause

    return handler


def test_pause_on_a_server_without_quartz() -> None:
    """The trigger vanished (or Quartz is off): the NullPointerException is an HTTP 500."""
    page = Reply(status=500, content_type="text/html",
                 body="<html><head><title>Error 500 java.lang.NullPointerException</title>"
                      "</head><body><pre>java.lang.NullPointerException</pre></body></html>")
    with FakeServer(_server(page)) as server:
        client = logged_in(server.url)
        with pytest.raises(ServerError, match=r"HTTP 500.*pause the trigger of p\.f"):
            client.pause_trigger("p", "f")


def test_pause_of_a_project_deleted_meanwhile() -> None:
    with FakeServer(_server(Reply.json({"error": "please specify a valid project id"}))) as server:
        client = logged_in(server.url)
        with pytest.raises(NotFound, match=r"^project p does not exist"):
            client.resume_trigger("p", "f")


def test_dependencies_that_are_not_json() -> None:
    broken = {"flowTrigger": {**TRIGGER["flowTrigger"], "dependencies": "[{"}}
    with FakeServer(_server(Reply.json({}), broken)) as server:
        client = logged_in(server.url)
        with pytest.raises(BadResponse, match=r"dependencies"):
            client.flow_trigger("p", "f")


def test_running_triggers_of_a_real_server() -> None:
    item = {"id": "0b7c1e2d", "starttime": 1700000000000, "endtime": 0, "status": "RUNNING",
            "flowExecutionId": -1, "submitUser": "azkaban", "flowTriggerConfig": {},
            "dependencies": [{"dependencyName": "orders", "dependencyStatus": "RUNNING"}]}
    with FakeServer(lambda seen: Reply.json({"items": [item]})) as server:
        client = logged_in(server.url)
        assert client.running_triggers() == [item]
