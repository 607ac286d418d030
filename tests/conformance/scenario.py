"""The scenario: every call azshell's client makes, and each documented error answer.

Steps run in order against one server and build on each other (a project is created, uploaded,
run, scheduled, deleted, purged). Projects are named ``<prefix><tag>-<role>`` so that a run on
a shared server touches nothing else, and lists are filtered down to this run's projects.
Waiting (polling an execution) is not written down: only the answers a client depends on are.
"""

from __future__ import annotations

import contextlib
import html
import io
import zipfile
from typing import Any

from azshell.client.options import ExecuteOptions, SlaSetting, sla_params

from .runner import BOGUS_SESSION, FINAL, Runner

GREETING = "héllo → wörld\n"
# Flow 1.0: flows hello, pair (a -> pair), slow, mixed (bad, long -> mixed)
FLOW1 = {
    "hello.job": "type=command\ncommand=cat greeting.txt\n",
    "greeting.txt": GREETING,
    "a.job": "type=command\ncommand=echo a\n",
    "pair.job": "type=command\ncommand=echo pair\ndependencies=a\n",
    "slow.job": "type=command\ncommand=sleep 60\n",
    "bad.job": "type=command\ncommand=false\n",
    "long.job": "type=command\ncommand=sleep 6\n",
    "mixed.job": "type=command\ncommand=echo mixed\ndependencies=bad,long\n",
}
FLOW2 = {
    "f2.project": "azkaban-flow-version: 2.0\n",
    "pipe.flow": (
        "nodes:\n"
        "  - name: finish\n    type: command\n    config:\n      command: echo finish\n"
        "    dependsOn:\n      - start\n      - inner\n    condition: all_success\n"
        "  - name: start\n    type: command\n    config:\n      command: echo start\n"
        "  - name: inner\n    type: flow\n    nodes:\n"
        "      - name: x\n        type: noop\n"
    ),
}
INVALID = {"a.job": "type=command\ncommand=echo a\ndependencies=missing\n"}
NO_SUCH_EXEC = "987654321"


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text.encode("utf-8"))
    return buffer.getvalue()


def call(method: str, *args: Any, **options: Any) -> dict[str, Any]:
    """The client call that sends a step's request (replayed by the tests)."""
    spec: dict[str, Any] = {"method": method, "args": list(args)}
    if options:
        spec["options"] = options
    return spec


def run(r: Runner) -> None:
    """The whole scenario, in order."""
    sessions(r)
    projects(r)
    flows_and_permissions(r)
    executions(r)
    schedules(r)
    triggers(r)
    expired(r)
    deletion(r)


def ours(r: Runner, key: str, name_key: str) -> Any:
    """A filter that keeps only this run's items of list ``key``, sorted by name: a server
    lists them in the order of its own hash map, which depends on the run's random names."""
    def keep(data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get(key), list):
            data[key] = sorted((item for item in data[key]
                                if str(item.get(name_key, "")).startswith(r.run_names)),
                               key=lambda item: str(item.get(name_key)))
        return data
    return keep


# -- sessions ---------------------------------------------------------------------------------

def sessions(r: Runner) -> None:
    r.step("status", "GET", "/status", as_=None, client=call("server_status"))
    r.login("login", "admin")
    r.step("login with a wrong password", "POST", "/",
           [("action", "login"), ("username", "azkaban"), ("password", "wrong")], as_=None,
           expect="error", exit=3, client=call("login", "azkaban", "wrong"))
    r.step("login with no password", "POST", "/", [("action", "login"), ("username", "azkaban")],
           as_=None, expect="error", exit=3)
    r.step("login with the password in the query string", "POST",
           "/?action=login&username=azkaban&password=azkaban", as_=None, expect="error")
    r.login("login as another user", "other")


# -- projects ---------------------------------------------------------------------------------

def projects(r: Runner) -> None:
    f1, f2, bad, gone = (r.name(x) for x in ("f1", "f2", "bad", "gone"))
    for project in (f1, f2, bad, gone):
        r.step(f"create {project[len(r.run_names):]}", "POST", "/manager",
               [("action", "create"), ("name", project), ("description", "conformance")],
               client=call("create_project", project, "conformance"))
    for project in (f1, f2, bad, gone):  # ids numbered in this order, whatever lists them first
        r.mid("project", r.send("GET", "/manager", [("ajax", "getProjectId"),
                                                   ("project", project)]).json()["projectId"])
    r.step("create a project that exists", "POST", "/manager",
           [("action", "create"), ("name", f1), ("description", "again")], expect="error",
           client=call("create_project", f1, "again"))
    r.step("create with an invalid name", "POST", "/manager",
           [("action", "create"), ("name", "9 bad name"), ("description", "x")], expect="error",
           client=call("create_project", "9 bad name", "x"))
    r.step("create without a description", "POST", "/manager",
           [("action", "create"), ("name", r.name("nodesc"))], expect="error")
    r.step("fetchuserprojects", "GET", "/index", [("ajax", "fetchuserprojects")],
           keep=ours(r, "projects", "projectName"), client=call("projects"))
    r.step("fetchallprojects", "GET", "/index", [("ajax", "fetchallprojects")],
           keep=ours(r, "projects", "projectName"), client=call("projects", all=True))
    r.step("getProjectId", "GET", "/manager", [("ajax", "getProjectId"), ("project", f1)],
           client=call("project_id", f1))
    r.step("getProjectId of a missing project", "GET", "/manager",
           [("ajax", "getProjectId"), ("project", r.name("none"))], expect="error",
           client=call("project_id", r.name("none")))
    uploads(r, f1, f2, bad, gone)


def upload_files(name: str, content: bytes, content_type: str = "application/zip",
                 ) -> dict[str, Any]:
    return {"file": (name, content, content_type)}


def uploads(r: Runner, f1: str, f2: str, bad: str, gone: str) -> None:
    def upload(step: str, project: str, files: dict[str, Any], expect: str = "ok") -> None:
        r.step(step, "POST", "/manager", [("ajax", "upload"), ("project", project)],
               files=files, expect=expect, client=call("upload_project", project, "<zip>"))

    upload("upload Flow 1.0", f1, upload_files("f1.zip", zip_of(FLOW1)))
    upload("upload Flow 2.0", f2, upload_files("f2.zip", zip_of(FLOW2)))
    upload("upload again (version 2)", f2, upload_files("f2.zip", zip_of(FLOW2)))
    upload("upload to a missing project", r.name("none"),
           upload_files("f1.zip", zip_of(FLOW1)), "error")
    upload("upload what is not a zip", bad, upload_files("bad.zip", b"not a zip at all"),
           "error")
    upload("upload a file that is not .zip", bad, upload_files("bad.txt", zip_of(FLOW1)),
           "error")
    upload("upload a project that fails validation", bad,
           upload_files("bad.zip", zip_of(INVALID)), "error")
    upload("upload to be deleted", gone, upload_files("f1.zip", zip_of(FLOW1)))


# -- flows, logs, permissions -----------------------------------------------------------------

def flows_and_permissions(r: Runner) -> None:
    f1, f2 = r.name("f1"), r.name("f2")

    def manager(step: str, ajax: str, project: str, params: list[tuple[str, str]] | None = None,
                *, expect: str = "ok", client: dict[str, Any] | None = None, method: str = "GET",
                as_: str = "admin", headers: dict[str, str] | None = None) -> Any:
        return r.step(step, method, "/manager", [("ajax", ajax), ("project", project),
                                                 *(params or [])],
                      expect=expect, client=client, as_=as_, headers=headers)

    manager("fetchprojectflows", "fetchprojectflows", f1, client=call("flows", f1))
    manager("fetchprojectflows Flow 2.0", "fetchprojectflows", f2, client=call("flows", f2))
    manager("fetchprojectflows of a missing project", "fetchprojectflows", r.name("none"),
            expect="error", client=call("flows", r.name("none")))
    manager("fetchprojectflows without READ", "fetchprojectflows", f2, as_="other",
            expect="error")
    manager("fetchflowgraph", "fetchflowgraph", f1, [("flow", "pair")],
            client=call("flow_graph", f1, "pair"))
    manager("fetchflowgraph embedded flow", "fetchflowgraph", f2, [("flow", "pipe")],
            client=call("flow_graph", f2, "pipe"))
    manager("fetchflowgraph of a missing flow", "fetchflowgraph", f1, [("flow", "nope")],
            expect="error", client=call("flow_graph", f1, "nope"))
    manager("fetchflowjobs", "fetchflowjobs", f1, [("flow", "mixed")],
            client=call("flow_jobs", f1, "mixed"))
    manager("fetchflowdetails", "fetchflowdetails", f2, [("flow", "pipe")],
            client=call("flow_details", f2, "pipe"))
    manager("fetchJobInfo", "fetchJobInfo", f1, [("flowName", "pair"), ("jobName", "a")],
            client=call("job_info", f1, "pair", "a"))
    manager("fetchJobInfo of a missing job", "fetchJobInfo", f1,
            [("flowName", "pair"), ("jobName", "zz")], expect="error",
            client=call("job_info", f1, "pair", "zz"))
    manager("setJobOverrideProperty", "setJobOverrideProperty", f1,
            [("flowName", "pair"), ("jobName", "a"), ("jobOverride[type]", "command"),
             ("jobOverride[command]", "echo a2")], method="POST",
            client=call("set_job_override", f1, "pair", "a",
                        {"type": "command", "command": "echo a2"}))
    manager("fetchJobInfo after an override", "fetchJobInfo", f1,
            [("flowName", "pair"), ("jobName", "a")])
    manager("unknown ajax name", "fetchNothing", f1, expect="error")
    manager("changeDescription", "changeDescription", f1, [("description", "changed")],
            method="POST", client=call("change_description", f1, "changed"))
    manager("getPermissions", "getPermissions", f1, client=call("permissions", f1))
    manager("getGroupPermissions", "getGroupPermissions", f1,
            client=call("group_permissions", f1))
    manager("getProxyUsers", "getProxyUsers", f1, client=call("proxy_users", f1))
    perms = [(f"permissions[{p}]", "true" if p == "read" else "false")
             for p in ("admin", "read", "write", "execute", "schedule")]
    manager("addPermission", "addPermission", f1, [("name", "metrics"), ("group", "false"),
                                                   *perms], method="POST",
            client=call("add_permission", f1, "metrics", ["read"]))
    manager("addPermission that exists", "addPermission", f1,
            [("name", "metrics"), ("group", "false"), *perms], method="POST", expect="error",
            client=call("add_permission", f1, "metrics", ["read"]))
    cookie = {"Cookie": f"azkaban.browser.session.id={r.sessions['admin']}"}
    r.step("addPermission with the session cookie (CSRF)", "POST", "/manager",
           [("ajax", "addPermission"), ("project", f1), ("name", "metrics"), ("group", "false"),
            *perms], as_=None, headers=cookie, expect="error")
    both = [(k, "true" if k.endswith(("[read]", "[execute]")) else "false") for k, _ in perms]
    manager("changePermission", "changePermission", f1,
            [("name", "metrics"), ("group", "false"), *both], method="POST",
            client=call("change_permission", f1, "metrics", ["read", "execute"]))
    manager("getPermissions after changes", "getPermissions", f1)
    manager("addProxyUser", "addProxyUser", f1, [("name", "hadoop")], method="POST",
            expect="error", client=call("add_proxy_user", f1, "hadoop"))
    manager("removeProxyUser", "removeProxyUser", f1, [("name", "hadoop")], method="POST",
            client=call("remove_proxy_user", f1, "hadoop"))
    manager("isFlowLocked", "isFlowLocked", f1, [("flowName", "hello")],
            client=call("flow_locked", f1, "hello"))
    manager("fetchProjectLogs", "fetchProjectLogs", f1, [("size", "5"), ("skip", "0")],
            client=call("project_logs", f1))
    r.step("download", "GET", "/manager", [("project", f1), ("download", "true")],
           client=call("download_project", f1, "<dir>"))
    r.step("download a missing version", "GET", "/manager",
           [("project", f1), ("download", "true"), ("version", "9")], expect="error",
           client=call("download_project", f1, "<dir>", 9))
    r.step("download a missing project", "GET", "/manager",
           [("project", r.name("none")), ("download", "true")], expect="error",
           client=call("download_project", r.name("none"), "<dir>"))


# -- executions -------------------------------------------------------------------------------

def execute(r: Runner, step: str, project: str, flow: str, *, expect: str = "ok",
            as_: str = "admin", **options: Any) -> int:
    """executeFlow with the parameters azshell's client sends for ``options``."""
    params = ExecuteOptions(**options).to_params()
    reply = r.step(step, "POST", "/executor", [("ajax", "executeFlow"), ("project", project),
                                               ("flow", flow), *params],
                   expect=expect, as_=as_, client=call("execute", project, flow, **options))
    try:
        return int(reply.json().get("execid", -1))
    except ValueError:
        return -1


def executor(r: Runner, step: str, ajax: str, execid: int | str,
             params: list[tuple[str, str]] | None = None, *, method: str = "GET",
             expect: str = "ok", client: dict[str, Any] | None = None,
             log: bool = False) -> Any:
    return r.step(step, method, "/executor", [("ajax", ajax), ("execid", str(execid)),
                                              *(params or [])],
                  expect=expect, client=client, log=log)


def executions(r: Runner) -> None:
    f1, f2 = r.name("f1"), r.name("f2")
    hello = execute(r, "executeFlow", f1, "hello")
    flow = r.wait_for(hello, FINAL)
    masked = r.mid("exec", hello)
    executor(r, "fetchexecflow", "fetchexecflow", hello, client=call("execution", masked))
    executor(r, "fetchexecflowupdate from -1", "fetchexecflowupdate", hello,
             [("lastUpdateTime", "-1")], client=call("execution_update", masked, -1))
    executor(r, "fetchexecflowupdate with nothing new", "fetchexecflowupdate", hello,
             [("lastUpdateTime", str(flow["updateTime"]))])
    executor(r, "fetchExecFlowLogs", "fetchExecFlowLogs", hello,
             [("offset", "0"), ("length", "50000")], log=True,
             client=call("flow_log", r.mid("exec", hello)))
    logs(r, hello)
    executor(r, "flowInfo of an execution", "flowInfo", hello,
             client=call("execution_options", r.mid("exec", hello)))
    executor(r, "fetchexecflow of a missing execution", "fetchexecflow", NO_SUCH_EXEC,
             expect="error", client=call("execution", r.mid("exec", NO_SUCH_EXEC)))
    executor(r, "unknown ajax name with an execid", "fetchNothing", hello)
    r.step("fetchFlowExecutions", "GET", "/manager",
           [("ajax", "fetchFlowExecutions"), ("project", f1), ("flow", "hello"),
            ("start", "0"), ("length", "10")], client=call("flow_executions", f1, "hello"))
    r.step("fetchLastSuccessfulFlowExecution", "GET", "/manager",
           [("ajax", "fetchLastSuccessfulFlowExecution"), ("project", f1), ("flow", "hello")],
           client=call("last_successful_execution", f1, "hello"))
    r.step("fetchLastSuccessfulFlowExecution never run", "GET", "/manager",
           [("ajax", "fetchLastSuccessfulFlowExecution"), ("project", f1), ("flow", "pair")],
           client=call("last_successful_execution", f1, "pair"))
    r.step("flowInfo of a flow", "GET", "/executor",
           [("ajax", "flowInfo"), ("project", f1), ("flow", "hello")],
           client=call("flow_info", f1, "hello"))
    with_options(r, f1, f2)
    controls(r, f1)
    locks(r, f1)
    execute(r, "executeFlow of a missing flow", f1, "nope", expect="error")
    execute(r, "executeFlow of a missing project", r.name("none"), "hello", expect="error")
    execute(r, "executeFlow without EXECUTE", f2, "pipe", expect="error", as_="other")
    r.step("getRunning with nothing running", "GET", "/executor",
           [("ajax", "getRunning"), ("project", f1), ("flow", "hello")],
           client=call("running", f1, "hello"))
    r.step("getRunning of a missing project", "GET", "/executor",
           [("ajax", "getRunning"), ("project", r.name("none")), ("flow", "hello")],
           expect="error", client=call("running", r.name("none"), "hello"))


def logs(r: Runner, execid: int) -> None:
    """A job log whole, then two pages cut inside the two-byte 'é' (byte positions are made
    relative to it, so that servers whose log lines start differently compare)."""
    reply = executor(r, "fetchExecJobLogs", "fetchExecJobLogs", execid,
                     [("jobId", "hello"), ("offset", "0"), ("length", "50000")], log=True,
                     client=call("job_log", r.mid("exec", execid), "hello"))
    text = html.unescape(str(reply.json().get("data", "")))
    at = text.encode("utf-8").find("é".encode())
    for step, offset, length in (("a page ending inside a character", at - 3, 4),
                                 ("a page starting inside a character", at + 1, 5)):
        before = len(r.entries)
        executor(r, f"fetchExecJobLogs {step}", "fetchExecJobLogs", execid,
                 [("jobId", "hello"), ("offset", str(offset)), ("length", str(length))])
        _rebase(r.entries[before], at)
    executor(r, "fetchExecJobLogs past the end", "fetchExecJobLogs", execid,
             [("jobId", "hello"), ("offset", "1000000"), ("length", "100")])
    executor(r, "fetchExecJobLogs of a missing job", "fetchExecJobLogs", execid,
             [("jobId", "zz"), ("offset", "0"), ("length", "100")], expect="error",
             client=call("job_log", r.mid("exec", execid), "zz"))


REBASED_AT = 1000  # where the 'é' is said to start in a rebased log page


def _rebase(entry: dict[str, Any], at: int) -> None:
    for pair in entry["request"]["params"]:
        if pair[0] == "offset":
            pair[1] = str(int(pair[1]) - at + REBASED_AT)
    body = entry["body"].get("json")
    if isinstance(body, dict) and isinstance(body.get("offset"), int):
        body["offset"] = body["offset"] - at + REBASED_AT


def with_options(r: Runner, f1: str, f2: str) -> None:
    pair = execute(r, "executeFlow with options", f1, "pair", disabled=["a"],
                   params={"greeting": "hi"}, on_failure="possible", concurrent="ignore",
                   notify_failure=["ops@example.com"])
    r.wait_for(pair, FINAL)
    executor(r, "fetchexecflow with a disabled job", "fetchexecflow", pair)
    executor(r, "flowInfo with options", "flowInfo", pair)
    pipe = execute(r, "executeFlow Flow 2.0", f2, "pipe")
    r.wait_for(pipe, FINAL)
    executor(r, "fetchexecflow embedded flow", "fetchexecflow", pipe)


def controls(r: Runner, f1: str) -> None:
    slow = execute(r, "executeFlow slow", f1, "slow")
    r.wait_for(slow, {"RUNNING"}, job="slow")
    masked = r.mid("exec", slow)
    r.step("getRunning", "GET", "/executor",
           [("ajax", "getRunning"), ("project", f1), ("flow", "slow")],
           client=call("running", f1, "slow"))
    execute(r, "executeFlow while it runs (skip)", f1, "slow", expect="error")
    piped = execute(r, "executeFlow pipelined", f1, "slow", concurrent="pipeline:1")
    executor(r, "pauseFlow", "pauseFlow", slow, method="POST", client=call("pause", masked))
    r.wait_for(slow, {"PAUSED"})
    executor(r, "resumeFlow", "resumeFlow", slow, method="POST", client=call("resume", masked))
    r.wait_for(slow, {"RUNNING"})
    executor(r, "cancelFlow", "cancelFlow", slow, method="POST", client=call("cancel", masked))
    r.wait_for(slow, FINAL)
    if piped > 0:
        r.send("POST", "/executor", [("ajax", "cancelFlow"), ("execid", str(piped))])
        r.wait_for(piped, FINAL)
    executor(r, "fetchexecflow after cancel", "fetchexecflow", slow)
    executor(r, "cancelFlow of a finished execution", "cancelFlow", slow, method="POST",
             expect="error", client=call("cancel", masked))
    executor(r, "pauseFlow of a finished execution", "pauseFlow", slow, method="POST",
             expect="error", client=call("pause", masked))
    executor(r, "resumeFlow of a finished execution", "resumeFlow", slow, method="POST",
             expect="error", client=call("resume", masked))
    executor(r, "retryFailedJobs of a killed execution", "retryFailedJobs", slow,
             method="POST", expect="error", client=call("retry_failed", masked))
    mixed = execute(r, "executeFlow finishPossible", f1, "mixed", on_failure="possible")
    r.wait_for(mixed, {"FAILED_FINISHING"})
    executor(r, "retryFailedJobs", "retryFailedJobs", mixed, method="POST",
             client=call("retry_failed", r.mid("exec", mixed)))
    r.wait_for(mixed, FINAL)
    executor(r, "retryFailedJobs of a failed execution", "retryFailedJobs", mixed,
             method="POST", expect="error", client=call("retry_failed", r.mid("exec", mixed)))


def locks(r: Runner, f1: str) -> None:
    lock = [("ajax", "setFlowLock"), ("project", f1), ("flowName", "hello")]
    r.step("setFlowLock", "POST", "/manager", [*lock, ("isLocked", "true"),
                                              ("flowLockErrorMessage", "frozen")],
           client=call("set_flow_lock", f1, "hello", True, "frozen"))
    execute(r, "executeFlow of a locked flow", f1, "hello", expect="error")
    r.step("setFlowLock off", "POST", "/manager", [*lock, ("isLocked", "false")],
           client=call("set_flow_lock", f1, "hello", False))


# -- schedules --------------------------------------------------------------------------------

def schedules(r: Runner) -> None:
    f1 = r.name("f1")
    project_id = r.send("GET", "/manager", [("ajax", "getProjectId"),
                                            ("project", f1)]).json()["projectId"]

    def cron(step: str, project: str, flow: str, expr: str, expect: str = "ok") -> Any:
        return r.step(step, "POST", "/schedule",
                      [("ajax", "scheduleCronFlow"), ("projectName", project), ("flow", flow),
                       ("cronExpression", expr)], expect=expect,
                      client=call("schedule_cron", project, flow, expr))

    reply = cron("scheduleCronFlow", f1, "hello", "0 0 3 ? * *")
    schedule_id = str(reply.json().get("scheduleId"))
    cron("scheduleCronFlow again (replaces)", f1, "hello", "0 30 4 ? * *")
    cron("scheduleCronFlow with a bad cron", f1, "hello", "0 0 3 * * *", "error")
    cron("scheduleCronFlow of a missing project", r.name("none"), "hello", "0 0 3 ? * *",
         "error")
    cron("scheduleCronFlow of a missing flow", f1, "nope", "0 0 3 ? * *", "error")
    r.step("fetchSchedule", "GET", "/schedule",
           [("ajax", "fetchSchedule"), ("projectId", str(project_id)), ("flowId", "hello")],
           client=call("schedule", f1, "hello"))
    r.step("fetchSchedule of a flow without one", "GET", "/schedule",
           [("ajax", "fetchSchedule"), ("projectId", str(project_id)), ("flowId", "pair")],
           client=call("schedule", f1, "pair"))
    keep = ours(r, "items", "projectname")
    r.step("fetchSchedules", "GET", "/schedule", [("ajax", "fetchSchedules")], keep=keep,
           client=call("schedules"))
    r.step("loadFlow", "GET", "/schedule", [("ajax", "loadFlow")], keep=keep)
    r.step("unknown schedule ajax name", "GET", "/schedule", [("ajax", "fetchNothing")])
    sla = [SlaSetting(rule="SUCCESS", duration_minutes=90)]
    r.step("setSla", "POST", "/schedule",
           [("ajax", "setSla"), *sla_params(int(schedule_id), sla, ["ops@example.com"])],
           client=call("set_sla", r.mid("schedule", schedule_id), "<settings>",
                       ["ops@example.com"]))
    r.step("setSla without settings", "POST", "/schedule",
           [("ajax", "setSla"), ("scheduleId", schedule_id), ("slaEmails", "ops@example.com")],
           expect="error")
    r.step("slaInfo", "GET", "/schedule", [("ajax", "slaInfo"), ("scheduleId", schedule_id)],
           client=call("sla_info", r.mid("schedule", schedule_id)))
    r.step("slaInfo of a missing schedule", "GET", "/schedule",
           [("ajax", "slaInfo"), ("scheduleId", NO_SUCH_EXEC)], expect="error",
           client=call("sla_info", r.mid("schedule", NO_SUCH_EXEC)))
    r.step("flowInfo of a scheduled flow", "GET", "/executor",
           [("ajax", "flowInfo"), ("project", f1), ("flow", "hello")])
    r.step("removeSched", "POST", "/schedule",
           [("action", "removeSched"), ("scheduleId", schedule_id)],
           client=call("unschedule", f1, "hello"))
    r.step("removeSched of a missing schedule", "POST", "/schedule",
           [("action", "removeSched"), ("scheduleId", schedule_id)], expect="error")
    r.step("fetchSchedules after removal", "GET", "/schedule", [("ajax", "fetchSchedules")],
           keep=keep)


# -- flow triggers ----------------------------------------------------------------------------

def triggers(r: Runner) -> None:
    f2 = r.name("f2")
    project_id = r.send("GET", "/manager", [("ajax", "getProjectId"),
                                            ("project", f2)]).json()["projectId"]
    r.step("fetchTrigger of a flow without trigger", "GET", "/flowtrigger",
           [("ajax", "fetchTrigger"), ("projectId", str(project_id)), ("flowId", "pipe")],
           client=call("flow_trigger", f2, "pipe"))
    r.step("fetchRunningTriggers", "GET", "/flowtriggerinstance",
           [("ajax", "fetchRunningTriggers")], keep=ours(r, "items", "projectName"),
           client=call("running_triggers"))
    r.step("fetchTriggerInstances", "GET", "/flowtriggerinstance",
           [("ajax", "fetchTriggerInstances"), ("project", f2), ("flow", "pipe"),
            ("start", "0"), ("length", "10")], client=call("trigger_instances", f2, "pipe"))


# -- sessions that are gone -------------------------------------------------------------------

def expired(r: Runner) -> None:
    f1 = r.name("f1")
    r.sessions["bogus"] = BOGUS_SESSION
    r.step("unknown session: ajax GET", "GET", "/manager",
           [("ajax", "fetchprojectflows"), ("project", f1)], as_="bogus", expect="session",
           exit=3, client=call("flows", f1))
    r.step("unknown session: ajax POST", "POST", "/executor",
           [("ajax", "executeFlow"), ("project", f1), ("flow", "hello")], as_="bogus",
           expect="session", exit=3, client=call("execute", f1, "hello"))
    r.step("unknown session: POST without X-Requested-With", "POST", "/manager",
           [("action", "create"), ("name", r.name("never")), ("description", "x")],
           as_="bogus", headers={"X-Requested-With": ""}, expect="session", exit=3,
           client=call("create_project", r.name("never"), "x"))
    r.step("unknown session: upload", "POST", "/manager",
           [("ajax", "upload"), ("project", f1)], as_="bogus",
           files=upload_files("f1.zip", zip_of(FLOW1)), expect="session", exit=3,
           client=call("upload_project", f1, "<zip>"))
    r.step("unknown session: page", "GET", "/index", [], as_="bogus", expect="session", exit=3)
    r.step("no session: ajax GET", "GET", "/index", [("ajax", "fetchuserprojects")], as_=None,
           expect="session", exit=3)
    session = r.send("POST", "/", [("action", "login"), ("username", "azkaban"),
                                   ("password", "azkaban")], as_=None).json()["session.id"]
    r.sessions["leaving"] = session
    r.step("logout", "GET", "/index", [("logout", "")], as_="leaving", client=call("logout"))
    r.step("the session after logout", "GET", "/index", [("ajax", "fetchuserprojects")],
           as_="leaving", expect="session", exit=3, client=call("projects"))


# -- delete and purge -------------------------------------------------------------------------

def deletion(r: Runner) -> None:
    gone, f2 = r.name("gone"), r.name("f2")
    project_id = r.send("GET", "/manager", [("ajax", "getProjectId"),
                                            ("project", gone)]).json()["projectId"]
    r.step("delete without ADMIN", "GET", "/manager", [("project", f2), ("delete", "true")],
           as_="other", expect="error")
    r.step("delete", "GET", "/manager", [("project", gone), ("delete", "true")],
           client=call("delete_project", gone))
    r.step("getProjectId of a deleted project", "GET", "/manager",
           [("ajax", "getProjectId"), ("project", gone)], expect="error")
    r.step("upload to a deleted project", "POST", "/manager",
           [("ajax", "upload"), ("project", gone)], files=upload_files("f1.zip", zip_of(FLOW1)),
           expect="error", client=call("upload_project", gone, "<zip>"))
    r.step("delete a deleted project", "GET", "/manager",
           [("project", gone), ("delete", "true")], expect="error",
           client=call("delete_project", gone))
    r.step("delete a missing project", "GET", "/manager",
           [("project", r.name("none")), ("delete", "true")], expect="error",
           client=call("delete_project", r.name("none")))
    r.step("purge by name", "GET", "/manager", [("project", gone), ("purge", "true")],
           expect="error", client=call("purge_project", gone))
    r.step("purge an active project", "GET", "/manager",
           [("project", str(r.send("GET", "/manager", [("ajax", "getProjectId"),
                                                       ("project", f2)]).json()["projectId"])),
            ("purge", "true")], expect="error")
    r.step("purge by id", "GET", "/manager", [("project", str(project_id)), ("purge", "true")],
           client=call("purge_project", r.mid("project", project_id)))


def clean_up(r: Runner) -> None:
    """Delete this run's projects (not written down); errors are ignored."""
    for role in ("f1", "f2", "bad"):
        with contextlib.suppress(Exception):  # best effort on a shared server
            r.send("GET", "/manager", [("project", r.name(role)), ("delete", "true")])
