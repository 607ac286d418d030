"""``/flowtrigger``, ``/flowtriggerinstance``, ``/triggers``, ``/history`` and ``/notes``
(protocol §1.2, §8.2): the answers of Azkaban's FlowTriggerServlet, FlowTriggerInstanceServlet,
TriggerManagerServlet, HistoryServlet and NoteServlet, with a Flow 2.0 project whose flow has a
``trigger`` section."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sandbox_calls import Api

from azshell.sandbox import Sandbox

DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
TRIGGERED = """\
trigger:
  maxWaitMins: 30
  schedule:
    type: cron
    value: 0 0/10 * ? * *
  triggerDependencies:
    - name: impressions
      type: dali-dataset
      params:
        view: tracking.impressions
        filter: is_guest=0
nodes:
  - name: load
    type: noop
  - name: sub
    type: flow
    nodes:
      - name: inner
        type: noop
"""
FILES = {
    "t.project": "azkaban-flow-version: 2.0\n",
    "nightly.flow": TRIGGERED,
    "bare.flow": "trigger:\n  schedule:\n    type: cron\n    value: 0 0 2 ? * *\n"
                 "nodes:\n  - name: a\n    type: noop\n",
    "huge.flow": "trigger:\n  maxWaitMins: 99999\n  schedule:\n    type: cron\n"
                 "    value: 0 0 3 ? * *\nnodes:\n  - name: b\n    type: noop\n",
    "plain.flow": "nodes:\n  - name: c\n    type: noop\n",
}


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


@pytest.fixture
def project(api: Api, project_name: str, tmp_path: Path,
            make_zip: Callable[..., Path]) -> tuple[str, int]:
    """The trigger project, uploaded by ``azkaban``: (name, id)."""
    api.create(project_name)
    assert api.upload(project_name, make_zip(tmp_path, FILES)).status_code == 200
    return project_name, api.manager("getProjectId", project_name)["projectId"]


def _trigger(api: Api, project_id: int, flow: str, ajax: str = "fetchTrigger",
             ) -> dict:
    return api.get("/flowtrigger", ajax=ajax, projectId=project_id, flowId=flow).json()


def _state(api: Api, project: str, flow: str) -> str:
    """The State column of the /flowtrigger page for one flow (fetchTrigger does not say)."""
    page = api.get("/flowtrigger").text
    row = re.search(rf"<tr><td>{flow}</td><td>{project}</td>.*?</tr>", page)
    assert row is not None, page
    return re.findall(r"<td>([^<]*)</td>", row.group(0))[-1]


# -- /flowtrigger ------------------------------------------------------------------------------

def test_fetch_trigger_of_a_flow_with_a_trigger(api: Api, project: tuple[str, int]) -> None:
    """fetchTrigger: cron, submit user, times, max wait and the dependencies as Gson text."""
    _, project_id = project
    reply = api.get("/flowtrigger", ajax="fetchTrigger", projectId=project_id,
                    flowId="nightly")
    assert reply.headers["Content-Type"] == "application/json"
    found = reply.json()["flowTrigger"]
    assert set(found) == {"timeZone", "cronExpression", "submitUser", "firstSchedTime",
                          "nextExecTime", "maxWaitMin", "dependencies"}
    assert found["cronExpression"] == "0 0/10 * ? * *"
    assert found["submitUser"] == "azkaban"
    assert found["maxWaitMin"] == 30
    assert found["timeZone"]
    assert DATE.fullmatch(found["firstSchedTime"])
    assert DATE.fullmatch(found["nextExecTime"])
    assert found["nextExecTime"][-4:] == "0:00"  # every ten minutes, on the minute
    assert found["dependencies"].startswith('[\n  {\n    "props": {\n')
    assert "is_guest\\u003d0" in found["dependencies"]  # Gson's HTML-safe escape of '='
    assert json.loads(found["dependencies"]) == [
        {"props": {"view": "tracking.impressions", "filter": "is_guest=0"},
         "name": "impressions", "type": "dali-dataset"}]


def test_fetch_trigger_without_dependencies_or_max_wait(api: Api,
                                                        project: tuple[str, int]) -> None:
    _, project_id = project
    bare = _trigger(api, project_id, "bare")["flowTrigger"]
    assert "dependencies" not in bare
    assert bare["maxWaitMin"] is None
    assert '"maxWaitMin" : null' in api.get("/flowtrigger", ajax="fetchTrigger",
                                             projectId=project_id, flowId="bare").text
    assert _trigger(api, project_id, "huge")["flowTrigger"]["maxWaitMin"] == 14400  # 10 days


@pytest.mark.parametrize("params", [
    {"flowId": "plain"},                  # a flow without trigger
    {"flowId": "nightly:sub"},            # an embedded flow is never registered
    {"flowId": "nosuchflow"},
    {"flowId": "nightly", "projectId": "99999"},
    {"projectId": None},                  # projectId missing
    {"flowId": None},                     # flowId missing
])
def test_fetch_trigger_answers_nothing_otherwise(api: Api, project: tuple[str, int],
                                                 params: dict) -> None:
    query = {"ajax": "fetchTrigger", "projectId": project[1], "flowId": "nightly", **params}
    reply = api.get("/flowtrigger", **{k: v for k, v in query.items() if v is not None})
    assert reply.status_code == 200
    assert reply.text == "{ }"


def test_fetch_trigger_of_a_flow_1_project(api: Api, project_name: str, tmp_path: Path,
                                           make_zip: Callable[..., Path]) -> None:
    api.create(project_name)
    api.upload(project_name, make_zip(tmp_path, {"main.job": "type=noop\n"}))
    project_id = api.manager("getProjectId", project_name)["projectId"]
    assert _trigger(api, project_id, "main") == {}


def test_fetch_trigger_bad_project_id_is_a_server_error(api: Api) -> None:
    reply = api.get("/flowtrigger", ajax="fetchTrigger", projectId="abc", flowId="x")
    assert reply.status_code == 500
    assert 'For input string: "abc"' in reply.text


def test_pause_and_resume_change_the_paused_flag(api: Api, project: tuple[str, int]) -> None:
    name, project_id = project
    assert _state(api, name, "nightly") == "active"
    assert _trigger(api, project_id, "nightly", "pauseTrigger") == {"status": "success"}
    assert _state(api, name, "nightly") == "paused"
    assert _state(api, name, "bare") == "active"
    assert "flowTrigger" in _trigger(api, project_id, "nightly")  # still registered
    assert _trigger(api, project_id, "nightly", "resumeTrigger") == {"status": "success"}
    assert _state(api, name, "nightly") == "active"


def test_a_new_upload_registers_its_triggers_unpaused(api: Api, project: tuple[str, int],
                                                      tmp_path: Path,
                                                      make_zip: Callable[..., Path]) -> None:
    name, project_id = project
    _trigger(api, project_id, "nightly", "pauseTrigger")
    metrics = Api(api.url, "metrics")
    flags = {f"permissions[{t}]": "false" for t in ("read", "write", "execute", "schedule")}
    added = api.post("/manager", ajax="addPermission", project=name, name="metrics",
                     group="false", **{**flags, "permissions[admin]": "true"})
    assert "error" not in added.json(), added.text
    assert metrics.upload(name, make_zip(tmp_path, FILES, "again.zip")).status_code == 200
    assert _state(api, name, "nightly") == "active"
    assert _trigger(api, project_id, "nightly")["flowTrigger"]["submitUser"] == "metrics"


def test_pause_of_a_flow_without_trigger_still_succeeds(api: Api,
                                                        project: tuple[str, int]) -> None:
    """Azkaban only logs "Flow trigger for flow P.F doesn't exist"."""
    assert _trigger(api, project[1], "plain", "pauseTrigger") == {"status": "success"}
    assert _trigger(api, project[1], "nosuchflow", "resumeTrigger") == {"status": "success"}


@pytest.mark.parametrize("ajax", ["pauseTrigger", "resumeTrigger"])
def test_pause_needs_admin_on_the_project(api: Api, project: tuple[str, int], ajax: str) -> None:
    reader = Api(api.url, "reader")
    assert _trigger(reader, project[1], "nightly", ajax) == {
        "error": "Permission denied. Need ADMIN access."}
    assert _state(api, project[0], "nightly") == "active"


@pytest.mark.parametrize("ajax", ["pauseTrigger", "resumeTrigger"])
def test_pause_of_an_unknown_project(api: Api, ajax: str) -> None:
    assert _trigger(api, 99999, "nightly", ajax) == {"error": "please specify a valid project id"}


def test_a_deleted_project_has_no_trigger(api: Api, project: tuple[str, int]) -> None:
    name, project_id = project
    api.get("/manager", project=name, delete="true")
    assert _trigger(api, project_id, "nightly") == {}
    assert _trigger(api, project_id, "nightly", "pauseTrigger") == {
        "error": "please specify a valid project id"}


def test_flowtrigger_other_requests(api: Api, project: tuple[str, int]) -> None:
    assert api.get("/flowtrigger", ajax="fetchtrigger", projectId=project[1],
                   flowId="nightly").text == "{ }"  # ajax names are case-sensitive
    posted = api.post("/flowtrigger", ajax="pauseTrigger", projectId=project[1],
                      flowId="nightly")
    assert (posted.status_code, posted.text) == (200, "")  # handlePost does nothing
    assert _state(api, project[0], "nightly") == "active"
    page = api.get("/flowtrigger")
    assert page.headers["Content-Type"].startswith("text/html")


# -- /flowtriggerinstance ----------------------------------------------------------------------

@pytest.mark.parametrize(("params", "expected"), [
    ({"ajax": "fetchRunningTriggers"}, {"items": []}),
    ({"ajax": "killRunningTrigger"},
     {"error": "please specify a valid running trigger instance id"}),
    ({"ajax": "killRunningTrigger", "id": "abc-123"},
     {"error": "the trigger doesn't exist, might already finished or cancelled"}),
    ({"ajax": "showTriggerProperties"},
     {"error": "please specify a valid running trigger instance id"}),
    ({"ajax": "showTriggerProperties", "id": "abc-123"},
     {"error": "the trigger instance doesn't exist"}),
    ({"ajax": "fetchTriggerStatus"},
     {"error": "please specify a valid trigger instance id or flow execution id"}),
    ({"ajax": "fetchTriggerStatus", "triggerinstid": "abc-123"}, {}),
    ({"ajax": "fetchTriggerStatus", "execid": "7"}, {}),
    ({"ajax": "fetchTriggerInstances"}, {"error": "please specify project id and flow id"}),
    ({"ajax": "fetchTriggerInstances", "project": "nosuchproject", "flow": "f"},
     {"error": "please specify a valid project name"}),
    ({"ajax": "noSuchCall"}, {}),
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_trigger_instances_none_run_here(api: Api, params: dict, expected: dict,
                                         method: str) -> None:
    reply = getattr(api, method)("/flowtriggerinstance", **params)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == expected


def test_fetch_trigger_instances(api: Api, project: tuple[str, int]) -> None:
    name, _ = project
    assert api.get("/flowtriggerinstance", ajax="fetchTriggerInstances", project=name,
                   flow="nightly", start=0, length=10).json() == {
        "flow": "nightly", "total": 0, "from": 0, "length": 10, "executions": []}
    assert Api(api.url, "metrics").get(
        "/flowtriggerinstance", ajax="fetchTriggerInstances", project=name, flow="nightly",
        start=0, length=10).json() == {"error": "Permission denied. Need READ access."}
    missing = api.get("/flowtriggerinstance", ajax="fetchTriggerInstances", project=name,
                      flow="nightly", start=0)
    assert missing.status_code == 500
    assert "Missing required parameter 'length'." in missing.text


def test_trigger_instance_status_by_bad_execid(api: Api) -> None:
    reply = api.get("/flowtriggerinstance", ajax="fetchTriggerStatus", execid="x")
    assert reply.status_code == 500


def test_trigger_instance_page_and_plain_post(api: Api) -> None:
    assert api.get("/flowtriggerinstance").headers["Content-Type"].startswith("text/html")
    posted = api.post("/flowtriggerinstance")
    assert (posted.status_code, posted.text) == (200, "")


# -- /triggers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "expected"), [
    ({"triggerId": "987654"},
     {"message": "Trigger with ID 987654 does not exist", "status": "error"}),
    ({}, {"error": "Missing required parameter 'triggerId'."}),
    ({"triggerId": "x1"}, {"error": 'For input string: "x1"'}),
])
def test_expire_trigger_errors(api: Api, params: dict, expected: dict) -> None:
    for method in (api.get, api.post):
        reply = method("/triggers", ajax="expireTrigger", **params)
        assert (reply.status_code, reply.json()) == (200, expected)


def test_expire_trigger_of_a_schedule(fresh_sandbox: Sandbox, tmp_path: Path,
                                      make_zip: Callable[..., Path]) -> None:
    """A schedule's id is its trigger's id: expiring it ends the schedule."""
    api = Api(fresh_sandbox.url)
    api.create("sched")
    api.upload("sched", make_zip(tmp_path, {"main.job": "type=noop\n"}))
    schedule_id = api.schedule("scheduleCronFlow", projectName="sched", flow="main",
                               cronExpression="0 0 9 ? * *")["scheduleId"]
    assert api.post("/triggers", ajax="expireTrigger", triggerId=schedule_id).json() == {
        "status": "success", "message": f"trigger {schedule_id} removed from Schedules."}
    assert api.get("/schedule", ajax="fetchSchedule", projectId=1, flowId="main").text == "{ }"
    assert api.post("/triggers", ajax="expireTrigger", triggerId=schedule_id).json()[
        "status"] == "error"


def test_triggers_other_requests(api: Api) -> None:
    assert api.get("/triggers", ajax="fetchTriggers").text == "{ }"
    assert api.get("/triggers").headers["Content-Type"].startswith("text/html")
    assert api.post("/triggers").text == ""


# -- /history ----------------------------------------------------------------------------------

def test_history_fetch_is_a_stub(api: Api) -> None:
    reply = api.get("/history", ajax="fetch")
    assert (reply.status_code, reply.headers["Content-Type"], reply.text) == (
        200, "application/json", "{ }")


# -- /notes ------------------------------------------------------------------------------------

def test_notes_for_an_admin(fresh_sandbox: Sandbox) -> None:
    api = Api(fresh_sandbox.url)
    assert api.post("/notes", ajax="addNote", type="warning", message="upgrade at 6:00",
                    url="https://example.com/upgrade").json() == {"status": "success"}
    page = api.get("/notes").text
    assert "upgrade at 6:00" in page
    assert "https://example.com/upgrade" in page
    assert api.post("/notes", ajax="removeNote").json() == {"status": "success"}
    assert "upgrade at 6:00" not in api.get("/notes").text
    assert api.post("/notes", ajax="noSuch").json() == {
        "error": "Can not find the ajax operation"}
    assert api.post("/notes", ajax="addNote", type="info", message="half").json() == {
        "error": "Missing required parameter 'url'."}
    assert "half" in api.get("/notes").text  # type and message were set before url failed


def test_notes_refuse_others(api: Api) -> None:
    reader = Api(api.url, "reader")
    assert reader.get("/notes").json() == {
        "error": "The requested user doesn't have admin permission"}
    refused = {"error": "The requested user doesn't have admin permission, Or the HTTP request "
                        "doesn't include ajax."}
    assert reader.post("/notes", ajax="removeNote").json() == refused
    assert api.post("/notes", type="x").json() == refused  # an admin without ajax
