"""flow, job, job-set, lock, unlock, proxy and purge against the sandbox: in-process (one JSON
document in a script, a readable block on a terminal, one error line) and the installed azshell
in scripts (documents on stdout, exit codes 0, 1 and 2)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from api_support import Az, Shell, documents, make_shell
from fakes import FakeServer, Reply, Seen, logged_in

from azshell.client import AzkabanClient

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
        "  extra         1   (overridden; not in the job file)",
        "  type          command",
        "  who           -   (removed by the override; the job file says: me)",
    ]
    answer = make_shell(client).json(f"job {project} d c")
    assert (answer["overridden"], answer["removed"]) == (["command", "extra"], ["who"])


def test_job_of_a_noop_job_has_no_command(tty: Shell, project: str) -> None:
    _, out, _ = tty(f"job {project} d b")
    assert "command       -" in out.splitlines()


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
    ("--unset nothere", "job-set: job c has no property 'nothere' to unset"),
    ("--unset type", "job-set: a job needs its type: set another one instead of unsetting it"),
    ("=x", "KEY=VALUE must look like KEY=VALUE, not '=x'"),
])
def test_job_set_usage_errors_send_nothing(sh: Shell, project: str, words: str,
                                           message: str) -> None:
    line = sh.fails(f"job-set {project} d c {words}", code=2)
    assert message in line
    assert "setJobOverrideProperty" not in ajax_names(sh)


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
    assert sh.fails(f"execute {project} d") == "error: db upgrade until 6"
    assert sh.json(f"unlock {project} d") == {"ok": True, "project": project, "flow": "d",
                                              "locked": False}
    assert client.flow_locked(project, "d") is False
    assert sh.json(f"lock {project} d")["message"] is None


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
    assert ajax_names(sh) == ["getProxyUsers", "getProxyUsers"]  # already there: no change
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
    assert '"purged": false' in re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert tty.seen == []
    assert sandbox.state.project_by_id(deleted).versions
    assert tty(f"purge {deleted}")[0] == 0
    assert asked == [f"Purge deleted project {deleted}? Its stored versions go for good."] * 2
    assert sandbox.state.project_by_id(deleted).versions == {}


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
    done = az("-c", f"flow {project} d", "-c", f"job {project} d zz", "-c", "projects")
    assert one_error(done, 1) == "-c:2: error: Job zz not found in flow d"
    assert len(documents(done.stdout)) == 1  # the script stopped at the failing line
    reader = Az(tmp_path / "reader-home", sandbox.url, user="reader")
    line = one_error(reader("-c", f"lock {project} d"), 1)
    assert line == "-c:1: error: Permission denied. Need ADMIN access."
    assert client.flow_locked(project, "d") is False
