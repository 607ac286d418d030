"""AzkabanClient schedule and SLA calls (/schedule) against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azshell.client import AzkabanClient, ExecuteOptions, SlaSetting
from azshell.errors import ApiError, NotFound, PermissionDenied, UsageError
from azshell.sandbox import Sandbox

JOBS = {"a.job": "type=command\ncommand=echo a\n", "b.job": "type=noop\ndependencies=a\n"}
DAILY = "0 0 9 ? * *"


@pytest.fixture
def project(client: AzkabanClient, project_name: str, make_zip: Callable[..., Path],
            tmp_path: Path) -> str:
    client.create_project(project_name, "client schedule tests")
    client.upload_project(project_name, make_zip(tmp_path, JOBS))
    return project_name


def test_schedule_lifecycle(client: AzkabanClient, project: str) -> None:
    assert client.schedule(project, "b") is None
    schedule_id = client.schedule_cron(project, "b", DAILY,
                                       ExecuteOptions(params={"day": "x"}, concurrent="ignore"))
    assert schedule_id > 0
    found = client.schedule(project, "b")
    assert found is not None
    assert found["scheduleId"] == schedule_id  # an int, although the server sends a string
    assert found["cronExpression"] == DAILY
    assert found["executionOptions"]["concurrentOption"] == "ignore"
    listed = {item["scheduleId"]: item for item in client.schedules()}
    assert listed[schedule_id]["flowname"] == "b"
    assert listed[schedule_id]["projectname"] == project
    assert "scheduled" in client.flow_info(project, "b")

    # scheduling again replaces the schedule and keeps its id (§7.0)
    assert client.schedule_cron(project, "b", "0 30 10 ? * MON-FRI") == schedule_id

    client.unschedule(project, "b")
    assert client.schedule(project, "b") is None
    assert schedule_id not in {item["scheduleId"] for item in client.schedules()}
    with pytest.raises(NotFound, match=r"has no schedule"):
        client.unschedule(project, "b")


@pytest.mark.parametrize("cron", ["not a cron", "0 0 25 * * ?", "* * * * *"])
def test_bad_cron(client: AzkabanClient, project: str, cron: str) -> None:
    with pytest.raises(ApiError, match=r"can not be parsed to quartz cron"):
        client.schedule_cron(project, "b", cron)


def test_schedule_errors(client: AzkabanClient, project: str, sandbox: Sandbox) -> None:
    with pytest.raises(UsageError, match=r"cron expression is needed"):
        client.schedule_cron(project, "b", "  ")
    with pytest.raises(NotFound, match=r"cannot be found"):
        client.schedule_cron(project, "nope", DAILY)
    with pytest.raises(NotFound, match=r"does not exist"):
        client.schedule_cron("no_such_project", "b", DAILY)
    with pytest.raises(NotFound):
        client.schedule("no_such_project", "b")
    reader = AzkabanClient(sandbox.url)
    reader.login("reader", "reader")
    with pytest.raises(PermissionDenied, match=r"Permission denied"):
        reader.schedule_cron(project, "b", DAILY)


def test_refused_options_still_store_the_schedule_and_the_error_says_so(
        client: AzkabanClient, project: str) -> None:
    # §7.1: bad execution options only add an "error" to a success; the schedule is stored
    with pytest.raises(ApiError) as refused:
        client.schedule_cron(project, "b", DAILY,
                             ExecuteOptions(params={"flow.max.retries": "9"}))
    found = client.schedule(project, "b")
    assert found is not None
    message = str(refused.value)
    assert message.startswith(f"flow {project}.b was scheduled (schedule {found['scheduleId']}) "
                              "although the server refused its execution options: ")
    assert message.endswith("schedule it again with valid options to replace it")
    assert found["executionOptions"] is None  # options that do not parse are not stored
    assert client.schedule_cron(project, "b", DAILY) == found["scheduleId"]


def test_sla(client: AzkabanClient, project: str) -> None:
    schedule_id = client.schedule_cron(project, "b", DAILY)
    try:
        client.set_sla(schedule_id, [SlaSetting("success", 90),
                                     SlaSetting("finish", 5, job="a", email=False, kill=True)],
                       ["sla@example.org"])
        info = client.sla_info(schedule_id)
        rules = {s["id"]: s for s in info["settings"]}
        assert rules[""]["rule"] == "SUCCEED"  # in: SUCCESS, out: SUCCEED (§7.6)
        assert rules[""]["duration"] == "90m"
        assert rules["a"]["actions"] == ["KILL"]
        assert info["slaEmails"] == ["sla@example.org"]
        assert set(info["allJobNames"]) >= {"a", "b"}
        with pytest.raises(ApiError, match=r"must have at least one action"):
            client.set_sla(schedule_id, [], [])
    finally:
        client.unschedule(project, "b")
    with pytest.raises(NotFound, match=rf"Schedule {schedule_id} doesn't exist"):
        client.sla_info(schedule_id)
    with pytest.raises(UsageError, match=r"bad schedule id"):
        client.sla_info("x")  # type: ignore[arg-type]
