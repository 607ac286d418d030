"""``/triggers`` (``TriggerManagerServlet``): ``expireTrigger`` and the page of triggers.

In Azkaban every cron or period schedule is a trigger of the TriggerManager, and its schedule id
is the trigger's id (``TriggerBasedScheduleLoader``): the triggers the sandbox knows are its
schedules. Expiring one ends the schedule; the sandbox removes it at once (a real server marks
the trigger EXPIRED, and the schedule list drops it on its next refresh). Failures of the call,
a missing or non-numeric ``triggerId`` included, are caught into ``{"error": ...}`` rather than
an HTTP 500. GET and POST with ``ajax`` answer the same; other ajax names get ``{ }``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.pages import html
from azshell.sandbox.schedules import format_date
from azshell.sandbox.servlets.base import (
    Servlet,
    ServletError,
    empty,
    get_int,
    get_param,
    write_json,
)


class TriggerManagerServlet(Servlet):
    def get(self, req: Request, session: Session) -> Response:
        return self._ajax(req) if req.has("ajax") else self._page()

    def post(self, req: Request, session: Session) -> Response:
        return self._ajax(req) if req.has("ajax") else empty()

    def _ajax(self, req: Request) -> Response:
        ajax = get_param(req, "ajax")
        ret: dict[str, Any] = {}
        try:
            if ajax == "expireTrigger":
                self._expire(req, ret)
        except ServletError as err:
            ret["error"] = err.message
        return write_json(ret)

    def _expire(self, req: Request, ret: dict[str, Any]) -> None:
        trigger_id = get_int(req, "triggerId")
        state = self.ctx.state
        with state.lock:
            if trigger_id not in state.schedules:
                ret.update({"message": f"Trigger with ID {trigger_id} does not exist",
                            "status": "error"})
                return
            state.remove_schedule(trigger_id)
        ret.update({"status": "success",
                    "message": f"trigger {trigger_id} removed from Schedules."})

    def _page(self) -> Response:
        """``triggerspage.vm``: one row per trigger (here: per schedule)."""
        with self.ctx.state.lock:
            schedules = sorted(self.ctx.state.schedules.values(), key=lambda s: s.schedule_id)
        rows = "".join(
            f"<tr><td>{s.schedule_id}</td><td>{escape(s.submit_user)}</td>"
            f"<td>{escape(s.project_name)}.{escape(s.flow_id)}</td>"
            f"<td>{format_date(s.next_exec_time)}</td></tr>" for s in schedules)
        body = rows or '<tr><td colspan="4">No Trigger Found</td></tr>'
        return html("<!DOCTYPE html><html><head><title>Azkaban Web Client - Triggers</title>"
                    "</head><body><h1>Triggers</h1><table id=\"triggersTbl\"><tr><th>ID</th>"
                    "<th>Submitted by</th><th>Description</th><th>Next Check Time</th></tr>"
                    f"{body}</table></body></html>")
