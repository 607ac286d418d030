"""``/flowtrigger`` (``FlowTriggerServlet``): a Flow 2.0 flow's trigger, and pausing it.

Every ajax call answers one JSON object, ``{ }`` when ``projectId`` or ``flowId`` is missing or
the name is unknown. ``fetchTrigger`` needs no permission and says nothing of a missing project
or flow (``{ }``, as for a flow without trigger); it does not report whether the trigger is
paused either (only the Quartz job knows). ``pauseTrigger``/``resumeTrigger`` need ADMIN on the
project and answer ``success`` even for a flow without trigger (Azkaban only logs a warning).
POST does nothing. The sandbox registers triggers as a server with Quartz enabled does
(:mod:`azshell.sandbox.flowtriggers`) and never fires them.
"""

from __future__ import annotations

from html import escape
from typing import Any

from azshell.sandbox.auth import Session
from azshell.sandbox.flowtriggers import (
    ScheduledTrigger,
    TriggerRegistry,
    dependencies_json,
    time_zone_id,
)
from azshell.sandbox.http import Request, Response
from azshell.sandbox.pages import html
from azshell.sandbox.schedules import format_date, next_fire_ms
from azshell.sandbox.servlets.base import Context, Servlet, get_int, get_param, write_json


def registry(ctx: Context) -> TriggerRegistry:
    """The server's one registry of flow triggers (shared by every servlet that needs it)."""
    found = ctx.extra.get("flow_triggers")
    if found is None:
        found = ctx.extra.setdefault("flow_triggers", TriggerRegistry())
    return found


def trigger_json(scheduled: ScheduledTrigger) -> dict[str, Any]:
    """``ajaxFetchTrigger``'s ``flowTrigger`` object; ``dependencies`` is a string of Gson JSON
    and only there when the trigger has dependencies; ``maxWaitMin`` may be null."""
    trigger = scheduled.trigger
    obj: dict[str, Any] = {
        "timeZone": time_zone_id(),
        "cronExpression": trigger.cron,
        "submitUser": scheduled.submit_user,
        "firstSchedTime": format_date(scheduled.registered),
        "nextExecTime": format_date(next_fire_ms(trigger.cron) or -1),
        "maxWaitMin": trigger.max_wait_minutes,
    }
    if trigger.dependencies:
        obj["dependencies"] = dependencies_json(trigger)
    return obj


class FlowTriggerServlet(Servlet):
    def get(self, req: Request, session: Session) -> Response:
        if not req.has("ajax"):
            return self._page()
        ajax = get_param(req, "ajax")
        ret: dict[str, Any] = {}
        if ajax in ("fetchTrigger", "pauseTrigger", "resumeTrigger") \
                and req.has("projectId") and req.has("flowId"):
            project_id = get_int(req, "projectId")
            flow_id = get_param(req, "flowId")
            if ajax == "fetchTrigger":
                self._fetch(project_id, flow_id, ret)
            else:
                self._pause(ajax == "pauseTrigger", project_id, flow_id, session, ret)
        return write_json(ret)

    def _fetch(self, project_id: int, flow_id: str, ret: dict[str, Any]) -> None:
        scheduled = registry(self.ctx).find(self.ctx.state, project_id, flow_id)
        if scheduled is not None:
            ret["flowTrigger"] = trigger_json(scheduled)

    def _pause(self, pause: bool, project_id: int, flow_id: str, session: Session,
               ret: dict[str, Any]) -> None:
        project = self.ctx.state.project_by_id(project_id)
        if project is None or not project.active:
            ret["error"] = "please specify a valid project id"
        elif not project.has_permission(session.user, "ADMIN"):
            ret["error"] = "Permission denied. Need ADMIN access."
        else:
            registry(self.ctx).set_paused(self.ctx.state, project_id, flow_id, pause)
            ret["status"] = "success"

    def _page(self) -> Response:
        """``flowtriggerspage.vm``: the registered triggers, one row each."""
        rows = "".join(
            f"<tr><td>{escape(t.flow_id)}</td><td>{escape(t.project_name)}</td>"
            f"<td>{escape(t.submit_user)}</td><td>{format_date(t.registered)}</td>"
            f"<td>{escape(t.trigger.cron)}</td>"
            f"<td>{'' if t.trigger.max_wait_minutes is None else t.trigger.max_wait_minutes}</td>"
            f"<td>{'paused' if t.paused else 'active'}</td></tr>"
            for t in registry(self.ctx).scheduled(self.ctx.state))
        body = rows or '<tr><td colspan="7">No Scheduled Flow Trigger</td></tr>'
        return html("<!DOCTYPE html><html><head><title>Azkaban Web Client - Flow Triggers"
                    "</title></head><body><h1>Scheduled Flow Triggers</h1>"
                    "<table id=\"executingJobs\"><tr><th>Flow</th><th>Project</th>"
                    "<th>Submitted by</th><th>First Schedule to Run</th><th>Schedule</th>"
                    f"<th>Max Wait Mins</th><th>State</th></tr>{body}</table></body></html>")
