"""The views a person reads on a terminal, and what the same commands print in pipes: `show`,
coloured statuses, one-line sentences for simple actions, `log` as text, the progress of a wait
in CI, the pager's options, one style of JSON keys (issue 13, "Views a person reads")."""

from __future__ import annotations

import io
import json
import re
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from api_support import Shell, make_shell
from waiting import FINAL, wait_for

from azshell.client.execution_model import Execution
from azshell.shell.follow.view import PipeView
from azshell.shell.run.output import Output
from azshell.shell.run.render import table

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FLOW = {
    "fine.job": "type=command\ncommand=echo 'WARN: disk 91% full'\n",
    "boom.job": "type=command\ncommand=sh -c 'echo ERROR: no input; exit 3'\n"
                "dependencies=fine\n",
    "end.job": "type=noop\ndependencies=boom\n",
}


@pytest.fixture
def failed(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> tuple[str, int]:
    """A project whose flow ``end`` ran and FAILED (``boom`` failed after ``fine``)."""
    client.create_project(project_name, "views test")
    client.upload_project(project_name, make_zip(tmp_path, FLOW))
    from azshell.client import ExecuteOptions

    execid = client.execute(project_name, "end", ExecuteOptions())
    assert wait_for(client, execid, FINAL)["status"] == "FAILED"
    return project_name, execid


def tty(client: Any) -> Shell:
    return make_shell(client, tty=True)


def test_show_on_a_terminal_is_a_view_in_local_time_and_json_elsewhere(
        client: Any, failed: tuple[str, int]) -> None:
    project, execid = failed
    code, out, err = tty(client)(f"show {execid}")
    assert code == 0, err
    screen = ANSI.sub("", out)
    lines = screen.splitlines()
    assert lines[0].split() == ["execution", str(execid), f"{project}/end", "FAILED"]
    started = client.execution(execid)["startTime"]
    local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started / 1000))
    assert f"started   {local} (" in screen  # local time, then how long ago
    assert re.search(r"^ended     \S+ \S+ \(took [\d.]+s\)$", screen, re.M), screen
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["JOB", "STATUS"])
    assert [line.split()[:2] for line in lines[head + 1:]] == [
        ["boom", "FAILED"], ["fine", "SUCCEEDED"], ["end", "CANCELLED"]]  # failures first
    assert "\x1b[31mFAILED" in out
    assert '"nodes"' not in out  # no JSON
    assert str(started) not in out  # no epoch milliseconds

    piped = make_shell(client)
    assert piped.json(f"show {execid}")["nodes"]  # in a pipe: the server's document
    as_json = tty(client)
    as_json.ctx.settings.output = "json"
    code, out, _ = as_json(f"show {execid}")
    assert json.loads(ANSI.sub("", out))["execid"] == execid  # -o json on a terminal


def test_executions_colour_statuses_and_show_the_start_in_local_time(
        client: Any, failed: tuple[str, int]) -> None:
    project, execid = failed
    code, out, _ = tty(client)(f"executions {project} end")
    assert code == 0
    assert "\x1b[31mFAILED" in out
    row = ANSI.sub("", out).splitlines()[1]
    assert re.search(rf"^{execid}\s+end\s+FAILED\s+azkaban\s+\d{{4}}-\d\d-\d\d "
                     r"\d\d:\d\d:\d\d \(\d+ s ago\)\s+\d+s$", row), row


def test_simple_actions_say_one_sentence_on_a_terminal_and_json_in_pipes(
        client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> None:
    sh = tty(client)
    zipped = make_zip(tmp_path, {"nap.job": "type=command\ncommand=sleep 5\n"})
    code, out, err = sh(f"upload {project_name} {zipped} --create")
    assert (code, out) == (0, f"uploaded version 1 of project {project_name} (created it "
                              "first): 1 flow (nap)\n"), err
    code, out, _ = sh(f"execute {project_name} nap")
    execid = sh.ctx.last_execid
    assert out == (f"started execution {execid} of {project_name}/nap; 'wait {execid}' "
                   "follows it\n")
    try:
        wait_for(client, execid, {"RUNNING"})
        code, out, _ = sh(f"running {project_name} nap")  # statuses, which getRunning lacks
        assert "\x1b[36mRUNNING" in out
        assert re.search(rf"^{execid}\s+RUNNING\s+\d{{4}}-\d\d-\d\d \S+ \(\d+ s ago\)\s+"
                         "azkaban$", ANSI.sub("", out), re.M), out
        assert sh("pause")[1] == (f"paused execution {execid}: running jobs finish, no new job "
                                  f"starts; 'resume {execid}' goes on\n")
        assert sh("resume")[1] == f"resumed execution {execid}; 'wait {execid}' follows it\n"
        assert sh("cancel")[1] == (f"cancelled execution {execid}; 'show {execid}' shows where "
                                   "it stopped\n")
    finally:
        if client.execution(execid)["status"] not in FINAL:
            client.cancel(execid)
    assert sh(f"grant {project_name} reader read execute")[1] == (
        f"user reader now has READ, EXECUTE on project {project_name}\n")
    assert sh(f"grant {project_name} reader write")[1] == (
        f"user reader now has READ, WRITE, EXECUTE on project {project_name} "
        "(had READ, EXECUTE)\n")
    assert sh(f"describe {project_name} Nightly loads")[1] == (
        f"project {project_name} is now described as: Nightly loads\n")
    assert sh(f"proxy add {project_name} metrics")[1] == (
        f"jobs of project {project_name} may now run as metrics (proxy users: "
        f"{', '.join(client.proxy_users(project_name))})\n")
    piped = make_shell(client)  # the same actions in a pipe: their JSON documents
    assert piped.json(f"describe {project_name} again")["description"] == "again"
    assert piped.json(f"grant {project_name} reader read")["permissions"] == [
        "READ", "WRITE", "EXECUTE"]


def test_running_without_a_flow_looks_at_every_flow_of_the_project(
        client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> None:
    zipped = make_zip(tmp_path, {"nap.job": "type=command\ncommand=sleep 5\n",
                                 "quick.job": "type=command\ncommand=true\n"})
    client.create_project(project_name, "running")
    client.upload_project(project_name, zipped)
    piped = make_shell(client)
    assert piped.json(f"running {project_name}") == {
        "project": project_name, "flow": None, "execIds": [], "byFlow": {}}
    assert tty(client)(f"running {project_name}")[1] == (
        f"nothing is running in project {project_name}\n")
    execid = client.execute(project_name, "nap")
    try:
        wait_for(client, execid, {"RUNNING"})
        assert piped.json(f"running {project_name}") == {
            "project": project_name, "flow": None, "execIds": [execid],
            "byFlow": {"nap": [execid]}}
        shown = ANSI.sub("", tty(client)(f"running {project_name}")[1])
        assert shown.startswith(f"running executions of {project_name}:\n")
        assert re.search(rf"^{execid}\s+nap\s+RUNNING\s", shown, re.M), shown
    finally:
        client.cancel(execid)


def test_declining_a_delete_is_no_ok(client: Any, project_name: str) -> None:
    client.create_project(project_name, "kept")
    sh = make_shell(client)
    sh.ctx.interactive = True
    sh.ctx.confirm = lambda question: False
    assert sh.json(f"delete {project_name}") == {
        "project": project_name, "projectId": client.project_id(project_name), "deleted": False}
    on_tty = tty(client)
    on_tty.ctx.confirm = lambda question: False
    assert on_tty(f"delete {project_name}")[1] == f"project {project_name} not deleted\n"


def test_json_keys_are_camel_case_in_whoami_and_logout(client: Any) -> None:
    who = make_shell(client).json("whoami")
    assert set(who) == {"url", "user", "session", "serverVersion", "profile", "lastExecId"}
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", key) for key in who)


def test_whoami_on_a_terminal_is_a_line(client: Any, sandbox: Any) -> None:
    sh = tty(client)
    code, out, err = sh("whoami")
    assert (code, out) == (0, f"azkaban at {sandbox.url} (server azshell-sandbox-"
                              f"{client.server_status()['version'].rsplit('-', 1)[1]}), session "
                              "valid\n"), err
    sh.ctx.last_execid = 7
    assert sh("whoami")[1].endswith(", session valid\nlast execution 7\n")


def test_a_log_names_its_errors_and_warnings_in_colour_on_a_terminal(
        client: Any, failed: tuple[str, int]) -> None:
    _, execid = failed
    code, out, _ = tty(client)(f"log {execid} boom")
    assert code == 0
    error = next(line for line in out.splitlines() if "ERROR: no input" in line)
    assert error.startswith("\x1b[31m")
    assert error.endswith("\x1b[0m")
    code, out, _ = tty(client)(f"log {execid} fine")
    warn = next(line for line in out.splitlines() if "WARN: disk" in line)
    assert warn.startswith("\x1b[33m")
    plain = make_shell(client)
    code, out, _ = plain(f"log {execid} boom")  # a pipe: the text, no colour, no JSON
    assert "\x1b[" not in out
    assert not out.startswith("{")
    assert any(line.endswith("ERROR: no input") for line in out.splitlines())


def test_in_a_pipe_a_wait_says_each_change_and_a_heartbeat_on_stderr() -> None:
    now = [0.0]
    stream = io.StringIO()
    view = PipeView(stream, heartbeat=60, clock=lambda: now[0])
    model = Execution({"execid": 5, "project": "p", "flowId": "f", "status": "RUNNING",
                            "startTime": 1_000, "nodes": [
                                {"id": "a", "status": "RUNNING", "startTime": 1_000},
                                {"id": "b", "status": "READY"}]})
    view.started(model)
    assert stream.getvalue().splitlines() == ["azshell: following execution 5: p/f (2 jobs)",
                                              "azshell: execution 5 job a RUNNING"]
    now[0] = 59.0
    view.changed(model, [], "RUNNING")
    assert len(stream.getvalue().splitlines()) == 2  # nothing new, and not a minute yet
    now[0] = 61.0
    view.changed(model, [], "RUNNING")
    beat = stream.getvalue().splitlines()[-1]
    assert beat.startswith("azshell: execution 5 still RUNNING after ")
    assert beat.endswith(": 0/2 jobs done; running: a")
    ended = io.StringIO()  # a flow that had ended before the first look still says so
    PipeView(ended).started(Execution({"execid": 6, "project": "p", "flowId": "f",
                                            "status": "SUCCEEDED", "nodes": []}))
    assert ended.getvalue().splitlines()[-1] == "azshell: execution 6 SUCCEEDED"


def test_the_pager_leaves_what_it_showed_on_the_screen(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "seen"
    less = tmp_path / "less"
    less.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {seen}\ncat > /dev/null\n')
    less.chmod(less.stat().st_mode | stat.S_IXUSR)
    monkeypatch.delenv("LESS", raising=False)
    monkeypatch.setenv("LINES", "5")
    monkeypatch.setenv("COLUMNS", "80")
    from api_support import TTY

    out = Output(TTY(), io.StringIO(), pager_command=f"{less} -R")
    out.result("\n".join(str(i) for i in range(20)))
    assert seen.read_text() == "LESS=-RX\n"  # -X: no clearing of the screen after q
    out.result("\n".join(str(i) for i in range(20)), page=False)
    assert out.stdout.getvalue().startswith("0\n1\n")


def test_a_table_wraps_its_last_column_under_itself_at_the_terminal_width() -> None:
    message = "uploaded a new version of the project with many flows and a long note"
    text = table(["TIME", "USER", "MESSAGE"], [("10:00", "azkaban", message)], width=40)
    lines = text.splitlines()
    assert all(len(line) <= 40 for line in lines), lines
    indent = lines[0].index("MESSAGE")
    assert lines[1][indent:].startswith("uploaded")
    assert all(line[:indent].strip() == "" for line in lines[2:])
    assert " ".join(line[indent:] for line in lines[1:]) == message
