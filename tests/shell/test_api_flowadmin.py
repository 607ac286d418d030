"""flow, job, job-set, lock, unlock, proxy and purge against the sandbox: in-process (one JSON
document in a script, a readable block on a terminal, one error line) and the installed azshell
in scripts (documents on stdout, exit codes 0, 1 and 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Az, Shell, documents, make_shell
from fakes import FakeServer, Reply, Seen, logged_in

from azshell.client import AzkabanClient
from azshell.client.execution_model import Execution
from azshell.shell.handlers.follow import failure_message

JOBS = {
    "a.job": "type=command\ncommand=echo a\nretries=1\n",
    "b.job": "type=noop\ndependencies=a\n",
    "c.job": "type=command\ncommand=echo c ${who}\ndependencies=a\nwho=me\n",
    "d.job": "type=noop\ndependencies=b,c\nfailure.emails=ops@example.com\n"
             "success.emails=dev@example.com\n",
}


@pytest.fixture
def project(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """Flow ``d``: a -> (b, c) -> d."""
    client.create_project(project_name, "flow admin test")
    client.upload_project(project_name, make_zip(tmp_path, JOBS))
    return project_name


@pytest.fixture
def sh(client: Any, project: str) -> Shell:
    return make_shell(client)


@pytest.fixture
def tty(client: Any, project: str) -> Shell:
    return make_shell(client, tty=True)


@pytest.fixture
def reader(sandbox: Any, project: str) -> Shell:
    api = AzkabanClient(sandbox.url)
    api.login("reader", "reader")
    return make_shell(api)


def ajax_names(sh: Shell) -> list[str | None]:
    return [dict(e.params).get("ajax") for e in sh.seen]


@pytest.fixture
def pipeline(client: Any, sh: Shell, project_name: str) -> str:
    """examples/flow2-pipeline: prepare -> process (embedded: step_a -> step_b) -> publish."""
    name = f"{project_name}p"
    code, _, err = sh(f"upload {name} {EXAMPLES / 'flow2-pipeline'} --create")
    assert code == 0, err
    return name


NESTED = {  # Flow 2.0, two levels deep: nest -> outer -> inner -> leaf
    "n.project": "azkaban-flow-version: 2.0\n",
    "nest.flow": "nodes:\n"
                 "  - name: outer\n    type: flow\n    nodes:\n"
                 "      - name: inner\n        type: flow\n        nodes:\n"
                 "          - name: leaf\n            type: command\n"
                 "            config:\n              command: echo leaf\n",
}
CALLING = {  # Flow 1.0: flow top runs job call_sub, which is flow inner
    "inner.job": "type=command\ncommand=echo inner sees ${who}\n",
    "call_sub.job": "type=flow\nflow.name=inner\nwho=outer\n",
    "top.job": "type=noop\ndependencies=call_sub\n",
}


@pytest.fixture
def uploaded(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> Any:
    """``uploaded(files)``: a new project with these files; its name."""
    made: list[str] = []

    def upload(files: dict[str, str]) -> str:
        name = f"{project_name}x{len(made)}"
        client.create_project(name, "embedded flows")
        client.upload_project(name, make_zip(tmp_path, files, name=f"{name}.zip"))
        made.append(name)
        return name

    return upload


# -- flow ----------------------------------------------------------------------------------------

def test_flow_in_a_script_is_one_document(sh: Shell, client: Any, project: str) -> None:
    client.schedule_cron(project, "d", "0 0 1 * * ?")
    sh.seen.clear()
    answer = sh.json(f"flow {project} d")
    assert sorted(ajax_names(sh)) == ["fetchflowdetails", "fetchflowjobs", "flowInfo"]
    assert {k: answer[k] for k in ("project", "flow", "locked", "jobCount", "levels")} == {
        "project": project, "flow": "d", "locked": False, "jobCount": 4, "levels": 3}
    assert answer["jobTypes"] == ["command", "noop"]
    assert answer["condition"] is None
    assert answer["successEmails"] == ["dev@example.com"]
    assert answer["failureEmails"] == ["ops@example.com"]
    assert answer["scheduled"] == client.flow_info(project, "d")["scheduled"]
    assert {n["id"]: n["level"] for n in answer["nodes"]} == {"a": 0, "b": 1, "c": 1, "d": 2}
    assert next(n for n in answer["nodes"] if n["id"] == "d")["dependencies"] == ["b", "c"]
    assert sorted(sh.ctx.names.jobs(project, "d")) == ["a", "b", "c", "d"]  # for `job` Tab


def test_flow_on_a_terminal_reads_as_a_block(tty: Shell, client: Any, project: str) -> None:
    code, out, err = tty(f"flow {project} d")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"flow          d (project {project})",
        "locked        no",
        "jobs          4 jobs in 3 levels",
        "  level 0     a",
        "  level 1     b, c",
        "  level 2     d",
        "job types     command, noop",
        "success mail  dev@example.com",
        "failure mail  ops@example.com",
        "next run      not scheduled",
    ]
    client.schedule_cron(project, "d", "0 0 1 * * ?")
    client.set_flow_lock(project, "d", True)
    _, out, _ = tty(f"flow {project} d")
    assert re.search(r"^next run      \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", out, re.M)
    assert "locked        YES: Azkaban refuses to run it" in out


def older_server(seen: Seen) -> Reply:
    """Flow ``d`` (a -> d, locked) of project ``p`` on a server whose fetchflowjobs answer has no
    ``isLocked``."""
    ajax = seen.params.get("ajax")
    if ajax == "fetchflowjobs":
        return Reply.json({"project": "p", "projectId": 1, "flowId": "d", "nodes": [
            {"id": "a", "dependencies": [], "dependents": ["d"], "level": 0},
            {"id": "d", "dependencies": ["a"], "dependents": [], "level": 1}]})
    if ajax == "fetchflowdetails":
        return Reply.json({"project": "p", "projectId": 1, "jobTypes": ["noop"]})
    if ajax == "isFlowLocked":
        return Reply.json({"project": "p", "projectId": 1, "flowId": "d", "isLocked": True})
    return Reply.json({"successEmails": [], "failureEmails": []})  # flowInfo


def test_flow_counts_jobs_as_following_a_run_does(sh: Shell, client: Any, pipeline: str) -> None:
    """An embedded flow is no job: its jobs are (``execute --wait`` says 4 jobs, not 3)."""
    sh.seen.clear()
    answer = sh.json(f"flow {pipeline} pipeline")
    assert (answer["jobCount"], answer["levels"]) == (4, 3)
    assert answer["embeddedFlows"] == {"process": 2}
    assert "fetchflowgraph" in ajax_names(sh)  # only for a flow with an embedded one
    _, out, _ = make_shell(client, tty=True)(f"flow {pipeline} pipeline")
    assert "jobs          4 jobs in 3 levels, counting the 2 in embedded flow process" in out
    assert "  level 1     process (embedded flow)" in out.splitlines()
    code, out, _ = make_shell(client)(f"execute {pipeline} pipeline --wait")
    assert code == 0
    assert Execution(json.loads(out)).counts() == (4, answer["jobCount"])


def test_flow_counts_nested_embedded_flows(sh: Shell, uploaded: Any) -> None:
    name = uploaded(NESTED)
    answer = sh.json(f"flow {name} nest")
    assert (answer["jobCount"], answer["embeddedFlows"]) == (1, {"outer": 1})


def test_flow_asks_is_flow_locked_when_the_job_list_does_not_say() -> None:
    """An older server's fetchflowjobs has no isLocked: the dedicated call answers then."""
    with FakeServer(older_server) as server:
        sh = make_shell(logged_in(server.url))
        assert sh.json("flow p d")["locked"] is True
    assert ajax_names(sh)[-1] == "isFlowLocked"
    (asked,) = [seen for seen in server.seen if seen.params.get("ajax") == "isFlowLocked"]
    assert (asked.params["project"], asked.params["flowName"]) == ("p", "d")


def test_flow_refusals(sh: Shell, project: str) -> None:
    assert sh.fails(f"flow {project} nope") == f"error: Flow nope not found in project {project}"
    assert sh.fails(f"flow {project}x d") == f"error: Project {project}x doesn't exist."
    assert "missing FLOW" in sh.fails(f"flow {project}", code=2)


# -- job -----------------------------------------------------------------------------------------

def test_job_in_a_script(sh: Shell, project: str) -> None:
    answer = sh.json(f"job {project} d c")
    assert answer == {
        "project": project, "flow": "d", "job": "c", "type": "command",
        "command": "echo c ${who}",
        "generalParams": {"type": "command", "command": "echo c ${who}", "dependencies": "a",
                          "who": "me"},
        "overrideParams": {"type": "command", "command": "echo c ${who}", "dependencies": "a",
                           "who": "me"},
        "overridden": [], "removed": []}
    assert ajax_names(sh) == ["fetchJobInfo"]


def test_job_on_a_terminal_marks_the_overrides(tty: Shell, client: Any, project: str) -> None:
    client.set_job_override(project, "d", "c", {"type": "command", "command": "echo hot",
                                                "dependencies": "a", "extra": "1"})
    code, out, err = tty(f"job {project} d c")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"job           c (flow d, project {project})",
        "type          command",
        "command       echo hot",
        "properties:",
        "  command       echo hot   (overridden; the job file says: echo c ${who})",
        "  dependencies  a",
        "  extra         1          (overridden; not in the job file)",  # notes in one column
        "  type          command",
        "  who           -          (removed by the override; the job file says: me)",
    ]
    answer = make_shell(client).json(f"job {project} d c")
    assert (answer["overridden"], answer["removed"]) == (["command", "extra"], ["who"])


def test_job_of_a_noop_job_has_no_command(tty: Shell, project: str) -> None:
    _, out, _ = tty(f"job {project} d b")
    assert "command       -" in out.splitlines()


def test_job_takes_the_path_that_jobs_and_log_use(sh: Shell, client: Any, pipeline: str) -> None:
    """``jobs`` lists process:step_a, completion offers it: ``job`` takes it (the embedded flow
    and the job apart still work)."""
    sh.json(f"jobs {pipeline} pipeline")
    assert "process:step_a" in sh.ctx.names.jobs(pipeline, "pipeline")
    sh.seen.clear()
    answer = sh.json(f"job {pipeline} pipeline process:step_a")
    assert {k: answer[k] for k in ("flow", "job", "embeddedFlow", "command")} == {
        "flow": "pipeline", "job": "process:step_a", "embeddedFlow": "pipeline:process",
        "command": "echo step a of batch ${batch}"}
    assert ajax_names(sh) == ["fetchflowgraph", "fetchJobInfo"]
    (info,) = [dict(e.params) for e in sh.seen if dict(e.params).get("ajax") == "fetchJobInfo"]
    assert (info["flowName"], info["jobName"]) == ("pipeline:process", "step_a")
    apart = sh.json(f"job {pipeline} pipeline:process step_a")
    assert apart["overrideParams"] == answer["overrideParams"]
    assert "embeddedFlow" not in apart
    assert sh.fails(f"job {pipeline} pipeline process:nope") == (
        "error: Job nope not found in flow pipeline:process")
    assert sh.fails(f"job {pipeline} pipeline prepare:x") == (  # no embedded flow: as given
        "error: Job prepare:x not found in flow pipeline")
    _, out, _ = make_shell(client, tty=True)(f"job {pipeline} pipeline process:step_a")
    assert out.splitlines()[0] == (f"job           process:step_a (embedded flow "
                                   f"pipeline:process in flow pipeline, project {pipeline})")


@pytest.mark.parametrize("case", [
    (NESTED, "nest", "outer:inner:leaf", "nest:outer:inner", "leaf"),
    (CALLING, "top", "call_sub:inner", "inner", "inner"),  # Flow 1.0: flow.name's flow
], ids=["flow2-nested", "flow1"])
def test_job_and_job_set_follow_the_path_down(sh: Shell, client: Any, uploaded: Any,
                                              case: tuple[Any, ...]) -> None:
    files, flow, path, embedded, job = case
    name = uploaded(files)
    assert sh.json(f"job {name} {flow} {path}")["embeddedFlow"] == embedded
    answer = sh.json(f"job-set {name} {flow} {path} extra=1")
    assert (answer["job"], answer["embeddedFlow"], answer["changed"]) == (path, embedded, True)
    assert client.job_info(name, embedded, job)["overrideParams"]["extra"] == "1"


def test_job_set_of_a_job_in_an_embedded_flow_runs_with_it(sh: Shell, client: Any,
                                                           pipeline: str) -> None:
    sh.json(f"job-set {pipeline} pipeline process:step_a 'command=echo patched ${{batch}}'")
    assert client.job_info(pipeline, "pipeline:process", "step_a")["overrideParams"] == {
        "type": "command", "command": "echo patched ${batch}"}
    assert sh.json(f"job-set {pipeline} pipeline:process step_a retries=1")["before"] == {
        "type": "command", "command": "echo patched ${batch}"}
    code, out, _ = sh(f"execute {pipeline} pipeline --wait")
    assert code == 0
    log = client.read_job_log(json.loads(out)["execid"], "process:step_a")
    assert "patched 7" in log


def test_job_refusals(sh: Shell, project: str) -> None:
    assert sh.fails(f"job {project} d zz") == "error: Job zz not found in flow d"
    assert sh.fails(f"job {project} nope a") == (
        f"error: Flow nope not found in project {project}")


# -- job-set -------------------------------------------------------------------------------------

def test_job_set_changes_some_properties_and_keeps_the_rest(sh: Shell, client: Any,
                                                            project: str) -> None:
    answer = sh.json(f"job-set {project} d c who=you 'command=echo c fixed' new=")
    assert answer["ok"] is True
    assert answer["changed"] is True
    wanted = {"type": "command", "command": "echo c fixed", "dependencies": "a", "who": "you",
              "new": ""}
    assert answer["overrideParams"] == wanted
    assert answer["before"]["who"] == "me"
    assert client.job_info(project, "d", "c")["overrideParams"] == wanted
    sh.json(f"job-set {project} d c who=them")  # starts from the override, not the file
    assert client.job_info(project, "d", "c")["overrideParams"] == {**wanted, "who": "them"}


def test_job_set_unset_and_reset(sh: Shell, client: Any, project: str) -> None:
    sh.json(f"job-set {project} d a retries=5")
    assert sh.json(f"job-set {project} d a --unset retries")["overrideParams"] == {
        "type": "command", "command": "echo a"}
    answer = sh.json(f"job-set {project} d a --reset command=true")
    assert answer["overrideParams"] == {"type": "command", "command": "true", "retries": "1"}
    sh.json(f"job-set {project} d a --reset")
    info = client.job_info(project, "d", "a")
    assert info["overrideParams"] == info["generalParams"]


def test_job_set_that_changes_nothing_sends_nothing(sh: Shell, project: str) -> None:
    answer = sh.json(f"job-set {project} d c who=me")
    assert answer["changed"] is False
    assert ajax_names(sh) == ["fetchJobInfo"]


@pytest.mark.parametrize(("words", "message"), [
    ("", "job-set: give KEY=VALUE, --unset KEY or --reset"),
    ("--unset type", "job-set: a job needs its type: set another one instead of unsetting it"),
    ("type=", "job-set: a job needs its type: type= would leave it without one"),
    ("'type= ' who=x", "job-set: a job needs its type: type= would leave it without one"),
    ("=x", "KEY=VALUE must look like KEY=VALUE, not '=x'"),
])
def test_job_set_usage_errors_send_nothing(sh: Shell, project: str, words: str,
                                           message: str) -> None:
    line = sh.fails(f"job-set {project} d c {words}", code=2)
    assert message in line
    assert "setJobOverrideProperty" not in ajax_names(sh)


def test_job_set_unset_of_a_property_the_job_lacks_fails_as_a_check(sh: Shell,
                                                                     project: str) -> None:
    """The words are right; the job, as the server has it, lacks the property: exit 1."""
    line = sh.fails(f"job-set {project} d c --unset nothere")
    assert line == "error: job-set: job c has no property 'nothere' to unset"
    assert "setJobOverrideProperty" not in ajax_names(sh)


def test_job_set_keeps_the_type_an_override_lost(sh: Shell, client: Any, project: str) -> None:
    """An override written without a type (a raw call) leaves a Flow 1.0 job unable to run:
    the next job-set sends the job file's type with it."""
    client.set_job_override(project, "d", "a", {"command": "echo raw"})
    assert "type" not in client.job_info(project, "d", "a")["overrideParams"]
    answer = sh.json(f"job-set {project} d a retries=2")
    assert answer["overrideParams"] == {"command": "echo raw", "retries": "2",
                                        "type": "command"}
    assert client.job_info(project, "d", "a")["overrideParams"]["type"] == "command"


def test_job_set_refusals(sh: Shell, reader: Shell, client: Any, project: str) -> None:
    assert reader.fails(f"job-set {project} d c who=x") == (
        "error: Permission denied. Need WRITE access.")
    assert sh.fails(f"job-set {project} d zz a=b") == "error: Job zz not found in flow d"
    assert client.job_info(project, "d", "c")["overrideParams"]["who"] == "me"


# -- lock, unlock --------------------------------------------------------------------------------

def test_lock_and_unlock(sh: Shell, client: Any, project: str) -> None:
    assert sh.json(f"lock {project} d --message 'db upgrade until 6'") == {
        "ok": True, "project": project, "flow": "d", "locked": True,
        "message": "db upgrade until 6"}
    assert client.flow_locked(project, "d") is True
    # real 3.90.0 and 4.0.0 answer executeFlow with their standard words, not the lock's message
    assert sh.fails(f"execute {project} d") == (
        f"error: flow d of project {project} is locked ('unlock {project} d' lifts it)")
    assert sh.json(f"unlock {project} d") == {"ok": True, "project": project, "flow": "d",
                                              "locked": False}
    assert client.flow_locked(project, "d") is False
    assert sh.json(f"lock {project} d")["message"] is None
    assert sh.fails(f"execute {project} d") == (  # the server's default says it already
        f"error: flow d of project {project} is locked ('unlock {project} d' lifts it)")


def test_rerun_of_a_locked_flow_says_it_is_locked(sh: Shell, client: Any,
                                                 uploaded: Any) -> None:
    name = uploaded({"boom.job": "type=command\ncommand=sh -c 'exit 3'\n"})
    assert sh(f"execute {name} boom --wait")[0] == 1
    client.set_flow_lock(name, "boom", True, "back at 6")
    assert sh.fails("rerun") == (
        f"error: flow boom of project {name} is locked ('unlock {name} boom' lifts it)")


def test_a_refused_execute_of_an_unlocked_flow_claims_no_lock(
        sh: Shell, client: Any, uploaded: Any) -> None:
    """Exec id -1 is also the answer to a flow already running (skip): no lock is claimed, the
    refusal says it is running (test_batch_errors.py has its wording)."""
    name = uploaded({"nap.job": "type=command\ncommand=sleep 5\n"})
    execid = client.execute(name, "nap")
    try:
        line = sh.fails(f"execute {name} nap")
        assert "locked" not in line
        assert line.startswith(f"error: flow nap of project {name} is already running "
                               f"(execution {execid}; ")
    finally:
        client.cancel(execid)


def test_lock_refusals(sh: Shell, reader: Shell, client: Any, project: str) -> None:
    assert reader.fails(f"lock {project} d") == "error: Permission denied. Need ADMIN access."
    assert sh.fails(f"unlock {project} nope") == (
        f"error: Flow nope not found in project {project}")
    assert client.flow_locked(project, "d") is False


# -- proxy ---------------------------------------------------------------------------------------

def test_proxy_add_and_remove(sh: Shell, client: Any, project: str) -> None:
    assert sh.json(f"proxy add {project} metrics") == {
        "ok": True, "project": project, "name": "metrics", "action": "add",
        "proxyUsers": ["azkaban", "metrics"], "before": ["azkaban"]}
    sh.seen.clear()
    assert sh.json(f"proxy add {project} metrics")["proxyUsers"] == ["azkaban", "metrics"]
    assert ajax_names(sh) == ["getProxyUsers", "addProxyUser", "getProxyUsers"]  # still asked
    assert sh.json(f"proxy remove {project} metrics")["proxyUsers"] == ["azkaban"]
    assert client.proxy_users(project) == ["azkaban"]
    (change,) = [e for e in sh.seen if dict(e.params).get("ajax") == "removeProxyUser"]
    assert "cookie" not in {k.lower() for k in change.request_headers}  # CSRF-free (§2.6)


def test_proxy_refusals(sh: Shell, reader: Shell, project: str) -> None:
    assert sh.fails(f"proxy remove {project} metrics") == (
        f"error: metrics is not a proxy user of project {project}")
    assert "removeProxyUser" not in ajax_names(sh)
    assert sh.fails(f"proxy add {project} nobody") == (
        "error: User azkaban has no permission to add nobody as proxy user.")
    assert reader.fails(f"proxy add {project} reader") == (
        "error: Permission denied. Need ADMIN access.")
    reader.seen.clear()  # already a proxy user: still no ok without the server's word
    assert reader.fails(f"proxy add {project} azkaban") == (
        "error: Permission denied. Need ADMIN access.")
    assert "addProxyUser" in ajax_names(reader)
    line = sh.fails(f"proxy {project} add reader", code=2)
    assert f"add|remove must be one of add, remove, not '{project}'" in line


# -- purge ---------------------------------------------------------------------------------------

@pytest.fixture
def deleted(client: Any, project: str) -> int:
    pid = client.project_id(project)
    client.delete_project(project)
    return pid


def test_purge_in_a_script_needs_yes(sh: Shell, deleted: int) -> None:
    sh.seen.clear()
    assert sh.fails(f"purge {deleted}", code=2) == (
        f"error: purge: refusing to purge project {deleted} in a script without --yes")
    assert sh.seen == []
    assert sh.json(f"purge {deleted} --yes") == {"ok": True, "projectId": deleted,
                                                 "purged": True}
    assert [dict(e.params).get("purge") for e in sh.seen] == ["true"]


def test_purge_asks_on_a_terminal(tty: Shell, sandbox: Any, deleted: int) -> None:
    asked: list[str] = []
    answers = iter([False, True])
    tty.ctx.confirm = lambda question: asked.append(question) or next(answers)
    tty.seen.clear()
    code, out, _ = tty(f"purge {deleted}")
    assert code == 0
    assert out == f"project {deleted} not purged\n"  # a no is not an "ok": true
    assert ajax_names(tty) == ["fetchallprojects"]  # is it active? then no purge after a no
    assert sandbox.state.project_by_id(deleted).versions
    assert tty(f"purge {deleted}")[0] == 0
    assert asked == [f"Purge deleted project {deleted}? Its stored versions go for good."] * 2
    assert sandbox.state.project_by_id(deleted).versions == {}


def test_purge_of_an_active_project_is_refused_before_the_question(tty: Shell, client: Any,
                                                                   project: str) -> None:
    pid = client.project_id(project)
    asked: list[str] = []
    tty.ctx.confirm = lambda question: asked.append(question) or True
    code, out, err = tty(f"purge {pid}")
    assert (code, out) == (1, "")
    assert err == f"error: Project {project} should be deleted before purging\n"
    assert asked == []
    assert ajax_names(tty)[-1] == "fetchallprojects"
    assert client.project_id(project) == pid


def test_purge_refusals(sh: Shell, reader: Shell, client: Any, project: str) -> None:
    pid = client.project_id(project)
    assert sh.fails(f"purge {pid} -y") == (
        f"error: Project {project} should be deleted before purging")
    assert "PROJECT_ID must be a positive number, not" in sh.fails(f"purge {project}", code=2)
    client.delete_project(project)
    assert reader.fails(f"purge {pid} --yes") == (
        "error: Cannot purge. User 'reader' is not an ADMIN.")
    assert sh.fails("purge 99999999 --yes").startswith(
        "error: invalid project: no project has the id 99999999")


# -- the installed azshell in scripts ------------------------------------------------------------

@pytest.fixture
def az(tmp_path: Path, sandbox: Any) -> Az:
    return Az(tmp_path / "home", sandbox.url)


def one_error(done: Any, code: int) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_script_of_every_new_command(az: Az, client: Any, project: str) -> None:
    pid = client.project_id(project)
    done = az("-c", f"flow {project} d", "-c", f"job {project} d c",
              "-c", f"job-set {project} d c who=script", "-c", f"lock {project} d -m frozen",
              "-c", f"unlock {project} d", "-c", f"proxy add {project} reader",
              "-c", f"proxy remove {project} reader", "-c", f"delete {project} --yes",
              "-c", f"purge {pid} --yes")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    flow, job, job_set, locked, unlocked, added, removed, _, purged = documents(done.stdout)
    assert (flow["jobCount"], flow["levels"], flow["locked"]) == (4, 3, False)
    assert job["command"] == "echo c ${who}"
    assert job_set["overrideParams"]["who"] == "script"
    assert (locked["locked"], locked["message"], unlocked["locked"]) == (True, "frozen", False)
    assert (added["proxyUsers"], removed["proxyUsers"]) == (["azkaban", "reader"], ["azkaban"])
    assert purged == {"ok": True, "projectId": pid, "purged": True}


def test_script_exit_codes(az: Az, client: Any, project: str, tmp_path: Path,
                           sandbox: Any) -> None:
    pid = client.project_id(project)
    line = one_error(az("-c", f"purge {pid}"), 2)
    assert line == f"-c:1: error: purge: refusing to purge project {pid} in a script without --yes"
    line = one_error(az("-c", f"job-set {project} d c"), 2)
    assert line == "-c:1: error: job-set: give KEY=VALUE, --unset KEY or --reset"
    line = one_error(az("-c", f"job-set {project} d c --unset nothere"), 1)
    assert line == "-c:1: error: job-set: job c has no property 'nothere' to unset"
    done = az("-c", f"flow {project} d", "-c", f"job {project} d zz", "-c", "projects")
    assert one_error(done, 1) == "-c:2: error: Job zz not found in flow d"
    assert len(documents(done.stdout)) == 1  # the script stopped at the failing line
    reader = Az(tmp_path / "reader-home", sandbox.url, user="reader")
    line = one_error(reader("-c", f"lock {project} d"), 1)
    assert line == "-c:1: error: Permission denied. Need ADMIN access."
    assert client.flow_locked(project, "d") is False


# -- the end of a run that was killed ------------------------------------------------------------

def test_killed_jobs_are_not_named_failed() -> None:
    """``execute --wait`` of a run cancelled elsewhere: its jobs were killed, not failed."""
    model = Execution({
        "execid": 9, "project": "demo", "flow": "main", "status": "KILLED",
        "nodes": [{"id": "nap", "status": "KILLED"}, {"id": "boom", "status": "FAILED"},
                  {"id": "sub", "type": "flow", "status": "KILLED",
                   "nodes": [{"id": "deep", "status": "KILLED"}]},
                  {"id": "later", "status": "CANCELLED"}]})
    assert failure_message(model) == ("execution 9 (demo/main) ended KILLED; failed jobs: boom; "
                                      "killed jobs: nap, sub:deep")
    model.document["nodes"] = model.document["nodes"][:1]
    assert failure_message(model) == "execution 9 (demo/main) ended KILLED; killed jobs: nap"
