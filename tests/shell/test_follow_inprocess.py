"""run_line in-process for the follow commands: Ctrl-C in a sleep and in a request, a flow stopped
by a dead executor, the live display on a terminal, and what the NameBook learns while waiting."""

from __future__ import annotations

import io
import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import quiet
from fakes import FakeServer, Reply, Seen, answer_stopped, logged_in

from azshell.client import AzkabanClient
from azshell.shell.names.book import NameBook
from azshell.shell.run.context import Context, new_context
from azshell.shell.run.dispatch import run_line
from azshell.shell.session.settings import Settings
from azshell.shell.session.store import MemoryStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class TTY(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def make(client: Any, tty: bool = False) -> tuple[Context, io.StringIO, io.StringIO]:
    out, err = (TTY(), TTY()) if tty else (io.StringIO(), io.StringIO())
    ctx = new_context(Settings(pager=False), interactive=tty, stdout=out, stderr=err)
    ctx.session.use(client)
    ctx.session.use_store(MemoryStore())
    ctx.names = NameBook(None)
    return ctx, out, err


def interrupt_later(when: Any) -> threading.Thread:
    """Send SIGINT to the main thread (as Ctrl-C does) once ``when()`` is true."""

    def run() -> None:
        deadline = time.monotonic() + 10
        while not when() and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def sleeper(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    client.create_project(project_name, "follow test")
    client.upload_project(project_name, make_zip(tmp_path, {
        "nap.job": "type=command\ncommand=sleep 5\n"}))
    return project_name


def test_ctrl_c_in_the_pause_between_polls(client: Any, sleeper: str) -> None:
    ctx, out, err = make(client)
    execid = client.execute(sleeper, "nap")
    polls = []
    original = client.execution_update

    def counting(*args: Any) -> Any:
        answer = original(*args)
        polls.append(time.monotonic())
        return answer

    client.execution_update = counting
    try:
        interrupt_later(lambda: len(polls) >= 2)  # right after a poll: in the pause
        assert run_line(ctx, f"wait {execid}") == 130
        assert out.getvalue() == ""
        assert quiet(err.getvalue()) == (
            f"error: interrupted: execution {execid} goes on (RUNNING); follow it again with "
            f"'wait {execid}' or cancel it with 'cancel {execid}'\n")
        assert client.execution(execid)["status"] == "RUNNING"
        assert ctx.names.executions()[0].status == "RUNNING"
    finally:
        client.cancel(execid)


class Held:
    """An executor that says RUNNING at once and holds every update call until released."""

    def __init__(self) -> None:
        self.update_asked = threading.Event()
        self.release = threading.Event()

    def __call__(self, seen: Seen) -> Reply:
        if seen.params.get("ajax") == "fetchexecflowupdate":
            self.update_asked.set()
            self.release.wait(10)
        return Reply.json({"execid": 9, "project": "demo", "flowId": "main",
                           "status": "RUNNING", "startTime": 1, "endTime": -1,
                           "updateTime": 2, "nodes": []})


@pytest.fixture
def held() -> Iterator[tuple[Held, FakeServer]]:
    script = Held()
    with FakeServer(script) as server:
        yield script, server
        script.release.set()


def test_ctrl_c_in_the_middle_of_a_request(held: tuple[Held, FakeServer]) -> None:
    script, server = held
    client = AzkabanClient(server.url)
    client.login("azkaban", "azkaban")
    ctx, out, err = make(client)
    interrupt_later(script.update_asked.is_set)
    started = time.monotonic()
    assert run_line(ctx, "wait 9 --timeout 30") == 130
    assert time.monotonic() - started < 5  # it did not wait for the held answer
    assert quiet(err.getvalue()) == (
        "error: interrupted: execution 9 goes on (RUNNING); follow it again with 'wait 9' or "
        "cancel it with 'cancel 9'\n")
    assert out.getvalue() == ""


def test_a_server_lost_while_waiting_names_the_execution_that_goes_on(
        held: tuple[Held, FakeServer]) -> None:
    _, server = held
    client = AzkabanClient(server.url, timeout=(1.0, 1.0))
    client.login("azkaban", "azkaban")
    ctx, _, err = make(client)
    assert run_line(ctx, "wait 9") == 3  # the exit code of a server that does not answer
    line = quiet(err.getvalue())
    assert line.startswith("error: no answer from ")
    assert line.endswith("; execution 9 goes on unfollowed: 'wait 9' follows it again\n")
    assert line.count("\n") == 1


def test_wait_on_a_stopped_flow_fails_with_one_line() -> None:
    """A flow that ends EXECUTION_STOPPED (an executor that died, §9) fails ``wait``."""
    with FakeServer(answer_stopped) as server:
        ctx, out, err = make(logged_in(server.url))
        code = run_line(ctx, "wait 7 --timeout 5")  # bounded: a miss fails, never hangs
    assert code == 1
    assert quiet(err.getvalue()) == ("error: execution 7 (p/f) ended EXECUTION_STOPPED; "
                                     "failed jobs: j\n")
    assert err.getvalue().splitlines()[:3] == [  # the progress a CI log shows
        "azshell: following execution 7: p/f (2 jobs)",
        "azshell: execution 7 job ok SUCCEEDED after 0.5s",
        "azshell: execution 7 job j EXECUTION_STOPPED after 0.5s"]
    final = json.loads(out.getvalue())  # one document
    assert final["status"] == "EXECUTION_STOPPED"


def test_wait_on_a_terminal_shows_the_run_and_learns_its_status(
        client: Any, zip_directory: Any, tmp_path: Path, project_name: str) -> None:
    client.create_project(project_name, "follow test")
    client.upload_project(project_name,
                          zip_directory(EXAMPLES / "flow1-failing", tmp_path / "f.zip"))
    ctx, out, err = make(client, tty=True)
    assert run_line(ctx, f"execute {project_name} end --wait") == 1
    execid = ctx.last_execid
    screen = out.getvalue()
    assert screen.startswith(f"following execution {execid}: {project_name}/end (4 jobs)\n")
    assert "\x1b[31mFAILED\x1b[0m" in screen
    # a small flow: the live lines showed every job's end, so no table lists them again
    assert "\x1b[1mJOB" not in screen
    assert screen.count("\x1b[31mFAILED\x1b[0m 0.") == 1  # boom's line, once
    assert screen.endswith("failed, 2 cancelled\n")
    assert '"nodes"' not in screen
    assert err.getvalue() == (
        f"next: 'log {execid} boom' shows why; 'rerun {execid}' runs the jobs that did not "
        f"succeed\nerror: execution {execid} ({project_name}/end) ended FAILED; "
        "failed jobs: boom\n")
    (known,) = [e for e in ctx.names.executions() if e.execid == execid]
    assert (known.project, known.flow, known.status) == (project_name, "end", "FAILED")
    assert known.when_ms > 0

    ctx.settings.output = "json"  # asked for JSON on a terminal: JSON, no table
    out.truncate(0)
    out.seek(0)
    assert run_line(ctx, f"wait {execid}") == 1
    assert '"nodes"' in out.getvalue()
    assert "DURATION" not in out.getvalue()


def test_timeout_without_wait_is_a_usage_error_and_starts_nothing(client: Any,
                                                                  sleeper: str) -> None:
    ctx, out, err = make(client)
    assert run_line(ctx, f"execute {sleeper} nap --timeout 5") == 2
    assert err.getvalue() == "error: execute: --timeout goes with --wait\n"
    assert client.running(sleeper, "nap") == []
    assert run_line(ctx, "rerun 1 --timeout 5") == 2
    assert out.getvalue() == ""


def test_rerun_and_log_follow_teach_the_book(client: Any, zip_directory: Any, tmp_path: Path,
                                             project_name: str) -> None:
    client.create_project(project_name, "follow test")
    client.upload_project(project_name,
                          zip_directory(EXAMPLES / "flow1-failing", tmp_path / "f.zip"))
    ctx, _, err = make(client)
    failed = client.execute(project_name, "end")
    assert run_line(ctx, f"rerun {failed}") == 1  # not before it ended
    assert "is still" in err.getvalue()
    assert run_line(ctx, f"wait {failed}") == 1
    err.truncate(0)
    err.seek(0)
    assert run_line(ctx, f"rerun {failed} --wait") == 1  # boom still fails
    rerun = ctx.last_execid
    assert rerun is not None
    assert rerun != failed
    assert err.getvalue().splitlines()[0] == (
        f"rerun of {failed} as {rerun}: disabled (already done): fine")
    known = {e.execid: e for e in ctx.names.executions()}
    assert (known[rerun].project, known[rerun].flow, known[rerun].status) == (
        project_name, "end", "FAILED")
    assert run_line(ctx, f"log {failed} boom --follow") == 0
    ctx.names.add_execution(failed, status="RUNNING")  # as if seen running before
    assert run_line(ctx, f"log {failed} --follow") == 0
    assert {e.execid: e for e in ctx.names.executions()}[failed].status == "FAILED"


def test_ctrl_c_stops_following_a_log_and_not_the_flow(client: Any, sleeper: str) -> None:
    ctx, out, err = make(client)
    execid = client.execute(sleeper, "nap")
    try:
        interrupt_later(lambda: "Spawned process" in out.getvalue())
        assert run_line(ctx, f"log {execid} nap --follow") == 130
        assert "Command: sleep 5" in out.getvalue()
        assert out.getvalue().endswith("\n")
        assert err.getvalue() == (
            f"error: interrupted: stopped following the log of job nap of execution {execid}; "
            f"the execution goes on (follow it again with 'log {execid} nap --follow')\n")
        assert client.execution(execid)["status"] == "RUNNING"
    finally:
        client.cancel(execid)
