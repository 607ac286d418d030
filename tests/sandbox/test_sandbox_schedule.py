"""``/schedule`` (protocol §7): cron and period schedules, listing, removal, SLA."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sandbox_calls import Api

from azshell.sandbox import Sandbox
from azshell.sandbox.schedules import next_fire_ms

JOBS = {
    "first.job": "type=command\ncommand=echo 1\n",
    "main.job": "type=command\ncommand=echo 2\ndependencies=first\n"
                "failure.emails=ops@example.com\n",
}
DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


@pytest.fixture
def project(api: Api, project_name: str, tmp_path: Path, make_zip: Callable[..., Path]) -> str:
    api.create(project_name)
    assert api.upload(project_name, make_zip(tmp_path, JOBS)).status_code == 200
    return project_name


def _cron(api: Api, project: str, cron: str | None = "0 0 9 ? * *", **extra: str) -> dict:
    params = {"projectName": project, "flow": "main", **extra}
    if cron is not None:
        params["cronExpression"] = cron
    return api.schedule("scheduleCronFlow", **params)


def test_quirk_25_schedule_cron_flow(api: Api, project: str) -> None:
    reply = _cron(api, project)
    assert reply == {"status": "success", "scheduleId": reply["scheduleId"],
                     "message": f"{project}.main scheduled."}
    assert isinstance(reply["scheduleId"], int)
    again = _cron(api, project, "0 30 10 ? * MON-FRI")
    assert again["scheduleId"] == reply["scheduleId"]  # one per flow, id kept
    project_id = api.manager("getProjectId", project)["projectId"]
    fetched = api.get("/schedule", ajax="fetchSchedule", projectId=project_id,
                      flowId="main").json()["schedule"]
    assert fetched["scheduleId"] == str(reply["scheduleId"])
    assert fetched["cronExpression"] == "0 30 10 ? * MON-FRI"
    assert fetched["period"] == "null"
    assert fetched["submitUser"] == "azkaban"
    assert DATE.fullmatch(fetched["firstSchedTime"])
    assert DATE.fullmatch(fetched["nextExecTime"])
    assert fetched["nextExecTime"].endswith("10:30:00")
    assert fetched["executionOptions"]["concurrentOption"] == "skip"
    assert fetched["executionOptions"]["failureAction"] == "FINISH_CURRENTLY_RUNNING"
    info = api.executor("flowInfo", project=project, flow="main")
    assert isinstance(info["scheduled"], int)


def test_invalid_cron_has_only_error(api: Api, project: str) -> None:
    for cron in ("not a cron", "0 0 9 * * *", "0 0 0 1 1 ? 2001", "0 0 9 ? * 2-FRI",
                 "0 0 9 ? * MON-5"):
        assert _cron(api, project, cron) == {
            "error": f"This expression <{cron}> can not be parsed to quartz cron."}


def test_what_follows_a_name_is_ignored_as_quartz_does(api: Api, project: str) -> None:
    """``MON-FRI/2`` is MON-FRI and ``JAN/3`` January: the stored schedule fires on those."""
    assert _cron(api, project, "0 0 9 ? * MON-FRI/2")["status"] == "success"
    assert _cron(api, project, "0 0 9 ? JAN/3 *")["status"] == "success"


def test_missing_cron_reports_error_and_success(api: Api, project: str) -> None:
    assert _cron(api, project, None) == {
        "error": "Cron expression must exist.", "status": "success",
        "message": f"{project}.main scheduled.", "scheduleId": -1}


def test_schedule_errors(api: Api, project: str) -> None:
    assert _cron(api, "ghost") == {"status": "error", "message": "Project ghost does not exist"}
    reader = Api(api.url, "reader")
    assert _cron(reader, project) == {"status": "error",
                                      "message": "Permission denied. Cannot execute main"}
    assert api.schedule("scheduleCronFlow", projectName=project, flow="zz",
                        cronExpression="0 0 9 ? * *") == {
        "status": "error", "message": f"Flow zz cannot be found in project {project}"}
    api.manager("setFlowLock", project, flowName="main", isLocked="true")
    try:
        assert _cron(api, project) == {"status": "error",
                                       "message": f"Flow main in project {project} is locked."}
    finally:
        api.manager("setFlowLock", project, flowName="main", isLocked="false")
    options = _cron(api, project, concurrentOption="pipeline")
    assert options["status"] == "success"
    assert options["error"] == "Missing required parameter 'pipelineLevel'."


def test_bad_execution_options_still_schedule(api: Api, project: str) -> None:
    """§7.1: option errors only add ``error``; the schedule is stored all the same, with a real
    id: with no options at all when they did not parse (null; setSla and slaInfo then fail
    with a NullPointerException, HTTP 500), as given when an admin check refused them."""
    reply = _cron(api, project, concurrentOption="pipeline")
    assert reply == {"status": "success", "scheduleId": reply["scheduleId"],
                     "message": f"{project}.main scheduled.",
                     "error": "Missing required parameter 'pipelineLevel'."}
    assert isinstance(reply["scheduleId"], int)
    assert reply["scheduleId"] > 0
    project_id = api.manager("getProjectId", project)["projectId"]
    fetched = api.get("/schedule", ajax="fetchSchedule", projectId=project_id,
                      flowId="main").json()["schedule"]
    assert fetched["scheduleId"] == str(reply["scheduleId"])
    assert fetched["executionOptions"] is None
    sla = "main,SUCCESS,5:00,true,false"
    for params in ({"ajax": "slaInfo"}, {"ajax": "setSla", "settings[0]": sla}):
        broken = api.post("/schedule", scheduleId=reply["scheduleId"], **params)
        assert broken.status_code == 500
        assert "NullPointerException" in broken.text
    items = api.get("/schedule", ajax="fetchSchedules").json()["items"]
    assert reply["scheduleId"] in {item["scheduleId"] for item in items}
    again = _cron(api, project, **{"flowOverride[flowPriority]": "high"})  # parsed, then refused
    assert (again["status"], again["scheduleId"], again["error"]) == (
        "success", reply["scheduleId"], "flowPriority should be an integer")
    fetched = api.get("/schedule", ajax="fetchSchedule", projectId=project_id,
                      flowId="main").json()["schedule"]
    assert fetched["executionOptions"]["flowParameters"] == {"flowPriority": "high"}


def test_a_flow_trigger_owns_its_schedule(api: Api, project_name: str, tmp_path: Path,
                                          make_zip: Callable[..., Path]) -> None:
    """§7.1: a Flow 2.0 flow with a ``trigger`` cannot get a cron schedule."""
    api.create(project_name)
    archive = make_zip(tmp_path, {
        "p.project": "azkaban-flow-version: 2.0\n",
        "timed.flow": "trigger:\n  schedule:\n    type: cron\n    value: 0 0 1 ? * *\n"
                      "nodes:\n  - name: a\n    type: noop\n",
        "plain.flow": "nodes:\n  - name: b\n    type: noop\n"}, name="trig.zip")
    assert api.upload(project_name, archive).status_code == 200
    assert api.schedule("scheduleCronFlow", projectName=project_name, flow="timed",
                        cronExpression="0 0 9 ? * *") == {
        "status": "error", "message": f'<font color="red"> Error: Flow {project_name}.timed is '
                                      "already associated with flow trigger, so schedule has to "
                                      "be defined in flow trigger config </font>"}
    assert api.schedule("scheduleCronFlow", projectName=project_name, flow="plain",
                        cronExpression="0 0 9 ? * *")["status"] == "success"


def test_sla_info_needs_read(api: Api, project: str) -> None:
    """§7.6: without READ, slaInfo says the project does not exist (by id)."""
    schedule_id = _cron(api, project)["scheduleId"]
    project_id = api.manager("getProjectId", project)["projectId"]
    assert Api(api.url, "metrics").schedule("slaInfo", scheduleId=schedule_id) == {
        "error": f"Error loading project. Project {project_id} doesn't exist"}
    assert "allJobNames" in Api(api.url, "reader").schedule("slaInfo", scheduleId=schedule_id)


def test_fetch_schedules_and_remove(fresh_sandbox: Sandbox, tmp_path: Path,
                                    make_zip: Callable[..., Path]) -> None:
    api = Api(fresh_sandbox.url)
    assert api.get("/schedule", ajax="fetchSchedules").text == "{ }"
    api.create("sched")
    api.upload("sched", make_zip(tmp_path, JOBS))
    assert api.get("/schedule", ajax="fetchSchedule", projectId=1, flowId="main").text == "{ }"
    created = _cron(api, "sched")
    items = api.get("/schedule", ajax="loadFlow").json()["items"]
    assert items == [{"scheduleId": created["scheduleId"], "flowname": "main",
                      "projectname": "sched", "time": items[0]["time"],
                      "cron": "0 0 9 ? * *", "period": 0, "history": False}]
    as_get = api.get("/schedule", action="removeSched", scheduleId=created["scheduleId"])
    assert as_get.headers["Content-Type"].startswith("text/html")
    assert api.get("/schedule", ajax="removeSched", scheduleId=1).text == "{ }"
    reader = Api(api.url, "reader")
    denied = reader.post("/schedule", action="removeSched", scheduleId=created["scheduleId"])
    assert denied.json() == {"status": "error", "message":
                             f"Permission denied. Cannot remove schedule with id "
                             f"{created['scheduleId']}"}
    removed = api.post("/schedule", action="removeSched", scheduleId=created["scheduleId"])
    assert removed.json() == {"status": "success", "message": "flow main removed from Schedules."}
    assert "azkaban.success.message" in removed.headers["Set-Cookie"]
    assert api.post("/schedule", action="removeSched", scheduleId=99).json() == {
        "status": "error", "message": "Schedule with ID 99 does not exist"}
    assert api.post("/schedule", action="removeSched").status_code == 500
    assert api.get("/schedule", ajax="fetchSchedules").text == "{ }"
    assert api.post("/schedule", action="other").text == "{ }"


def test_deleting_project_removes_schedules(api: Api, project: str) -> None:
    schedule_id = _cron(api, project)["scheduleId"]
    api.get("/manager", project=project, delete="true")
    listed = api.get("/schedule", ajax="fetchSchedules").json().get("items", [])
    assert schedule_id not in {item["scheduleId"] for item in listed}


def test_upload_without_flow_removes_its_schedule(api: Api, project: str, tmp_path: Path,
                                                  make_zip: Callable[..., Path]) -> None:
    schedule_id = _cron(api, project)["scheduleId"]
    api.upload(project, make_zip(tmp_path, {"other.job": "type=noop\n"}, name="v2.zip"))
    listed = api.get("/schedule", ajax="fetchSchedules").json().get("items", [])
    assert schedule_id not in {item["scheduleId"] for item in listed}


def test_schedule_flow_by_period(api: Api, project: str) -> None:
    project_id = api.manager("getProjectId", project)["projectId"]
    reply = api.schedule("scheduleFlow", projectName=project, flow="main", projectId=project_id,
                         scheduleTime="9,30,pm,UTC", scheduleDate="01/02/2030",
                         is_recurring="on", period="1d")
    assert reply["status"] == "success"
    fetched = api.get("/schedule", ajax="fetchSchedule", projectId=project_id,
                      flowId="main").json()["schedule"]
    assert fetched["period"] == "1 day(s)"
    assert fetched["cronExpression"] is None
    bad = api.schedule("scheduleFlow", projectName=project, flow="main", projectId=project_id,
                       scheduleTime="99,xx", scheduleDate="01/02/2030")
    assert bad == {"error": "Invalid date and/or time '01/02/2030 99,xx"}
    assert api.schedule("scheduleFlow", projectName=project, flow="main", projectId=999999,
                        scheduleTime="9,30,pm,UTC") == {
        "status": "error", "message": f"Project {project} does not exist"}


def test_sla_info_suggests_the_schedules_own_failure_emails(api: Api, project: str) -> None:
    """§7.6: without an SLA, slaInfo suggests the failure emails of the schedule's execution
    options (given with failureEmails), not the flow's failure.emails."""
    schedule_id = _cron(api, project, failureEmails="a@x.org,b@x.org")["scheduleId"]
    assert api.schedule("slaInfo", scheduleId=schedule_id) == {
        "slaEmails": ["a@x.org", "b@x.org"], "allJobNames": ["first", "main"]}


def test_sla(api: Api, project: str) -> None:
    schedule_id = _cron(api, project)["scheduleId"]
    before = api.schedule("slaInfo", scheduleId=schedule_id)
    assert before == {"allJobNames": ["first", "main"]}  # the flow's failure.emails: not used
    assert api.schedule("setSla", scheduleId=schedule_id) == {
        "error": f"SLA for schedule {schedule_id} must have at least one action"}
    no_action = api.schedule("setSla", scheduleId=schedule_id,
                             **{"settings[0]": ",SUCCESS,1:30,false,false"})
    assert no_action["error"] == ("Error parsing SLA setting ',SUCCESS,1:30,false,false': "
                                  "javax.servlet.ServletException: Unable to create SLA as "
                                  "there is no action set")
    bad_time = api.schedule("setSla", scheduleId=schedule_id,
                            **{"settings[0]": ",SUCCESS,soon,true,false"})
    assert bad_time["error"].endswith("Unable to parse duration for a SLA that needs to take "
                                      "actions!")
    ok = api.post("/schedule", ajax="setSla", scheduleId=schedule_id, slaEmails="a@b.c;d@e.f",
                  **{"settings[0]": ",SUCCESS,1:30,true,false",
                     "settings[1]": "first,FINISH,0:10,true,true"})
    assert ok.text == "{ }"
    after = api.schedule("slaInfo", scheduleId=schedule_id)
    assert after["slaEmails"] == ["a@b.c", "d@e.f"]
    assert {"id": "", "duration": "90m", "rule": "SUCCEED", "actions": ["EMAIL"]} in \
        after["settings"]
    assert {"id": "first", "duration": "10m", "rule": "FINISH",
            "actions": ["EMAIL", "KILL"]} in after["settings"]
    assert api.schedule("slaInfo", scheduleId=424242) == {
        "error": "Error loading schedule. Schedule 424242 doesn't exist"}
    reader = Api(api.url, "reader")
    assert reader.schedule("setSla", scheduleId=schedule_id,
                           **{"settings[0]": ",SUCCESS,1:30,true,false"}) == {
        "error": "User reader: [] does not have permission to set SLA for this flow."}


def test_unknown_schedule_ajax_is_empty(api: Api) -> None:
    assert api.get("/schedule", ajax="nosuchcall").text == "{ }"
    assert api.get("/schedule", ajax="fetchSchedule", projectId="x",
                   flowId="main").status_code == 500


@pytest.fixture
def los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoneInfo]:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield ZoneInfo("America/Los_Angeles")
    monkeypatch.undo()
    time.tzset()


def _ms(zone: ZoneInfo, *wall: int, fold: int = 0) -> int:
    return int(datetime(*wall, tzinfo=zone, fold=fold).timestamp() * 1000)  # type: ignore[misc]


def test_next_fire_time_uses_the_zone_rules_not_todays_offset(los_angeles: ZoneInfo) -> None:
    year = datetime.now().year + 1
    for month in (1, 6):  # one of them is in the other daylight-saving period than today
        assert next_fire_ms(f"0 0 12 1 {month} ? {year}") == _ms(los_angeles, year, month, 1, 12)


def _sunday(year: int, month: int, nth: int) -> int:
    first = date(year, month, 1)
    return 1 + (6 - first.weekday()) % 7 + 7 * (nth - 1)


def test_daylight_saving_changes_fire_as_quartz_does(los_angeles: ZoneInfo) -> None:
    year = datetime.now().year + 1
    spring = _sunday(year, 3, 2)  # 02:00-03:00 does not exist that day
    on_spring = f"? 3 1#2 {year}"
    # setCalendarHour moves a missing 02:30 to 03:30, which must then match the hours itself
    assert next_fire_ms(f"0 30 2,3 {on_spring}") == _ms(los_angeles, year, 3, spring, 3, 30)
    assert next_fire_ms(f"0 30 2 {on_spring}") is None
    after = datetime(year, 3, spring, 1, 30, tzinfo=los_angeles)
    assert next_fire_ms(f"0 30 * {on_spring}", after) == _ms(los_angeles, year, 3, spring, 3, 30)
    # a wall time repeated in November resolves to the later (standard time) instant, as in Java
    fall = _sunday(year, 11, 1)
    found = next_fire_ms(f"0 30 1 ? 11 1#1 {year}")
    assert found == _ms(los_angeles, year, 11, fall, 1, 30, fold=1)
    assert found - _ms(los_angeles, year, 11, fall, 1, 30) == 3600_000
