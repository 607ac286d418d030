"""``/flowtriggerinstance`` (``FlowTriggerInstanceServlet``): the instances of flow triggers.

A trigger instance is one firing of a flow trigger that waits for its dependencies and then
starts the flow. The sandbox never fires a trigger, so it has no instance: the lists are empty
and a call about one instance answers Azkaban's "doesn't exist" error (or ``{ }``, where
Azkaban says nothing). GET and POST with ``ajax`` answer the same; an unknown ``ajax`` gets
``{ }``. Only ``fetchTriggerInstances`` checks a permission (READ on the project).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.pages import message_page
from azshell.sandbox.servlets.base import (
    Servlet,
    empty,
    get_int,
    get_param,
    java_int,
    write_json,
)

NO_RUNNING_ID = "please specify a valid running trigger instance id"

Call = Callable[["FlowTriggerInstanceServlet", Request, Session], dict[str, Any]]


class FlowTriggerInstanceServlet(Servlet):
    def get(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return self._ajax(req, session)
        return message_page("Flow Trigger Instances", "No flow trigger is running: the sandbox "
                            "never fires flow triggers.")

    def post(self, req: Request, session: Session) -> Response:
        return self._ajax(req, session) if req.has("ajax") else empty()

    def _ajax(self, req: Request, session: Session) -> Response:
        call = AJAX_CALLS.get(get_param(req, "ajax"))
        return write_json(call(self, req, session) if call is not None else {})

    def fetch_running(self, req: Request, session: Session) -> dict[str, Any]:
        """``fetchRunningTriggers``: every running instance (no permission check)."""
        return {"items": []}

    def kill_running(self, req: Request, session: Session) -> dict[str, Any]:
        """``killRunningTrigger`` (``id``; EXECUTE on the instance's project)."""
        if not req.has("id"):
            return {"error": NO_RUNNING_ID}
        return {"error": "the trigger doesn't exist, might already finished or cancelled"}

    def show_properties(self, req: Request, session: Session) -> dict[str, Any]:
        """``showTriggerProperties`` (``id``): the instance's trigger as text."""
        if not req.has("id"):
            return {"error": NO_RUNNING_ID}
        return {"error": "the trigger instance doesn't exist"}

    def fetch_status(self, req: Request, session: Session) -> dict[str, Any]:
        """``fetchTriggerStatus`` by ``triggerinstid`` or ``execid`` (a strict int): an unknown
        instance gets ``{ }``, not an error."""
        if req.has("triggerinstid"):
            return {}
        if req.has("execid"):
            get_int(req, "execid")
            return {}
        return {"error": "please specify a valid trigger instance id or flow execution id"}

    def fetch_instances(self, req: Request, session: Session) -> dict[str, Any]:
        """``fetchTriggerInstances`` (``project``, ``flow``, ``start``, ``length``; READ): one
        page of a flow's past instances, in ``executions``; ``total`` counts that page."""
        if not (req.has("project") and req.has("flow")):
            return {"error": "please specify project id and flow id"}
        project = self.ctx.state.active_project(get_param(req, "project"))
        if project is None:
            return {"error": "please specify a valid project name"}
        if not project.has_permission(session.user, "READ"):
            return {"error": "Permission denied. Need READ access."}
        flow_id = get_param(req, "flow")
        start = java_int(get_param(req, "start"))
        length = java_int(get_param(req, "length"))
        return {"flow": flow_id, "total": 0, "from": start, "length": length, "executions": []}


AJAX_CALLS: dict[str, Call] = {
    "fetchRunningTriggers": FlowTriggerInstanceServlet.fetch_running,
    "killRunningTrigger": FlowTriggerInstanceServlet.kill_running,
    "showTriggerProperties": FlowTriggerInstanceServlet.show_properties,
    "fetchTriggerStatus": FlowTriggerInstanceServlet.fetch_status,
    "fetchTriggerInstances": FlowTriggerInstanceServlet.fetch_instances,
}
