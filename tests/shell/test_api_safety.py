"""Safety of execute and schedule in-process against the sandbox: job names given to
``--disable`` (and ``sla set --job``) are checked against the flow before anything is sent,
and ``schedule`` says what it replaces (issue 13, "Safety")."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Shell, make_shell


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    """examples/flow1-etl: flows ``audit`` and ``finish`` (extract, transform_a/b, load)."""
    client.create_project(project_name, "safety test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "e.zip"))
    return project_name


@pytest.fixture
def pipeline(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    """examples/flow2-pipeline: flow ``pipeline`` with the embedded flow ``process``."""
    client.create_project(project_name, "safety test")
    client.upload_project(project_name,
                          zip_directory(EXAMPLES / "flow2-pipeline", tmp_path / "p.zip"))
    return project_name


@pytest.fixture
def sh(client: Any) -> Shell:
    return make_shell(client)


def test_a_misspelled_disabled_job_is_refused_with_the_closest_names(
        sh: Shell, client: Any, etl: str) -> None:
    line = sh.fails(f"execute {etl} finish --disable trasform_a")
    assert "no job 'trasform_a'" in line
    assert "did you mean 'transform_a' or 'transform_b'?" in line
    assert "nothing was started" in line
    assert client.flow_executions(etl, "finish")["total"] == 0
    assert [x.params for x in sh.seen if x.path == "/executor"] == []  # executeFlow never sent


def test_a_misspelled_flow_names_the_closest_flow(sh: Shell, etl: str) -> None:
    """Azkaban only says "Flow 'finsh' cannot be found in project etl"."""
    line = sh.fails(f"execute {etl} finsh")
    assert line == (f"error: project {etl} has no flow 'finsh' (did you mean 'finish'?); "
                    "nothing was started")
    assert "its flows: audit, finish" in sh.fails(f"execute {etl} zzz")


def test_a_name_nothing_like_any_job_lists_the_flows_jobs(sh: Shell, etl: str) -> None:
    line = sh.fails(f"execute {etl} finish -d zzz")
    assert "its jobs: extract, finish, load, transform_a, transform_b" in line


def test_right_names_are_sent_and_the_job_is_skipped(sh: Shell, client: Any, etl: str) -> None:
    started = sh.json(f"execute {etl} finish --disable transform_a")
    flow = client.execution(started["execid"])
    statuses = {n["id"]: n["status"] for n in flow["nodes"]}
    assert statuses["transform_a"] == "DISABLED"


def test_jobs_of_an_embedded_flow_are_named_by_their_path(sh: Shell, client: Any,
                                                          pipeline: str) -> None:
    line = sh.fails(f"execute {pipeline} pipeline --disable process:stepa")
    assert "no job 'process:stepa'" in line
    assert "'process:step_a'" in line
    started = sh.json(f"execute {pipeline} pipeline --disable process:step_a")
    assert started["execid"] > 0


def test_schedule_checks_disabled_jobs_before_scheduling(sh: Shell, client: Any,
                                                         etl: str) -> None:
    line = sh.fails(f"schedule {etl} finish @daily --disable trasform_a")
    assert "did you mean 'transform_a'" in line
    assert "nothing was scheduled" in line
    assert client.schedule(etl, "finish") is None


def test_sla_set_names_the_closest_job(sh: Shell, client: Any, etl: str) -> None:
    sh.json(f"schedule {etl} finish @daily")
    line = sh.fails(f"sla set {etl} finish --rule success --job lood --within 1:00 --email "
                    "--emails a@example.com", code=2)
    assert "no job 'lood'" in line
    assert "did you mean 'load'?" in line


def test_a_script_replacing_a_schedule_gets_the_old_one_in_the_json(sh: Shell, client: Any,
                                                                    etl: str) -> None:
    first = sh.json(f"schedule {etl} finish @daily --disable transform_a -p day=1 "
                    "--concurrent ignore")
    assert first["replaced"] is None
    second = sh.json(f"schedule {etl} finish @hourly")
    assert second["replaced"] == {
        "scheduleId": first["scheduleId"], "cron": "0 0 0 * * ?", "submitUser": "azkaban",
        "disabled": ["transform_a"], "params": {"day": "1"}, "concurrent": "ignore",
        "onFailure": "finish"}
    assert client.schedule(etl, "finish")["cronExpression"] == "0 0 * * * ?"


def test_the_interactive_shell_asks_before_replacing(client: Any, etl: str) -> None:
    sh = make_shell(client, tty=True)
    questions: list[str] = []
    answers = iter([False, True])

    def confirm(question: str) -> bool:
        questions.append(question)
        return next(answers)

    sh.ctx.confirm = confirm
    assert sh(f"schedule {etl} finish @daily")[0] == 0
    assert questions == []  # nothing to replace: no question
    code, out, err = sh(f"schedule {etl} finish @hourly --disable load")
    assert code == 0
    assert questions == [f"Replace the schedule of {etl}/finish?"]
    assert f"{etl}/finish is scheduled already: schedule " in err
    assert "cron 0 0 0 * * ? (at 00:00 every day), by azkaban" in err
    assert f"kept the schedule of {etl}/finish (cron 0 0 0 * * ?)" in out
    assert client.schedule(etl, "finish")["cronExpression"] == "0 0 0 * * ?"
    assert sh(f"schedule {etl} finish @hourly --disable load")[0] == 0
    assert client.schedule(etl, "finish")["cronExpression"] == "0 0 * * * ?"
    sh.ctx.confirm = lambda q: False
    _, _, err = sh(f"schedule {etl} finish @daily")  # the note names the second one's options
    assert "cron 0 0 * * * ? (at minute 0 of every hour), by azkaban, --disable load" in err


def test_yes_replaces_without_asking(client: Any, etl: str) -> None:
    sh = make_shell(client, tty=True)
    sh.ctx.confirm = lambda q: pytest.fail(f"asked {q!r}")
    sh(f"schedule {etl} finish @daily")
    code, _, err = sh(f"schedule {etl} finish @hourly --yes")
    assert code == 0
    assert "replacing: " in err
    assert "cron 0 0 0 * * ?" in err
    assert client.schedule(etl, "finish")["cronExpression"] == "0 0 * * * ?"


def test_no_url_carries_the_session_id(sh: Shell, client: Any, etl: str, tmp_path: Path) -> None:
    """Every GET of a busy session sends the session as its cookie, every POST in its body:
    a reverse proxy's access log (which sees URLs) never sees it."""
    for line in (f"flows {etl}", f"jobs {etl} finish", f"flow {etl} finish",
                 f"job {etl} finish load", f"permissions {etl}", f"project-log {etl}",
                 f"execute {etl} finish --disable transform_a --wait --timeout 60", "show",
                 f"executions {etl} finish", f"running {etl} finish", "log",
                 f"schedule {etl} finish @daily", f"schedule {etl} finish @hourly", "schedules",
                 f"unschedule {etl} finish", f"download {etl} {tmp_path / 'd.zip'}",
                 "call GET /index ajax=fetchuserprojects", "projects"):
        code, _, err = sh(line)
        assert code == 0, (line, err)
    gets = [x for x in sh.seen if x.method == "GET" and x.path != "/status"]
    posts = [x for x in sh.seen if x.method == "POST"]
    assert len(gets) > 20
    assert posts
    for exchange in gets:
        assert all(name != "session.id" for name, _ in exchange.params), exchange
        assert exchange.session_cookie, exchange
        assert exchange.request_headers["Cookie"] == "azkaban.browser.session.id=<session>"
    for exchange in posts:
        assert ("session.id", "<session>") in exchange.params, exchange
        assert not exchange.session_cookie
        assert "Cookie" not in exchange.request_headers


def test_what_a_sandbox_holds(fresh_sandbox: Any, make_zip: Any, tmp_path: Path) -> None:
    """What Ctrl-D in a --sandbox shell asks about: its projects and unfinished executions."""
    from azshell.client import AzkabanClient

    assert fresh_sandbox.holdings() == (0, 0)
    api = AzkabanClient(fresh_sandbox.url)
    api.login("azkaban", "azkaban")
    api.create_project("slow", "holdings")
    api.upload_project("slow", make_zip(tmp_path, {"nap.job": "type=command\ncommand=sleep 30\n"}))
    assert fresh_sandbox.holdings() == (1, 0)
    execid = api.execute("slow", "nap")
    assert fresh_sandbox.holdings() == (1, 1)
    api.cancel(execid)
    api.delete_project("slow")
    deadline = time.monotonic() + 10
    while fresh_sandbox.holdings() != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fresh_sandbox.holdings() == (0, 0)


def test_log_of_a_misspelled_job_names_the_closest(sh: Shell, client: Any, etl: str) -> None:
    execid = sh.json(f"execute {etl} finish")["execid"]
    line = sh.fails(f"log {execid} lood")
    assert line == f"error: execution {execid} has no job 'lood' (did you mean 'load'?)"
