"""schedule, schedules, unschedule in-process against the sandbox: how a cron is read, the
execution options a schedule keeps, and every documented error (§7.1-§7.5)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, Shell, make_shell

from azshell.client import AzkabanClient
from azshell.shell.names.book import NameBook


@pytest.fixture
def etl(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> str:
    """A project with examples/flow1-etl: flows ``audit`` (audit, extract) and ``finish``."""
    client.create_project(project_name, "api test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-etl", tmp_path / "e.zip"))
    return project_name


@pytest.fixture
def sh(client: Any) -> Shell:
    return make_shell(client)


@pytest.fixture
def reader(sandbox: Any) -> Shell:
    api = AzkabanClient(sandbox.url)
    api.login("reader", "reader")
    return make_shell(api)


def test_a_unix_cron_is_read_as_quartz_and_the_shell_says_so(client: Any, etl: str) -> None:
    sh = make_shell(client, tty=True)
    code, _, err = sh(f'schedule {etl} audit "30 2 * * 1-5"')
    assert code == 0, err
    assert "read as Quartz '0 30 2 ? * 2-6' (seconds first): at 02:30 on MON-FRI" in err
    runs = re.search(r"next runs \((\S+), this machine's time\): (.*)", err)
    assert runs is not None, err
    times = runs.group(2).split(", ")
    assert len(times) == 3
    assert all(t.endswith(" 02:30:00") for t in times)
    assert client.schedule(etl, "audit")["cronExpression"] == "0 30 2 ? * 2-6"


def test_the_answer_in_a_script(sh: Shell, client: Any, etl: str) -> None:
    answer = sh.json(f"schedule {etl} audit 30 2 * * 1-5")
    assert answer["ok"] is True
    assert answer["cron"] == "0 30 2 ? * 2-6"
    assert answer["input"] == "30 2 * * 1-5"
    assert answer["reading"] == "at 02:30 on MON-FRI"
    assert len(answer["nextRuns"]) == 3
    assert answer["scheduleId"] == client.schedule(etl, "audit")["scheduleId"]
    assert sh.err.getvalue() == ""  # no notes in a script: the JSON says it all


@pytest.mark.parametrize(("typed", "quartz"), [
    ('"0 15 3 ? * MON-FRI"', "0 15 3 ? * MON-FRI"),
    ("0 15 3 ? * MON-FRI", "0 15 3 ? * MON-FRI"),
    ("'*/10 * * * *'", "0 */10 * * * ?"),
    ("0 0 6 L * ? *", "0 0 6 L * ? *"),
    ("@daily", "0 0 0 * * ?"),
])
def test_cron_as_one_word_or_the_rest_of_the_line(sh: Shell, client: Any, etl: str,
                                                  typed: str, quartz: str) -> None:
    assert sh.json(f"schedule {etl} finish {typed}")["cron"] == quartz
    assert client.schedule(etl, "finish")["cronExpression"] == quartz


def test_a_schedule_keeps_the_execution_options(sh: Shell, client: Any, etl: str) -> None:
    sh.json(f"schedule {etl} finish 0 4 * * * --disable transform_b --param env=prod "
            "--concurrent ignore --on-failure cancel --notify-failure ops@example.com")
    options = client.schedule(etl, "finish")["executionOptions"]
    assert options["disabledJobs"] == ["transform_b"]
    assert options["flowParameters"] == {"env": "prod"}
    assert options["concurrentOption"] == "ignore"
    assert options["failureAction"] == "CANCEL_ALL"
    assert options["failureEmails"] == ["ops@example.com"]


def test_scheduling_again_replaces_the_schedule_and_keeps_its_id(sh: Shell, client: Any,
                                                                 etl: str) -> None:
    first = sh.json(f"schedule {etl} audit @hourly")["scheduleId"]
    second = sh.json(f"schedule {etl} audit 0 5 * * *")["scheduleId"]
    assert first == second
    mine = [s for s in client.schedules() if s["projectname"] == etl]
    assert [s["cron"] for s in mine] == ["0 0 5 * * ?"]


@pytest.mark.parametrize(("cron", "reason"), [
    ("99 * * * *", "Minute and Second values must be between 0 and 59"),
    ("0 0 1 1 1 ? 2020", "it never fires again"),
    ("* * *", "3 fields: give 5 (unix cron) or 6-7"),
    ("0 2 1 * 1", "Quartz cannot restrict both the day of month and the day of week"),
    ("0 0 2 * * MON", "Support for specifying both a day-of-week AND a day-of-month"),
    ("0 0 25 * * ?", "Hour values must be between 0 and 23"),
])
def test_an_invalid_cron_is_refused_before_any_request(sh: Shell, client: Any, etl: str,
                                                       cron: str, reason: str) -> None:
    sh.seen.clear()
    line = sh.fails(f"schedule {etl} audit {cron}", code=2)
    assert "invalid cron expression" in line
    assert reason in line
    assert sh.seen == []
    assert client.schedule(etl, "audit") is None


def test_a_bad_execution_option_sends_nothing(sh: Shell, etl: str) -> None:
    sh.seen.clear()
    line = sh.fails(f"schedule {etl} audit @daily --concurrent pipeline:3", code=2)
    assert "pipeline" in line
    assert sh.seen == []


def test_missing_cron_is_a_usage_error(sh: Shell, etl: str) -> None:
    assert "missing CRON" in sh.fails(f"schedule {etl} audit", code=2)


def test_unknown_project(sh: Shell, project_name: str) -> None:
    assert sh.fails(f"schedule {project_name} main @daily") == (
        f"error: Project {project_name} does not exist")


def test_unknown_flow(sh: Shell, etl: str) -> None:
    assert sh.fails(f"schedule {etl} nope @daily") == (
        f"error: Flow nope cannot be found in project {etl}")


def test_a_reader_may_not_schedule(reader: Shell, etl: str, client: Any) -> None:
    assert reader.fails(f"schedule {etl} audit @daily") == (
        "error: Permission denied. Cannot execute audit")
    assert client.schedule(etl, "audit") is None


def test_schedules_lists_them_with_the_next_run(sh: Shell, client: Any, etl: str) -> None:
    sh.json(f"schedule {etl} audit 30 2 * * *")
    mine = [s for s in sh.json("schedules") if s["projectname"] == etl]
    assert len(mine) == 1
    assert mine[0]["flowname"] == "audit"
    assert mine[0]["cron"] == "0 30 2 * * ?"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d 02:30:00", mine[0]["nextRun"])
    tty = make_shell(client, tty=True)
    code, out, _ = tty("schedules")
    assert code == 0
    text = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert re.search(r"ID\s+PROJECT\s+FLOW\s+CRON\s+NEXT RUN \(\S+\)", text)
    row = next(line for line in text.splitlines() if etl in line)
    assert re.search(rf"{mine[0]['scheduleId']}\s+{etl}\s+audit\s+0 30 2 \* \* \?\s+\d{{4}}", row)


def test_no_schedules_at_all(fresh_sandbox: Any) -> None:
    api = AzkabanClient(fresh_sandbox.url)
    api.login("azkaban", "azkaban")
    assert api.call("GET", "/schedule", [("ajax", "fetchSchedules")]).json == {}
    assert make_shell(api).json("schedules") == []
    code, out, _ = make_shell(api, tty=True)("schedules")
    assert code == 0
    assert out.strip().endswith("(none)")


def test_schedules_teach_the_book_projects_and_flows(sh: Shell, etl: str) -> None:
    sh.json(f"schedule {etl} finish @weekly")
    sh.ctx.names = NameBook(None)
    sh.json("schedules")
    assert sh.ctx.names.has_project(etl)
    assert sh.ctx.names.has_flow(etl, "finish")


def test_unschedule_finds_the_schedule_id_itself(sh: Shell, client: Any, etl: str) -> None:
    schedule_id = sh.json(f"schedule {etl} audit @daily")["scheduleId"]
    answer = sh.json(f"unschedule {etl} audit")
    assert answer == {"ok": True, "project": etl, "flow": "audit", "scheduleId": schedule_id,
                      "cron": "0 0 0 * * ?"}
    assert client.schedule(etl, "audit") is None
    assert all(s["scheduleId"] != schedule_id for s in client.schedules())


def test_unschedule_a_flow_without_schedule(sh: Shell, etl: str) -> None:
    assert sh.fails(f"unschedule {etl} audit") == (
        f"error: flow audit of project {etl} has no schedule")


def test_unschedule_an_unknown_flow_or_project(sh: Shell, etl: str, project_name: str) -> None:
    assert sh.fails(f"unschedule {etl} nope") == f"error: Flow nope not found in project {etl}"
    ghost = project_name + "x"
    assert ghost in sh.fails(f"unschedule {ghost} main")


def test_a_reader_may_not_unschedule(sh: Shell, reader: Shell, client: Any, etl: str) -> None:
    schedule_id = sh.json(f"schedule {etl} audit @daily")["scheduleId"]
    assert reader.fails(f"unschedule {etl} audit") == (
        f"error: Permission denied. Cannot remove schedule with id {schedule_id}")
    assert client.schedule(etl, "audit") is not None


def test_next_runs_follow_the_zone_rules_and_name_the_zone(client: Any, etl: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        sh = make_shell(client, tty=True)
        code, _, err = sh(f'schedule {etl} audit "0 0 12 1 1,7 ?"')
        answer = make_shell(client).json(f'schedule {etl} audit "0 0 12 1 1,7 ?"')
    finally:
        monkeypatch.undo()
        time.tzset()
    assert code == 0, err
    # a January and a July run: PST and PDT, both 12:00 on the wall, one zone name for both
    assert "next runs (America/Los_Angeles, this machine's time)" in err
    assert answer["timeZone"] == "America/Los_Angeles"
    assert all(run.endswith(" 12:00:00") for run in answer["nextRuns"])
