"""Schedule and SLA calls: ``/schedule`` (protocol §7)."""

from __future__ import annotations

from typing import Any

from azshell.client import answers
from azshell.client.base import ClientBase
from azshell.client.options import ExecuteOptions, SlaSetting, sla_params
from azshell.errors import ApiError, BadResponse, NotFound, UsageError


def schedule_id_of(value: int | str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise UsageError(f"bad schedule id {value!r}: a number is needed") from None


def _stored_anyway(err: ApiError, project: str, flow: str) -> ApiError:
    """Bad execution options only add an ``error`` to a success (§7.1): the schedule is stored
    (with no options when they did not parse). Say so, or the user would think nothing was
    scheduled."""
    body = err.body if isinstance(err.body, dict) else {}
    try:
        schedule_id = int(body.get("scheduleId", -1))
    except (TypeError, ValueError):
        schedule_id = -1
    if body.get("status") != "success" or schedule_id < 0:
        return err
    return ApiError(f"flow {project}.{flow} was scheduled (schedule {schedule_id}) although the "
                    f"server refused its execution options: {err.message}; schedule it again "
                    "with valid options to replace it", err.status, body)


class ScheduleCalls(ClientBase):
    """Cron schedules (one per flow) and their SLAs."""

    def schedule_cron(self, project: str, flow: str, cron: str,
                      options: ExecuteOptions | None = None) -> int:
        """Schedule a flow with a Quartz cron expression (seconds first), sent as given.

        Returns the schedule id; scheduling a flow again replaces its schedule and keeps the id.
        The ``error`` key is checked before ``status`` (a missing cron says both, §7.1).
        """
        if not cron.strip():
            raise UsageError("a cron expression is needed")
        params = [("ajax", "scheduleCronFlow"), ("projectName", project), ("flow", flow),
                  ("cronExpression", cron.strip())]
        params += (options or ExecuteOptions()).to_params()
        try:
            data = self._post("/schedule", params, what=f"schedule flow {project}.{flow}",
                              check=f"check the schedule of {project}.{flow}", project=project)
        except ApiError as err:
            raise _stored_anyway(err, project, flow) from None
        if not data and self.server_version().has("scheduleCronFlow") is not True:
            raise self._lacking("scheduleCronFlow")  # /schedule's { } to an unknown name
        schedule_id = answers.as_int(answers.require(data, "scheduleId", "scheduleCronFlow"),
                                     "scheduleCronFlow")
        if schedule_id < 0:
            raise ApiError(f"flow {project}.{flow} was not scheduled", body=data)
        return schedule_id

    def schedule(self, project: str, flow: str) -> dict[str, Any] | None:
        """The flow's schedule (``scheduleId`` as an int), or ``None`` if it has none."""
        project_id = self.project_id(project)
        data = self._get("/schedule", "fetchSchedule", f"schedule of {project}.{flow}",
                         [("projectId", str(project_id)), ("flowId", flow)], project=project)
        found = data.get("schedule")
        if not isinstance(found, dict):
            return None
        if "scheduleId" in found:  # a string in this answer only (§7.3)
            found["scheduleId"] = answers.as_int(found["scheduleId"], "fetchSchedule")
        return found

    def schedules(self) -> list[dict[str, Any]]:
        """Every schedule on the server (none: ``{ }`` without ``items``, §7.4).

        ``fetchSchedules`` came in 3.37.0, and an older server answers ``{ }`` to it as to
        any name it does not have, which reads like "no schedules". Unless the server's
        version proves it has the call, ``{ }`` is asked again as ``loadFlow``, the same list
        under its name since 2.5 (whose items say ``scheduleid``).
        """
        data = self._get("/schedule", "fetchSchedules", "schedules", [])
        if "items" not in data and self.server_version().has("fetchSchedules") is not True:
            data = self._get("/schedule", "loadFlow", "schedules", [])
        items = data.get("items") or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise BadResponse("the schedule list in the answer is not a list of schedules")
        for item in items:
            if "scheduleId" not in item and "scheduleid" in item:
                item["scheduleId"] = item.pop("scheduleid")
        return items

    def unschedule(self, project: str, flow: str) -> int:
        """Remove the flow's schedule (NotFound if it has none); returns its id.

        The schedule is found in the list of schedules, which every release has, rather than
        through getProjectId and fetchSchedule.
        """
        found = [item for item in self.schedules()
                 if item.get("projectname") == project and item.get("flowname") == flow]
        if not found or "scheduleId" not in found[0]:
            raise NotFound(f"flow {flow} of project {project} has no schedule")
        schedule_id = answers.as_int(found[0]["scheduleId"], "the schedule list")
        self._post("/schedule", [("action", "removeSched"), ("scheduleId", str(schedule_id))],
                   what=f"unschedule flow {project}.{flow}",
                   check=f"check the schedule of {project}.{flow}", project=project)
        return schedule_id

    def set_sla(self, schedule_id: int, settings: list[SlaSetting], emails: list[str]) -> None:
        """Replace the SLA rules of a schedule; ``emails`` get the SLA alerts."""
        number = schedule_id_of(schedule_id)
        params = [("ajax", "setSla"), *sla_params(number, settings, emails)]
        self._post("/schedule", params, what=f"set the SLA of schedule {number}",
                   check=f"check the SLA of schedule {number}")

    def sla_info(self, schedule_id: int) -> dict[str, Any]:
        """SLA settings (rule ``SUCCEED``/``FINISH``), emails and the flow's job names."""
        number = schedule_id_of(schedule_id)
        return self._get("/schedule", "slaInfo", f"SLA of schedule {number}",
                         [("scheduleId", str(number))])
