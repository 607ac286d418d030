"""``/schedule``: cron and period schedules, SLAs (§7). Stored, listed, removed (fired by
azshell.sandbox.scheduler).

Its conventions differ from the other servlets: scheduling and removal answer with
``status``/``message``, an invalid cron with a lone ``error``, unknown calls with ``{ }``, and
``removeSched`` only exists as a POST ``action``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azshell.sandbox import flowview
from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.pages import message_page
from azshell.sandbox.runner.types import ExecutionOptions
from azshell.sandbox.schedules import (
    DEFAULT_END_SCHED_TIME,
    at_time_today,
    is_valid_cron,
    next_fire_ms,
    next_period_ms,
    parse_period,
    parse_sla_setting,
    schedule_item,
    schedule_json,
)
from azshell.sandbox.servlets.base import (
    Servlet,
    ServletError,
    get_bool,
    get_int,
    get_long,
    get_param,
    split_emails,
    write_json,
)
from azshell.sandbox.servlets.flow_options import (
    OptionsError,
    SubmitError,
    filter_admin_params,
    parse_flow_options,
)
from azshell.sandbox.state import Project, Schedule, now_ms

Call = Callable[["ScheduleServlet", Request, Session], dict[str, Any]]


class ScheduleServlet(Servlet):
    def get(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return write_json(self._ajax(get_param(req, "ajax"), req, session))
        return message_page("Schedules", "Schedules are listed by the ajax API only.")

    def post(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return write_json(self._ajax(get_param(req, "ajax"), req, session))
        action = req.param("action")
        call = ACTIONS.get(action or "")
        if call is None:
            return write_json({})
        ret = call(self, req, session)
        response = write_json(ret)
        if ret.get("status") == "success":
            response.add_cookie("azkaban.success.message", str(ret.get("message", "")))
        elif ret.get("status") == "error":
            response.add_cookie("azkaban.failure.message", str(ret.get("message", "")))
        return response

    def _ajax(self, ajax: str, req: Request, session: Session) -> dict[str, Any]:
        call = AJAX_CALLS.get(ajax)
        return call(self, req, session) if call is not None else {}

    # --- scheduling (§7.1, §7.2) --------------------------------------------------------------
    def _checked_flow(self, project: Project | None, project_name: str, flow_id: str,
                      session: Session) -> tuple[Any, dict[str, Any] | None]:
        def error(message: str) -> tuple[None, dict[str, Any]]:
            return None, {"status": "error", "message": message}

        if project is None:
            return error(f"Project {project_name} does not exist")
        if not project.has_permission(session.user, "SCHEDULE"):
            return error(f"Permission denied. Cannot execute {flow_id}")
        flow = project.flow(flow_id)
        if flow is None:
            return error(f"Flow {flow_id} cannot be found in project {project_name}")
        if flow_id in project.locked_flows:
            return error(f"Flow {flow_id} in project {project_name} is locked.")
        stored = project.current
        if stored is not None and flowview.has_flow_trigger(stored.directory, stored.loaded,
                                                            flow_id):
            return error(f"<font color=\"red\"> Error: Flow {project_name}.{flow_id} is already "
                         "associated with flow trigger, so schedule has to be defined in flow "
                         "trigger config </font>")
        return flow, None

    def _options(self, req: Request, session: Session, ret: dict[str, Any],
                 ) -> ExecutionOptions | None:
        """Options errors only add an ``error`` key; scheduling goes on (as in Azkaban).

        Options an admin check refuses were parsed already and are stored as they are. Options
        that do not parse are not stored at all, as in Azkaban: a null ``executionOptions``,
        and a NullPointerException (HTTP 500) in setSla and slaInfo of that schedule.
        """
        try:
            options = parse_flow_options(req)
        except OptionsError as err:
            ret["error"] = str(err)
            return None
        try:
            filter_admin_params(options, "ADMIN" in session.user.role_permissions())
        except SubmitError as err:
            ret["error"] = str(err)
        return options

    def schedule_cron_flow(self, req: Request, session: Session) -> dict[str, Any]:
        project_name = get_param(req, "projectName")
        flow_id = get_param(req, "flow")
        project = self.ctx.state.active_project(project_name)
        _, error = self._checked_flow(project, project_name, flow_id, session)
        if error is not None:
            return error
        assert project is not None
        ret: dict[str, Any] = {}
        cron = req.param("cronExpression")
        if cron is None:
            ret.update({"error": "Cron expression must exist.", "status": "success",
                        "message": f"{project_name}.{flow_id} scheduled.", "scheduleId": -1})
            return ret
        if not is_valid_cron(cron):
            return {"error": f"This expression <{cron}> can not be parsed to quartz cron."}
        end = get_long(req, "endSchedTime", DEFAULT_END_SCHED_TIME)
        options = self._options(req, session, ret)
        stamp = now_ms()
        schedule = self._store(project, flow_id, session, options, first=stamp,
                               next_exec=next_fire_ms(cron) or stamp, end=end, cron=cron,
                               back_execute_once=get_bool(req, "backExecuteOnce", False))
        ret.update({"status": "success", "scheduleId": schedule.schedule_id,
                    "message": f"{project_name}.{flow_id} scheduled."})
        return ret

    def schedule_flow(self, req: Request, session: Session) -> dict[str, Any]:
        project_name = get_param(req, "projectName")
        flow_id = get_param(req, "flow")
        project = self.ctx.state.project_by_id(get_int(req, "projectId"))
        if project is not None and not project.active:
            project = None
        _, error = self._checked_flow(project, project_name, flow_id, session)
        if error is not None:
            return error
        assert project is not None
        time_text = get_param(req, "scheduleTime")
        date_text = req.param("scheduleDate") or ""
        try:
            first = at_time_today(date_text, time_text)
        except (ValueError, IndexError):
            return {"error": f"Invalid date and/or time '{date_text} {time_text}"}
        ret: dict[str, Any] = {}
        period_text, period_ms = None, 0
        if req.param("is_recurring") == "on":
            try:
                period_text, period_ms = parse_period(get_param(req, "period"))
            except ValueError as err:
                ret["error"] = str(err)
        end = get_long(req, "endSchedTime", DEFAULT_END_SCHED_TIME)
        options = self._options(req, session, ret)
        schedule = self._store(project, flow_id, session, options, first=first,
                               next_exec=next_period_ms(first, period_ms, now_ms()), end=end,
                               period=(period_text, period_ms))
        ret.update({"status": "success", "scheduleId": schedule.schedule_id,
                    "message": f"{project_name}.{flow_id} scheduled."})
        return ret

    def _store(self, project: Project, flow_id: str, session: Session,
               options: ExecutionOptions | None, *, first: int, next_exec: int, end: int,
               cron: str | None = None, period: tuple[str | None, int] = (None, 0),
               back_execute_once: bool = False) -> Schedule:
        schedule = self.ctx.state.put_schedule(Schedule(
            schedule_id=-1, project_id=project.id, project_name=project.name, flow_id=flow_id,
            submit_user=session.user.name, submit_time=now_ms(), first_sched_time=first,
            next_exec_time=next_exec, end_sched_time=end, cron=cron, period=period[0],
            period_ms=period[1], back_execute_once=back_execute_once, options=options))
        with self.ctx.state.lock:
            project.log(session.user.name, "SCHEDULE",
                        f"Schedule {_describe(schedule)} has been added.")
        return schedule

    # --- reading and removing (§7.3-§7.5) -----------------------------------------------------
    def fetch_schedule(self, req: Request, session: Session) -> dict[str, Any]:
        project_id = get_int(req, "projectId")
        flow_id = get_param(req, "flowId")
        schedule = self.ctx.state.schedule_for(project_id, flow_id)
        return {"schedule": schedule_json(schedule)} if schedule is not None else {}

    def fetch_schedules(self, req: Request, session: Session) -> dict[str, Any]:
        with self.ctx.state.lock:
            schedules = sorted(self.ctx.state.schedules.values(), key=lambda s: s.schedule_id)
        return {"items": [schedule_item(s) for s in schedules]} if schedules else {}

    def remove_sched(self, req: Request, session: Session) -> dict[str, Any]:
        schedule_id = get_int(req, "scheduleId")
        schedule = self.ctx.state.schedules.get(schedule_id)
        if schedule is None:
            return {"status": "error", "message": f"Schedule with ID {schedule_id} does not exist"}
        project = self.ctx.state.project_by_id(schedule.project_id)
        if project is None:
            return {"status": "error",
                    "message": f"Project {schedule.project_id} does not exist"}
        if not project.has_permission(session.user, "SCHEDULE"):
            return {"status": "error",
                    "message": f"Permission denied. Cannot remove schedule with id {schedule_id}"}
        self.ctx.state.remove_schedule(schedule_id)
        with self.ctx.state.lock:
            project.log(session.user.name, "SCHEDULE",
                        f"Schedule {_describe(schedule)} has been removed.")
        return {"status": "success", "message": f"flow {schedule.flow_id} removed from Schedules."}

    # --- SLA (§7.6) ---------------------------------------------------------------------------
    def set_sla(self, req: Request, session: Session) -> dict[str, Any]:
        schedule_id = get_int(req, "scheduleId")
        schedule = self.ctx.state.schedules.get(schedule_id)
        if schedule is None:
            return {"error": f"Error loading schedule. Schedule {schedule_id} doesn't exist"}
        project = self.ctx.state.project_by_id(schedule.project_id)
        if project is None or not project.has_permission(session.user, "SCHEDULE"):
            return {"error": f"User {session.user} does not have permission to set SLA for "
                             "this flow."}
        settings = []
        for text in req.param_group("settings").values():
            try:
                settings.append(parse_sla_setting(text))
            except ValueError as err:
                return {"error": f"Error parsing SLA setting '{text}': "
                                 f"javax.servlet.ServletException: {err}"}
        if not settings:
            return {"error": f"SLA for schedule {schedule_id} must have at least one action"}
        if schedule.options is None:  # the SLA lives in the options Azkaban never stored
            raise _npe()
        with self.ctx.state.lock:
            schedule.sla_settings = settings
            schedule.sla_emails = split_emails(req.param("slaEmails"))
            schedule.sla_alerters = req.map_param_group("slaAlerters")
            project.log(session.user.name, "SLA", f"SLA for flow {schedule.flow_id} has been "
                                                  f"added/changed.")
        return {}

    def sla_info(self, req: Request, session: Session) -> dict[str, Any]:
        schedule_id = get_int(req, "scheduleId")
        schedule = self.ctx.state.schedules.get(schedule_id)
        if schedule is None:
            return {"error": f"Error loading schedule. Schedule {schedule_id} doesn't exist"}
        project = self.ctx.state.project_by_id(schedule.project_id)
        if project is None or not project.has_permission(session.user, "READ"):
            return {"error": f"Error loading project. Project {schedule.project_id} "
                             "doesn't exist"}
        flow = project.flow(schedule.flow_id)
        if flow is None:
            return {"error": f"Error loading flow. Flow {schedule.flow_id} doesn't exist in "
                             f"{schedule.project_id}"}
        if schedule.options is None:
            raise _npe()
        ret: dict[str, Any] = {}
        if schedule.sla_settings:
            ret["settings"] = list(schedule.sla_settings)
            ret["slaEmails"] = list(schedule.sla_emails)
            # (slaAlerters: only after 4.0.0)
        elif schedule.options.failure_emails:
            # ajaxSlaInfo suggests the failure emails of the schedule's own options (those given
            # with failureEmails when it was scheduled); the flow's failure.emails only in a
            # branch a null executionOptions never reaches (the NPE above comes first)
            ret["slaEmails"] = list(schedule.options.failure_emails)
        ret["allJobNames"] = _job_names(project.flows, schedule.flow_id)
        return ret


def _describe(schedule: Schedule) -> str:
    when = schedule.cron or schedule.period or "once"
    return f"{schedule.project_name}.{schedule.flow_id} ({when})"


def _job_names(flows: dict[str, Any], flow_id: str, prefix: str = "") -> list[str]:
    names: list[str] = []
    flow = flows.get(flow_id)
    if flow is None:
        return names
    for item in flowview.nodes(flow):
        names.append(prefix + item.name)
        embedded = flowview.embedded_flow_id(item)
        if embedded is not None:
            names.extend(_job_names(flows, embedded, prefix + item.name + ":"))
    return sorted(names)


AJAX_CALLS: dict[str, Call] = {
    "fetchSchedules": ScheduleServlet.fetch_schedules,
    "loadFlow": ScheduleServlet.fetch_schedules,
    "fetchSchedule": ScheduleServlet.fetch_schedule,
    "scheduleFlow": ScheduleServlet.schedule_flow,
    "scheduleCronFlow": ScheduleServlet.schedule_cron_flow,
    "setSla": ScheduleServlet.set_sla,
    "slaInfo": ScheduleServlet.sla_info,
}
ACTIONS: dict[str, Call] = {
    "scheduleFlow": ScheduleServlet.schedule_flow,
    "scheduleCronFlow": ScheduleServlet.schedule_cron_flow,
    "removeSched": ScheduleServlet.remove_sched,
}


def _npe() -> ServletError:
    return ServletError("java.lang.NullPointerException", "java.lang.NullPointerException")
