"""The ajax calls of ``/manager`` (protocol §5.6), their exact strings, CSRF and permissions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from sandbox_calls import Api

from azshell.sandbox import Sandbox, User

JOBS = {
    "start.job": "type=command\ncommand=echo start\nretries=1\n",
    "left.job": "type=command\ncommand=echo left\ndependencies=start\n",
    "right.job": "type=noop\ndependencies=start\n",
    "end.job": "type=command\ncommand=echo end\ndependencies=left,right\n"
               "failure.emails=ops@example.com\n",
}
FLOW2 = {
    "p.project": "azkaban-flow-version: 2.0\n",
    "main.flow": ("nodes:\n"
                  "  - name: first\n    type: command\n    config:\n      command: echo 1\n"
                  "  - name: sub\n    type: flow\n    dependsOn: [first]\n    nodes:\n"
                  "      - name: inner\n        type: noop\n"),
}


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


@pytest.fixture
def project(api: Api, project_name: str, tmp_path: Path, make_zip: Callable[..., Path]) -> str:
    api.create(project_name)
    assert api.upload(project_name, make_zip(tmp_path, JOBS)).status_code == 200
    return project_name


@pytest.fixture
def flow2_project(api: Api, project_name: str, tmp_path: Path,
                  make_zip: Callable[..., Path]) -> str:
    name = project_name + "f2"
    api.create(name)
    assert api.upload(name, make_zip(tmp_path, FLOW2, name="f2.zip")).status_code == 200
    return name


def test_fetch_flow_graph(api: Api, project: str) -> None:
    reply = api.manager("fetchflowgraph", project, flow="end")
    assert reply["flow"] == "end"
    assert reply["nodes"] == [
        {"id": "end", "type": "command", "in": ["left", "right"]},
        {"id": "left", "type": "command", "in": ["start"]},
        {"id": "right", "type": "noop", "in": ["start"]},
        {"id": "start", "type": "command"},
    ]
    assert api.manager("fetchflowgraph", project, flow="nope")["error"] == \
        f"Flow nope not found in project {project}"


def test_fetch_flow_graph_embedded(api: Api, flow2_project: str) -> None:
    reply = api.manager("fetchflowgraph", flow2_project, flow="main")
    sub = next(n for n in reply["nodes"] if n["id"] == "sub")
    assert sub["type"] == "flow"
    assert sub["flowId"] == "main:sub"
    assert sub["flow"] == "main:sub"
    assert sub["in"] == ["first"]
    assert sub["nodes"] == [{"id": "inner", "type": "noop"}]


def test_fetch_flow_jobs(api: Api, project: str) -> None:
    reply = api.manager("fetchflowjobs", project, flow="end")
    assert reply["flowId"] == "end"
    assert reply["isLocked"] is False
    levels = [n["level"] for n in reply["nodes"]]
    assert levels == sorted(levels)
    start = reply["nodes"][0]
    assert start == {"id": "start", "dependencies": [], "dependents": ["left", "right"],
                     "level": 0}
    missing = api.get("/manager", ajax="fetchflowjobs", project=project, flow="nope")
    assert missing.status_code == 500


def test_fetch_flow_details_and_node_data(api: Api, project: str) -> None:
    details = api.manager("fetchflowdetails", project, flow="end")
    assert sorted(details["jobTypes"]) == ["command", "noop"]
    assert api.manager("fetchflowdetails", project, flow="x")["error"] == "Flow x not found."
    node = api.manager("fetchflownodedata", project, flow="end", node="start")
    assert node["id"] == "start"
    assert node["flow"] == "end"
    assert node["type"] == "command"
    assert node["props"]["command"] == "echo start"
    assert api.manager("fetchflownodedata", project, flow="end", node="zz")["error"] == \
        "Job zz doesn't exist."


def test_fetch_job_info_and_override(api: Api, project: str) -> None:
    info = api.manager("fetchJobInfo", project, flowName="end", jobName="left")
    assert info["jobName"] == "left"
    assert info["jobType"] == "command"
    assert info["generalParams"]["command"] == "echo left"
    assert info["overrideParams"] == info["generalParams"]
    assert api.manager("fetchJobInfo", project, flowName="x", jobName="left")["error"] == \
        f"Flow x not found in project {project}"
    assert api.manager("fetchJobInfo", project, flowName="end", jobName="x")["error"] == \
        "Job x not found in flow end"
    api.post("/manager", ajax="setJobOverrideProperty", project=project, flowName="end",
             jobName="left", **{"jobOverride[command]": "echo changed"})
    after = api.manager("fetchJobInfo", project, flowName="end", jobName="left")
    assert after["overrideParams"] == {"command": "echo changed"}


def test_quirk_22_flow_executions_and_last_success(api: Api, project: str) -> None:
    empty = api.manager("fetchFlowExecutions", project, flow="end", start=0, length=10)
    assert empty["total"] == 0
    assert empty["executions"] == []
    assert (empty["from"], empty["length"], empty["flow"]) == (0, 10, "end")
    none = api.manager("fetchLastSuccessfulFlowExecution", project, flow="end")
    assert (none["success"], none["message"]) == ("false", "This flow has no successful run.")
    first = api.execute(project, "end")["execid"]
    api.wait(first)
    second = api.execute(project, "end")["execid"]
    api.wait(second)
    page = api.manager("fetchFlowExecutions", project, flow="end", start=0, length=1)
    assert page["total"] == 2
    item = page["executions"][0]
    assert item["execId"] == second
    assert set(item) == {"execId", "flowId", "projectId", "status", "submitTime", "startTime",
                         "endTime", "submitUser"}
    last = api.manager("fetchLastSuccessfulFlowExecution", project, flow="end")
    assert last == {"project": project, "projectId": last["projectId"], "success": "true",
                    "message": "", "execId": second}
    missing = api.get("/manager", ajax="fetchFlowExecutions", project=project, flow="end")
    assert missing.status_code == 500


def test_project_logs_newest_first(api: Api, project: str) -> None:
    api.post("/manager", ajax="changeDescription", project=project, description="new text")
    logs = api.manager("fetchProjectLogs", project)
    assert logs["columns"] == ["user", "time", "type", "message"]
    kinds = [row[2] for row in logs["logData"]]
    assert kinds[:3] == ["DESCRIPTION", "UPLOADED", "CREATED"]
    assert logs["logData"][0][3] == "Description changed to new text"
    assert logs["logData"][2][3] is None
    assert logs["logData"][1][3].startswith("Uploaded project files zip ")
    assert len(api.manager("fetchProjectLogs", project, size=1, skip=1)["logData"]) == 1


def test_permissions_and_proxy_users(api: Api, project: str) -> None:
    perms = api.manager("getPermissions", project)["permissions"]
    assert perms == [{"username": "azkaban", "permission": ["ADMIN"]}]  # reader's READ is a role
    assert api.manager("getGroupPermissions", project)["permissions"] == []
    assert api.manager("getProxyUsers", project)["proxyUsers"] == ["azkaban"]
    flags = {f"permissions[{t}]": "false" for t in ("admin", "read", "write", "execute",
                                                    "schedule")}
    add = api.post("/manager", ajax="addPermission", project=project, name="metrics",
                   group="false", **{**flags, "permissions[read]": "true",
                                     "permissions[execute]": "true"}).json()
    assert "error" not in add
    assert {"username": "metrics", "permission": ["READ", "EXECUTE"]} in \
        api.manager("getPermissions", project)["permissions"]
    again = api.post("/manager", ajax="addPermission", project=project, name="metrics",
                     group="false", **flags).json()
    assert again["error"] == "User permission already exists."
    nobody = api.post("/manager", ajax="addPermission", project=project, name="nobody",
                      group="false", **flags).json()
    assert nobody["error"] == "User is invalid."
    group = api.post("/manager", ajax="addPermission", project=project, name="azkaban",
                     group="true", **{**flags, "permissions[write]": "true"}).json()
    assert "error" not in group
    assert api.manager("getGroupPermissions", project)["permissions"] == [
        {"username": "azkaban", "permission": ["WRITE"]}]
    bad_group = api.post("/manager", ajax="addPermission", project=project, name="nogroup",
                         group="true", **flags).json()
    assert bad_group["error"] == "Group is invalid."
    missing_flag = api.post("/manager", ajax="addPermission", project=project, name="x",
                            group="false")
    assert missing_flag.status_code == 500
    unknown = api.post("/manager", ajax="changePermission", project=project, name="ghost",
                       group="false", **flags).json()
    assert unknown["error"] == "Permissions for ghost cannot be found."
    api.post("/manager", ajax="changePermission", project=project, name="metrics",
             group="false", **flags)
    assert all(p["username"] != "metrics"
               for p in api.manager("getPermissions", project)["permissions"])
    proxy = api.post("/manager", ajax="addProxyUser", project=project, name="reader").json()
    assert "error" not in proxy
    assert api.manager("getProxyUsers", project)["proxyUsers"] == ["azkaban", "reader"]
    bad_proxy = api.post("/manager", ajax="addProxyUser", project=project, name="ghost").json()
    assert bad_proxy["error"] == "User azkaban has no permission to add ghost as proxy user."
    api.post("/manager", ajax="removeProxyUser", project=project, name="reader")
    assert api.manager("getProxyUsers", project)["proxyUsers"] == ["azkaban"]


def test_quirk_23_csrf_only_with_cookie(api: Api, project: str) -> None:
    flags = {f"permissions[{t}]": "false" for t in ("admin", "read", "write", "execute",
                                                    "schedule")}
    data = {"ajax": "addPermission", "project": project, "name": "metrics", "group": "false",
            **flags, "permissions[read]": "true"}
    jar = requests.Session()
    jar.post(api.url, data={"action": "login", "username": "azkaban", "password": "azkaban"})
    refused = jar.post(api.url + "/manager", data=data)
    assert refused.text == '{\n  "error" : "CSRF validation failed."\n}'
    page = jar.get(api.url + "/manager", params={"project": project, "permissions": ""})
    marker = 'id="csrf-token" name="csrf-token" value="'
    token = page.text.split(marker, 1)[1].split('"', 1)[0]
    accepted = jar.post(api.url + "/manager", data=data, headers={"X-CSRF-TOKEN": token})
    assert "error" not in accepted.json()
    read_call = jar.get(api.url + "/manager", params={"ajax": "getPermissions",
                                                      "project": project})
    assert "permissions" in read_call.json()  # only the four permission calls check


def test_permission_denied_messages(api: Api, project: str) -> None:
    reader = Api(api.url, "reader")
    assert "flows" in reader.manager("fetchprojectflows", project)
    assert reader.manager("changeDescription", project, description="x")["error"] == \
        "Permission denied. Need WRITE access."
    assert reader.manager("setFlowLock", project, flowName="end", isLocked="true")["error"] == \
        "Permission denied. Need ADMIN access."
    assert reader.manager("checkForWritePermission", project)["hasWritePermission"] is False
    assert api.manager("checkForWritePermission", project)["hasWritePermission"] is True
    metrics = Api(api.url, "metrics")
    assert metrics.manager("fetchprojectflows", project)["error"] == \
        "Permission denied. Need READ access."


def test_flow_lock(api: Api, project: str) -> None:
    locked = api.manager("setFlowLock", project, flowName="end", isLocked="true",
                         flowLockErrorMessage="frozen")
    assert (locked["flowId"], locked["isLocked"], locked["flowLockErrorMessage"]) == \
        ("end", True, "frozen")
    assert api.manager("isFlowLocked", project, flowName="end")["isLocked"] is True
    assert api.manager("fetchflowjobs", project, flow="end")["isLocked"] is True
    unlocked = api.manager("setFlowLock", project, flowName="end", isLocked="false")
    assert unlocked["flowLockErrorMessage"] is None
    assert api.manager("isFlowLocked", project, flowName="zz")["error"] == \
        f"Flow zz not found in project {project}"


def test_upload_settings(api: Api, project: str) -> None:
    setting = api.manager("getUploadSetting", project)
    assert (setting["isUploadLocked"], setting["adhocUpload"]) == (False, True)
    assert api.manager("changeUploadSetting", project)["error"] == \
        "adhocUpload parameter is not set"
    reader = Api(api.url, "reader")
    assert reader.manager("changeUploadSetting", project, adhocUpload="true")["error"] == \
        "User reader doesn't have permission to change upload lock settings."


def test_quirk_24_index_project_lists(api: Api, project: str) -> None:
    mine = api.get("/index", ajax="fetchuserprojects").json()["projects"]
    item = next(p for p in mine if p["projectName"] == project)
    assert set(item) == {"projectId", "projectName", "createdBy", "createdTime",
                         "userPermissions", "groupPermissions"}
    assert {"first": "azkaban", "second": {"types": ["ADMIN"]}} in item["userPermissions"]
    assert item["userPermissions"] == [{"first": "azkaban", "second": {"types": ["ADMIN"]}}]
    reader = Api(api.url, "reader")
    assert "flows" in reader.manager("fetchprojectflows", project)  # READ through its role...
    for view in (api.get("/index", ajax="fetchuserprojects", user="reader").json(),
                 reader.get("/index", ajax="fetchuserprojects").json()):
        assert project not in {p["projectName"] for p in view["projects"]}  # ...not listed
    metrics_view = Api(api.url, "metrics").get("/index", ajax="fetchuserprojects").json()
    assert project not in {p["projectName"] for p in metrics_view["projects"]}
    assert api.get("/index", ajax="fetchuserprojects", user="ghost").json() == {"projects": []}
    everything = Api(api.url, "metrics").get("/index", ajax="fetchallprojects").json()
    assert project in {p["projectName"] for p in everything["projects"]}
    assert api.get("/index", ajax="nosuchcall").text == "{ }"


def test_fetchuserprojects_ignores_group_permissions() -> None:
    """§4: only the user's own READ/ADMIN entries count, not a group's (nor a role's)."""
    users = [User("azkaban", "azkaban", groups=("azkaban",), roles=("admin",)),
             User("ops1", "ops1", groups=("ops",))]
    with Sandbox(users=users) as private:
        admin, ops = Api(private.url), Api(private.url, "ops1")
        admin.create("grouped")
        flags = {f"permissions[{t}]": "false" for t in ("admin", "read", "write", "execute",
                                                        "schedule")}
        granted = admin.post("/manager", ajax="addPermission", project="grouped", name="ops",
                             group="true", **{**flags, "permissions[read]": "true"}).json()
        assert "error" not in granted
        assert "flows" in ops.manager("fetchprojectflows", "grouped")  # the group's READ works
        for view in (ops.get("/index", ajax="fetchuserprojects"),
                     admin.get("/index", ajax="fetchuserprojects", user="ops1")):
            assert view.json() == {"projects": []}  # ... but does not list the project
        admin.post("/manager", ajax="addPermission", project="grouped", name="ops1",
                   group="false", **{**flags, "permissions[read]": "true"})
        listed = ops.get("/index", ajax="fetchuserprojects").json()["projects"]
        assert [p["projectName"] for p in listed] == ["grouped"]


def test_created_by_is_last_modifier(api: Api, project_name: str, tmp_path: Path,
                                     make_zip: Callable[..., Path]) -> None:
    api.create(project_name)
    flags = {f"permissions[{t}]": "false" for t in ("admin", "read", "write", "execute",
                                                    "schedule")}
    api.post("/manager", ajax="addPermission", project=project_name, name="metrics",
             group="false", **{**flags, "permissions[write]": "true",
                               "permissions[read]": "true"})
    metrics = Api(api.url, "metrics")
    assert metrics.upload(project_name, make_zip(tmp_path, JOBS)).status_code == 200
    listed = api.get("/index", ajax="fetchallprojects").json()["projects"]
    assert next(p for p in listed if p["projectName"] == project_name)["createdBy"] == "metrics"


def test_flow_lock_checks_the_flow_before_is_locked(api: Api, project: str) -> None:
    """ajaxSetFlowLock looks the flow up first: no isLocked on an unknown flow is the flow
    error, on a known flow a 500 (getParam's ServletException)."""
    unknown = api.get("/manager", ajax="setFlowLock", project=project, flowName="zz")
    assert unknown.status_code == 200
    assert unknown.json()["error"] == f"Flow zz not found in project {project}"
    known = api.get("/manager", ajax="setFlowLock", project=project, flowName="end")
    assert known.status_code == 500
    assert api.manager("isFlowLocked", project, flowName="end")["isLocked"] is False


def test_add_proxy_user_needs_the_acting_users_proxy_list(api: Api, project: str) -> None:
    """validateProxyUser reads only the acting user's proxy list: the sandbox's azkaban may add
    metrics and reader, not itself; metrics (project ADMIN here, no list) may add nobody."""
    refused = api.post("/manager", ajax="addProxyUser", project=project, name="azkaban").json()
    assert refused["error"] == "User azkaban has no permission to add azkaban as proxy user."
    api.post("/manager", ajax="addPermission", project=project, name="metrics", group="false",
             **{f"permissions[{p}]": str(p == "admin").lower()
                for p in ("admin", "read", "write", "execute", "schedule")})
    metrics = Api(api.url, "metrics")
    answer = metrics.post("/manager", ajax="addProxyUser", project=project, name="reader").json()
    assert answer["error"] == "User metrics has no permission to add reader as proxy user."
    assert api.manager("getProxyUsers", project)["proxyUsers"] == ["azkaban"]
    assert "error" not in api.post("/manager", ajax="addProxyUser", project=project,
                                   name="metrics").json()
    assert api.manager("getProxyUsers", project)["proxyUsers"] == ["azkaban", "metrics"]
