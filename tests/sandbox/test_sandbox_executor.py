"""``/executor`` (protocol §6): execute, control, watch, logs, dispatch quirks."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sandbox_calls import FINAL, Api

SLOW = {
    "slow.job": "type=command\ncommand=sleep 5\n",
    "after.job": "type=command\ncommand=echo after\ndependencies=slow\n",
}
QUICK = {
    # \u00e9 in the file: Azkaban reads .job files as ISO-8859-1, so é is written escaped
    "hello.job": "type=command\ncommand=echo '<b>&\"${who}\"</b> caf\\u00e9'\n",
    "bye.job": "type=command\ncommand=echo bye\ndependencies=hello\n"
               "success.emails=team@example.com\nfailure.emails=ops@example.com, oncall@x.org\n",
}
FLAGS = {f"permissions[{t}]": "false" for t in ("admin", "read", "write", "execute", "schedule")}


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


def _project(api: Api, name: str, files: dict[str, str], tmp_path: Path,
             make_zip: Callable[..., Path]) -> str:
    api.create(name)
    assert api.upload(name, make_zip(tmp_path, files, name=f"{name}.zip")).status_code == 200
    return name


@pytest.fixture
def slow(api: Api, project_name: str, tmp_path: Path, make_zip: Callable[..., Path]) -> str:
    return _project(api, project_name + "slow", SLOW, tmp_path, make_zip)


@pytest.fixture
def quick(api: Api, project_name: str, tmp_path: Path, make_zip: Callable[..., Path]) -> str:
    return _project(api, project_name + "quick", {**QUICK, "who.properties": "who=world\n"},
                    tmp_path, make_zip)


def _start_slow(api: Api, project: str, **options: str) -> int:
    reply = api.execute(project, "after", **options)
    execid = reply["execid"]
    api.wait_job(execid, "slow", {"RUNNING"})
    return execid


def test_execute_success_message(api: Api, quick: str) -> None:
    reply = api.execute(quick, "bye")
    execid = reply["execid"]
    assert reply == {"project": quick, "flow": "bye", "execid": execid,
                     "message": f"Execution queued successfully with exec id {execid}"}
    flow = api.wait(execid)
    assert flow["status"] == "SUCCEEDED"
    assert flow["submitUser"] == "azkaban"


def test_quirk_14_default_concurrent_option_is_skip(api: Api, slow: str) -> None:
    first = _start_slow(api, slow)
    try:
        skipped = api.execute(slow, "after")
        assert skipped == {"project": slow, "flow": "after", "execid": -1, "error":
                           "Error submitting flow after. Flow after is already running. "
                           "Skipping execution."}
        ignored = api.execute(slow, "after", concurrentOption="ignore")
        assert ignored["message"] == (
            f"Flow after is already running with exec id {first}. Will execute concurrently. \n"
            f"Execution queued successfully with exec id {ignored['execid']}")
        piped = api.execute(slow, "after", concurrentOption="pipeline", pipelineLevel="1")
        assert piped["message"].startswith(
            f"Flow after is already running with exec id {ignored['execid']}. "
            "Pipelining level 1. \nExecution queued successfully with exec id ")
        running = api.executor("getRunning", project=slow, flow="after")["execIds"]
        assert running == [first, ignored["execid"], piped["execid"]]
    finally:
        for execid in api.executor("getRunning", project=slow, flow="after").get("execIds", []):
            api.executor("cancelFlow", execid=execid)


def test_more_than_30_concurrent_runs_are_refused(api: Api, slow: str) -> None:
    """``azkaban.max.concurrent.runs.oneflow`` (30): more than 30 unfinished runs refuse the
    next, before the concurrentOption is looked at (skip would say something else)."""
    first = _start_slow(api, slow)
    runs = [first]
    try:
        for _ in range(30):  # queued runs wait without a process: 31 unfinished in the end
            reply = api.execute(slow, "after", concurrentOption="queue")
            assert "error" not in reply, reply
            runs.append(reply["execid"])
        for option in ("queue", "ignore", "skip"):
            assert api.execute(slow, "after", concurrentOption=option) == {
                "project": slow, "flow": "after", "execid": -1, "error":
                "Error submitting flow after. Flow after has more than 30 concurrent runs. "
                "Skipping"}
        assert len(api.executor("getRunning", project=slow, flow="after")["execIds"]) == 31
    finally:
        for execid in reversed(runs):
            api.executor("cancelFlow", execid=execid)


def test_quirk_15_execute_missing_project_or_permission(api: Api, quick: str) -> None:
    assert api.execute("nosuchproject", "bye") == {
        "project": "nosuchproject", "error": "Project 'nosuchproject' doesn't exist."}
    reader = Api(api.url, "reader")
    assert reader.execute(quick, "bye") == {
        "project": quick, "error": f"Project '{quick}' doesn't exist."}
    missing = api.execute(quick, "nosuchflow")
    assert set(missing) == {"project", "flow", "error"}
    assert re.fullmatch(r"Flow 'nosuchflow' cannot be found in project "
                        r"azkaban\.project\.Project@[0-9a-f]+", missing["error"])


def test_execute_locked_flow(api: Api, quick: str) -> None:
    api.manager("setFlowLock", quick, flowName="bye", isLocked="true")
    try:
        assert api.execute(quick, "bye") == {
            "project": quick, "flow": "bye", "execid": -1,
            "message": f"Flow bye for project {quick} is locked."}
    finally:
        api.manager("setFlowLock", quick, flowName="bye", isLocked="false")


def test_execute_option_errors(api: Api, quick: str) -> None:
    mixed = api.execute(quick, "bye", **{"flowOverride[a]": "1", "runtimeProperty[ROOT][b]": "2"})
    assert mixed == {"project": quick, "flow": "bye", "error":
                     "Error parsing flow options: The legacy param group flowOverride is not "
                     "allowed in combination with the runtimeProperty param group. Migrate "
                     "flowOverride to runtimeProperty[ROOT]."}
    no_level = api.execute(quick, "bye", concurrentOption="pipeline")
    assert no_level["error"] == ("Error parsing flow options: Missing required parameter "
                                 "'pipelineLevel'.")
    retries = api.execute(quick, "bye", **{"flowOverride[flow.max.retries]": "9"})
    assert retries["error"].startswith("Error parsing flow options: ExecutionOptions is invalid, "
                                       "error reasons: [")
    admin_bad = api.execute(quick, "bye", **{"flowOverride[useExecutor]": "abc"})
    assert admin_bad["error"] == "Error submitting flow bye. useExecutor should be an integer"
    assert no_level.get("execid") is None
    missing_flow_param = api.get("/executor", ajax="executeFlow", project=quick)
    assert missing_flow_param.status_code == 500


@pytest.mark.parametrize(("param", "value", "reason"), [
    ("java.enable.debug", "maybe", "java.enable.debug should be boolean"),
    ("enable.dev.pod", "1", "enable.dev.pod should be boolean"),
    ("disable.pod.cleanup", "", "disable.pod.cleanup should be boolean"),
    ("allow.image.test.version", "t", "allow.image.test.version should be boolean"),
    ("flowPriority", "-1", "flowPriority should be an integer"),
    ("useExecutor", "1.5", "useExecutor should be an integer"),
])
def test_admin_only_flow_params_are_checked_for_admins(api: Api, quick: str, param: str,
                                                       value: str, reason: str) -> None:
    """§6.1: ``<name> should be boolean`` / ``should be an integer`` for an admin's bad value,
    with commons-lang 2's rules (isNumeric: digits only; toBooleanObject: true/false/on/off/
    yes/no in any case)."""
    for group in ("flowOverride", "runtimeProperty[ROOT]"):
        assert api.execute(quick, "bye", **{f"{group}[{param}]": value}) == {
            "project": quick, "flow": "bye", "execid": -1,
            "error": f"Error submitting flow bye. {reason}"}


def test_admin_only_flow_params_accept_java_booleans(api: Api, quick: str) -> None:
    flags = {"flowOverride[java.enable.debug]": "YES", "flowOverride[enable.dev.pod]": "off",
             "flowOverride[disable.pod.cleanup]": "On", "flowOverride[flowPriority]": "7",
             "concurrentOption": "ignore"}
    reply = api.execute(quick, "bye", **flags)
    assert "error" not in reply, reply
    api.wait(reply["execid"])
    per_job = api.execute(quick, "bye", concurrentOption="ignore",
                          **{"runtimeProperty[hello][useExecutor]": "abc"})
    assert "error" not in per_job, per_job  # only flow-level parameters are admin-only
    api.wait(per_job["execid"])


def test_execute_with_parameters_and_disabled(api: Api, quick: str) -> None:
    execid = api.execute(quick, "bye", **{"flowOverride[who]": "override"})["execid"]
    api.wait(execid)
    assert "&lt;b&gt;&amp;&quot;override&quot;&lt;/b&gt;" in api.read_log(execid, "hello")
    runtime = api.execute(quick, "bye", **{"runtimeProperty[ROOT][who]": "rt"})["execid"]
    api.wait(runtime)
    assert "&quot;rt&quot;" in api.read_log(runtime, "hello")
    disabled = api.execute(quick, "bye", disabled='["hello"]')["execid"]
    flow = api.wait(disabled)
    statuses = {n["id"]: n["status"] for n in flow["nodes"]}
    assert statuses == {"hello": "SKIPPED", "bye": "SUCCEEDED"}
    info = api.executor("flowInfo", execid=disabled)
    assert info["disabled"] is not None
    junk = api.execute(quick, "bye", disabled="not json")["execid"]
    assert api.wait(junk)["status"] == "SUCCEEDED"


def test_quirk_16_execid_dispatch(api: Api, quick: str) -> None:
    assert api.executor("fetchexecflow", execid=999999) == {
        "error": "Cannot find execution '999999'"}
    execid = api.execute(quick, "bye")["execid"]
    api.wait(execid)
    assert api.get("/executor", ajax="executeFlow", execid=execid, project=quick,
                   flow="bye").text == "{ }"
    assert api.executor("ping", project=quick) == {"project": quick}
    assert api.get("/executor", ajax="ping").status_code == 500
    assert api.post("/executor", project=quick).content == b""


def test_quirk_17_get_running(api: Api, slow: str) -> None:
    assert api.get("/executor", ajax="getRunning", project=slow, flow="after").text == "{ }"
    assert api.executor("getRunning", project="ghost", flow="after") == {
        "error": "Project 'null' not found."}
    reader = Api(api.url, "reader")
    assert reader.executor("getRunning", project=slow, flow="after") == {
        "error": f"User 'reader' doesn't have EXECUTE permissions on {slow}"}
    execid = _start_slow(api, slow)
    try:
        assert api.executor("getRunning", project=slow, flow="after") == {"execIds": [execid]}
    finally:
        api.executor("cancelFlow", execid=execid)


def test_quirk_18_cancel_pause_resume(api: Api, slow: str) -> None:
    execid = _start_slow(api, slow)
    reader = Api(api.url, "reader")
    assert reader.executor("cancelFlow", execid=execid) == {
        "error": f"User 'reader' doesn't have EXECUTE permissions on {slow}"}
    assert api.get("/executor", ajax="pauseFlow", execid=execid).text == "{ }"
    assert api.wait(execid, until={"PAUSED"})["status"] == "PAUSED"
    assert api.executor("pauseFlow", execid=execid) == {}
    assert api.executor("resumeFlow", execid=execid) == {}
    assert api.executor("resumeFlow", execid=execid) == {}
    assert api.post("/executor", ajax="cancelFlow", execid=execid).json() == {}
    assert api.wait(execid)["status"] == "KILLED"
    message = f"Execution {execid} of flow after isn't running."
    assert api.executor("cancelFlow", execid=execid) == {"error": message}
    assert api.executor("pauseFlow", execid=execid) == {"error": message}
    assert api.executor("resumeFlow", execid=execid) == {"resume": message}


def test_cancel_of_a_queued_run_fails_it(api: Api, slow: str) -> None:
    """§6.2: cancelling a run still queued on the web server finalizes it FAILED at once."""
    first = _start_slow(api, slow)
    try:
        queued = api.execute(slow, "after", concurrentOption="queue")["execid"]
        assert api.executor("fetchexecflow", execid=queued)["status"] == "PREPARING"
        assert api.post("/executor", ajax="cancelFlow", execid=queued).json() == {}
        flow = api.executor("fetchexecflow", execid=queued)
        assert flow["status"] == "FAILED"
        assert {n["status"] for n in flow["nodes"]} == {"KILLING"}
        assert flow["startTime"] == -1
        assert flow["endTime"] > 0
        assert api.executor("fetchExecFlowLogs", execid=queued, offset=0,
                            length=1000)["length"] == 0
        assert api.executor("getRunning", project=slow, flow="after") == {"execIds": [first]}
        assert api.executor("cancelFlow", execid=queued) == {
            "error": f"Execution {queued} of flow after isn't running."}
    finally:
        api.executor("cancelFlow", execid=first)


def test_pause_and_resume_of_a_queued_run_say_it_is_not_running(api: Api, slow: str) -> None:
    """§6.2: a run still queued on the web server is on no executor: pause answers the
    "isn't running." error, resume the same text under its own key, and the run stays queued."""
    first = _start_slow(api, slow)
    try:
        queued = api.execute(slow, "after", concurrentOption="queue")["execid"]
        message = f"Execution {queued} of flow after isn't running."
        assert api.executor("pauseFlow", execid=queued) == {"error": message}
        assert api.executor("resumeFlow", execid=queued) == {"resume": message}
        assert api.executor("fetchexecflow", execid=queued)["status"] == "PREPARING"
    finally:
        api.executor("cancelFlow", execid=first)


def test_retry_failed_on_finished_flow(api: Api, project_name: str, tmp_path: Path,
                                       make_zip: Callable[..., Path]) -> None:
    name = _project(api, project_name, {"bad.job": "type=command\ncommand=false\n"}, tmp_path,
                    make_zip)
    execid = api.execute(name, "bad")["execid"]
    assert api.wait(execid)["status"] == "FAILED"
    assert api.executor("retryFailedJobs", execid=execid) == {
        "error": "Flow has already finished. Please re-execute."}


def test_quirk_19_fetchexecflow_shape(api: Api, quick: str) -> None:
    execid = api.execute(quick, "bye")["execid"]
    flow = api.wait(execid)
    for key in ("execid", "project", "projectId", "submitUser", "submitTime", "id", "flow",
                "flowId", "nestedId", "type", "status", "startTime", "endTime", "updateTime",
                "attempt", "nodes"):
        assert key in flow, key
    assert flow["type"] is None
    assert (flow["id"], flow["flowId"], flow["nestedId"], flow["project"]) == \
        ("bye", "bye", "bye", quick)
    nodes = {n["id"]: n for n in flow["nodes"]}
    assert "in" not in nodes["hello"]
    assert nodes["bye"]["in"] == ["hello"]
    assert nodes["bye"]["type"] == "command"


def test_quirk_20_fetchexecflowupdate(api: Api, quick: str) -> None:
    execid = api.execute(quick, "bye")["execid"]
    flow = api.wait(execid)
    everything = api.executor("fetchexecflowupdate", execid=execid, lastUpdateTime=-1)
    assert {n["id"] for n in everything["nodes"]} == {"hello", "bye"}
    for key in ("status", "startTime", "endTime", "updateTime"):
        assert everything[key] == flow[key]
    later = api.executor("fetchexecflowupdate", execid=execid,
                         lastUpdateTime=flow["updateTime"])
    assert "nodes" not in later
    assert later["status"] == "SUCCEEDED"
    assert api.get("/executor", ajax="fetchexecflowupdate", execid=execid).status_code == 500


def test_quirk_21_logs(api: Api, quick: str) -> None:
    execid = api.execute(quick, "bye")["execid"]
    api.wait(execid)
    page = api.get("/executor", ajax="fetchExecJobLogs", execid=execid, jobId="hello",
                   offset=0, length=40)
    assert page.headers["Content-Type"] == "application/json; charset=utf-8"
    chunk = page.json()
    assert (chunk["offset"], chunk["length"]) == (0, 40)
    whole = api.read_log(execid, "hello", page=40)
    assert "&lt;b&gt;&amp;&quot;world&quot;&lt;/b&gt; caf&eacute;" in whole
    assert api.read_log(execid, "hello") == whole
    assert "bye" in api.read_log(execid)
    end = api.executor("fetchExecFlowLogs", execid=execid, offset=10**6, length=100)
    assert end == {"data": "", "offset": 10**6, "length": 0}
    assert api.executor("fetchExecJobLogs", execid=execid, jobId="ghost", offset=0,
                        length=10) == {"error": f"Job ghost doesn't exist in {execid}"}
    assert api.get("/executor", ajax="fetchExecJobLogs", execid=execid, jobId="hello",
                   offset=0).status_code == 500


def test_fetch_exec_job_stats(api: Api, quick: str) -> None:
    """A known job without attachments has null stats; an unknown one is named like the logs'.
    (``Error retrieving stats for job <id>`` is Azkaban's answer to a failed read of the
    attachments, database or executor, which the sandbox cannot have.)"""
    execid = api.execute(quick, "bye")["execid"]
    api.wait(execid)
    known = api.get("/executor", ajax="fetchExecJobStats", execid=execid, jobid="hello")
    assert known.text == '{\n  "jobStats" : null\n}'
    for job in ("ghost", "", "bye:hello"):
        assert api.executor("fetchExecJobStats", execid=execid, jobid=job) == {
            "error": f"Job {job} doesn't exist in {execid}"}
    assert api.get("/executor", ajax="fetchExecJobStats", execid=execid,
                   jobId="hello").status_code == 500  # the parameter is jobid


def test_job_log_missing_is_500(api: Api, slow: str) -> None:
    execid = _start_slow(api, slow)
    try:
        reply = api.get("/executor", ajax="fetchExecJobLogs", execid=execid, jobId="after",
                        offset=0, length=100)
        assert reply.status_code == 500
        assert reply.headers["Content-Type"].startswith("text/html")
        assert "Job log file doesn&#x27;t exist." in reply.text or \
            "Job log file doesn't exist." in reply.text
    finally:
        api.executor("cancelFlow", execid=execid)


def test_failing_flow(api: Api, sandbox_url: str, upload_example: Callable[..., dict],
                      project_name: str) -> None:
    upload_example("flow1-failing", project_name)
    execid = api.execute(project_name, "end")["execid"]
    flow = api.wait(execid)
    assert flow["status"] == "FAILED"
    statuses = {n["id"]: n["status"] for n in flow["nodes"]}
    assert statuses["boom"] == "FAILED"
    assert statuses["fine"] == "SUCCEEDED"
    assert statuses["after_boom"] == "CANCELLED"
    assert "boom" in api.read_log(execid, "boom")


def test_flow_info(api: Api, quick: str) -> None:
    info = api.executor("flowInfo", project=quick, flow="bye")
    assert info == {"successEmails": ["team@example.com"],
                    "failureEmails": ["ops@example.com", "oncall@x.org"]}
    assert api.executor("flowInfo", project="ghost", flow="bye") == {
        "error": "Project 'null' not found."}
    assert api.executor("flowInfo", project=quick, flow="zz") == {
        "error": f"Error loading flow. Flow zz doesn't exist in {quick}"}
    execid = api.execute(quick, "bye", failureEmails="a@b.c;d@e.f",
                         failureEmailsOverride="true", failureAction="finishPossible",
                         concurrentOption="ignore")["execid"]
    api.wait(execid)
    run = api.executor("flowInfo", execid=execid)
    assert run["failureEmails"] == ["a@b.c", "d@e.f"]
    assert run["successEmails"] == ["team@example.com"]
    assert run["failureAction"] == "finishPossible"
    assert run["concurrentOptions"] == "ignore"
    assert run["nodeStatus"] == {"hello": "SUCCEEDED", "bye": "SUCCEEDED"}


def test_admin_calls(api: Api) -> None:
    assert api.executor("reloadExecutors") == {"status": "success"}
    reader = Api(api.url, "reader")
    assert reader.executor("reloadExecutors") == {
        "status": "error", "error": "Only Admins are allowed to refresh the executors"}
    assert reader.executor("enableQueueProcessor") == {
        "status": "error", "error": "Only Admins are allowed to update queue processor"}


def test_admin_only_params_dropped_for_others(api: Api, quick: str) -> None:
    api.post("/manager", ajax="addPermission", project=quick, name="metrics", group="false",
             **{**FLAGS, "permissions[execute]": "true", "permissions[read]": "true"})
    metrics = Api(api.url, "metrics")
    reply = metrics.execute(quick, "bye", **{"flowOverride[useExecutor]": "abc",
                                             "flowOverride[who]": "m"})
    assert "error" not in reply
    info = metrics.executor("flowInfo", execid=reply["execid"])
    assert info["flowParam"] == {"who": "m"}
    assert metrics.wait(reply["execid"])["status"] in FINAL


def test_example_projects_run(api: Api, upload_example: Callable[..., dict],
                              project_name: str) -> None:
    for example, flows in (("flow1-etl", ("finish", "audit")), ("flow2-pipeline", ("pipeline",))):
        name = f"{project_name}{example.replace('-', '')}"
        upload_example(example, name)
        listed = sorted(f["flowId"] for f in api.manager("fetchprojectflows", name)["flows"])
        assert listed == sorted(flows)
        for flow_id in flows:
            execid = api.execute(name, flow_id)["execid"]
            flow = api.wait(execid)
            assert flow["status"] == "SUCCEEDED", flow
            assert api.read_log(execid)
            first = flow["nodes"][0]["id"]
            assert api.read_log(execid, first)
    pipeline = api.manager("fetchflowgraph", f"{project_name}flow2pipeline", flow="pipeline")
    assert any(n.get("flowId") == "pipeline:process" for n in pipeline["nodes"])
