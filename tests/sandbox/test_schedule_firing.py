"""Schedules fire (azshell.sandbox.scheduler), as Azkaban's TriggerManager fires them.

Most tests call ``fire_due(now)`` on a sandbox whose firing thread is off, so the clock never
decides; one lets the thread fire a schedule due every second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sandbox_calls import Api

from azshell.quartz import local_zone
from azshell.sandbox import Sandbox
from azshell.sandbox.schedules import next_fire_ms

JOBS = {
    "first.job": "type=command\ncommand=echo 1\n",
    "main.job": "type=command\ncommand=echo 2\ndependencies=first\n"
                "failure.emails=ops@example.com\n",
    "slow.job": "type=command\ncommand=sleep 30\n",
    "tick.job": "type=command\ncommand=echo tick\n",
}


@pytest.fixture
def held() -> Iterator[Sandbox]:
    """A sandbox whose schedules fire only when the test says (``fire_due``)."""
    with Sandbox(job_timeout=60, fire_schedules=False) as sandbox:
        yield sandbox


def _project(sandbox: Sandbox, tmp_path: Path, make_zip: Callable[..., Path]) -> Api:
    api = Api(sandbox.url)
    api.create("fired")
    assert api.upload("fired", make_zip(tmp_path, JOBS)).status_code == 200
    return api


def _executions(api: Api, flow: str) -> list[dict]:
    return api.manager("fetchFlowExecutions", "fired", flow=flow, start=0,
                       length=20)["executions"]


def test_a_due_cron_schedule_runs_its_flow_and_moves_to_its_next_time(
        held: Sandbox, tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    api = _project(held, tmp_path, make_zip)
    reply = api.schedule("scheduleCronFlow", projectName="fired", flow="main",
                         cronExpression="0 0 9 ? * *", failureEmails="me@example.com",
                         failureEmailsOverride="true", **{"flowOverride[day]": "mon"})
    schedule = held.state.schedules[reply["scheduleId"]]
    due = schedule.next_exec_time
    assert held.schedules.fire_due(due - 1) == []  # not yet
    [execid] = held.schedules.fire_due(due)
    flow = api.wait(execid)
    assert (flow["status"], flow["flowId"], flow["submitUser"]) == ("SUCCEEDED", "main",
                                                                    "azkaban")
    options = held.engine.get(execid).options  # the schedule's (fetchexecflow has none)
    assert dict(options.flow_parameters) == {"day": "mon"}
    assert list(options.failure_emails) == ["me@example.com"]
    after = datetime.fromtimestamp(due / 1000, tz=local_zone())
    assert schedule.next_exec_time == next_fire_ms("0 0 9 ? * *", after)
    assert schedule.next_exec_time - due in (23 * 3600_000, 24 * 3600_000, 25 * 3600_000)
    assert held.schedules.fire_due(due + 1000) == []  # fired once for that time


def test_a_one_off_schedule_fires_once_and_goes(
        held: Sandbox, tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    api = _project(held, tmp_path, make_zip)
    project_id = api.manager("getProjectId", "fired")["projectId"]
    reply = api.schedule("scheduleFlow", projectName="fired", flow="main", projectId=project_id,
                         scheduleTime="9,30,pm,UTC", scheduleDate="01/02/2030")
    due = held.state.schedules[reply["scheduleId"]].next_exec_time
    [execid] = held.schedules.fire_due(due)
    assert api.wait(execid)["status"] == "SUCCEEDED"
    assert reply["scheduleId"] not in held.state.schedules
    assert api.get("/schedule", ajax="fetchSchedules").json().get("items", []) == []


def test_a_schedule_past_its_end_is_removed_unfired(
        held: Sandbox, tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    api = _project(held, tmp_path, make_zip)
    end = int(time.time() * 1000) + 60_000
    reply = api.schedule("scheduleCronFlow", projectName="fired", flow="main",
                         cronExpression="0 0 9 ? * *", endSchedTime=str(end))
    assert held.schedules.fire_due(end) == []
    assert reply["scheduleId"] not in held.state.schedules
    assert _executions(api, "main") == []


def test_skip_leaves_out_a_run_while_the_flow_still_runs(
        held: Sandbox, tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    api = _project(held, tmp_path, make_zip)
    running = api.execute("fired", "slow")["execid"]
    api.wait(running, until={"RUNNING"})
    reply = api.schedule("scheduleCronFlow", projectName="fired", flow="slow",
                         cronExpression="0 0 9 ? * *", concurrentOption="skip")
    schedule = held.state.schedules[reply["scheduleId"]]
    due = schedule.next_exec_time
    assert held.schedules.fire_due(due) == []
    assert schedule.next_exec_time > due  # it moved on all the same
    assert [e["execId"] for e in _executions(api, "slow")] == [running]
    api.executor("cancelFlow", execid=running)


def test_a_locked_flow_is_not_started_by_its_schedule(
        held: Sandbox, tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    api = _project(held, tmp_path, make_zip)
    reply = api.schedule("scheduleCronFlow", projectName="fired", flow="main",
                         cronExpression="0 0 9 ? * *")
    held.state.active_project("fired").locked_flows["main"] = "frozen for the audit"
    due = held.state.schedules[reply["scheduleId"]].next_exec_time
    assert held.schedules.fire_due(due) == []
    assert _executions(api, "main") == []


def test_the_thread_fires_a_schedule_when_its_time_comes(
        tmp_path: Path, make_zip: Callable[..., Path]) -> None:
    with Sandbox(job_timeout=60, schedule_scan=0.1) as sandbox:
        api = _project(sandbox, tmp_path, make_zip)
        reply = api.schedule("scheduleCronFlow", projectName="fired", flow="tick",
                             cronExpression="* * * * * ?", concurrentOption="ignore")
        assert reply["status"] == "success", reply
        deadline = time.monotonic() + 10
        while not _executions(api, "tick") and time.monotonic() < deadline:
            time.sleep(0.1)
        api.schedule("removeSched", scheduleId=reply["scheduleId"])
        started = _executions(api, "tick")
        assert started
        assert started[-1]["submitUser"] == "azkaban"
