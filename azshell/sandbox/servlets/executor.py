"""``/executor``: execute, control and watch flows (§6), on top of the sandbox engine.

Dispatch follows ``ExecutorServlet.handleAJAXAction``: with an ``execid`` only the execution
calls exist (anything else answers ``{ }``); without one a few global calls exist and every other
name needs ``project`` and is echoed back, ``executeFlow`` being the only one that acts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from azshell.sandbox import flowview
from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.jackson import Ordered
from azshell.sandbox.pages import message_page
from azshell.sandbox.runner.types import EngineError, JobLogMissing, ProjectVersion
from azshell.sandbox.servlets.base import (
    Servlet,
    ServletError,
    empty,
    get_int,
    get_long,
    get_param,
    write_json,
)
from azshell.sandbox.servlets.flow_options import (
    OptionsError,
    SubmitError,
    filter_admin_params,
    parse_flow_options,
)
from azshell.sandbox.state import Project

MAX_CONCURRENT_RUNS = 30  # azkaban.max.concurrent.runs.oneflow
ExecHandler = Callable[[Any, Request, Session, Project, dict[str, Any]], Response | None]
_SUBMIT_LOCK = threading.Lock()  # the "already running?" check and the submit are atomic


def missing_flow_message(project: Project, flow_id: str) -> str:
    """What executeFlow and flowInfo answer for a flow the project does not have."""
    return f"Flow '{flow_id}' cannot be found in project {project.java_repr()}"


def locked_message(project_name: str, flow_id: str) -> str:
    """What submitting a locked flow answers (the lock's own message is not used)."""
    return f"Flow {flow_id} for project {project_name} is locked."


def submit_flow(engine: Any, project: Project, flow_id: str, submit_user: str,
                options: Any) -> tuple[str, int]:
    """``submitExecutableFlow`` of the project's current version: the flow's e-mails unless the
    options override them, the concurrency decision, then the engine's submit. What
    ``executeFlow`` and a schedule that fires (``ExecuteFlowAction``) both do."""
    flow, stored = project.flow(flow_id), project.current
    if engine is None:
        raise SubmitError("The sandbox has no executor.")
    if flow is None or stored is None:
        raise SubmitError(missing_flow_message(project, flow_id))
    if not options.failure_emails_override:
        options.failure_emails = flowview.emails(flow, "failure.emails")
    if not options.success_emails_override:
        options.success_emails = flowview.emails(flow, "success.emails")
    if flow_id in project.locked_flows:
        return locked_message(project.name, flow_id), -1
    version = ProjectVersion(project.id, project.name, stored.version, stored.directory,
                             stored.loaded, stored.job_overrides)
    with _SUBMIT_LOCK:
        running = engine.running_ids(version.project_id, flow_id)
        message = ""
        if running:
            if len(running) > MAX_CONCURRENT_RUNS:
                raise SubmitError(f"Flow {flow_id} has more than {MAX_CONCURRENT_RUNS} "
                                  "concurrent runs. Skipping")
            if options.concurrent_option == "pipeline":
                message = (f"Flow {flow_id} is already running with exec id {running[-1]}. "
                           f"Pipelining level {options.pipeline_level}. \n")
            elif options.concurrent_option == "skip":
                raise SubmitError(f"Flow {flow_id} is already running. Skipping execution.")
            else:
                ids = ",".join(str(i) for i in running)
                message = (f"Flow {flow_id} is already running with exec id {ids}. "
                           "Will execute concurrently. \n")
        execution = engine.submit(version, flow_id, submit_user, options)
    return f"{message}Execution queued successfully with exec id {execution.execid}", \
        execution.execid


class ExecutorServlet(Servlet):

    def get(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return self._ajax(req, session)
        return message_page("Executions", "Executions are listed by the ajax API only.")

    def post(self, req: Request, session: Session) -> Response:
        if req.has("ajax"):
            return self._ajax(req, session)
        return empty()

    # --- dispatch -----------------------------------------------------------------------------
    def _ajax(self, req: Request, session: Session) -> Response:
        ajax = get_param(req, "ajax")
        ret: dict[str, Any] = {}
        if req.has("execid"):
            execid = get_int(req, "execid")
            execution = self.ctx.engine.get(execid) if self.ctx.engine else None
            if execution is None:
                return write_json({"error": f"Cannot find execution '{execid}'"})
            entry = EXEC_CALLS.get(ajax)
            if entry is None:
                return write_json({})
            perm, handler = entry
            project = self._project_by_id(execution.project_id, session, perm, ret)
            if project is None:
                return write_json(ret)
            return handler(self, req, session, execution, ret) or write_json(ret)
        global_call = GLOBAL_CALLS.get(ajax)
        if global_call is not None:
            return global_call(self, req, session)
        ret["project"] = get_param(req, "project")
        if ajax == "executeFlow":
            self._execute(req, session, ret)
        return write_json(ret)

    def _project_by_id(self, project_id: int, session: Session, perm: str,
                       ret: dict[str, Any]) -> Project | None:
        """``getProjectAjaxByPermission``: the text says 'null' because the project is null."""
        project = self.ctx.state.project_by_id(project_id)
        return _filter(project, session, perm, ret)

    def _project_by_name(self, name: str, session: Session, perm: str,
                         ret: dict[str, Any]) -> Project | None:
        return _filter(self.ctx.state.active_project(name), session, perm, ret)

    # --- executeFlow (§6.1) -------------------------------------------------------------------
    def _execute(self, req: Request, session: Session, ret: dict[str, Any]) -> None:
        name = ret["project"]
        flow_id = get_param(req, "flow")
        project = self._project_by_name(name, session, "EXECUTE", ret)
        if project is None:
            ret["error"] = f"Project '{name}' doesn't exist."
            return
        ret["flow"] = flow_id
        flow = project.flow(flow_id)
        stored = project.current
        if flow is None or stored is None:
            ret["error"] = missing_flow_message(project, flow_id)
            return
        if flow_id in project.locked_flows:  # before the options, as a real server answers
            ret["message"], ret["execid"] = locked_message(name, flow_id), -1
            return
        try:
            options = parse_flow_options(req)
        except OptionsError as err:
            ret["error"] = f"Error parsing flow options: {err}"
            return
        try:
            filter_admin_params(options, "ADMIN" in session.user.role_permissions())
            ret["message"], ret["execid"] = submit_flow(self.ctx.engine, project, flow_id,
                                                        session.user.name, options)
        except (SubmitError, EngineError) as err:
            ret["error"] = f"Error submitting flow {flow_id}. {err}"
            ret["execid"] = -1

    # --- calls with an execid -----------------------------------------------------------------
    def fetch_exec_flow(self, req, session, execution, ret) -> None:
        ret.update(execution.to_json())

    def fetch_exec_flow_update(self, req, session, execution, ret) -> None:
        ret.update(execution.update_json(get_long(req, "lastUpdateTime")))

    def cancel_flow(self, req, session, execution, ret) -> None:
        _control(lambda: self.ctx.engine.cancel(execution.execid), ret, "error")

    def pause_flow(self, req, session, execution, ret) -> None:
        _control(lambda: self.ctx.engine.pause(execution.execid), ret, "error")

    def resume_flow(self, req, session, execution, ret) -> None:
        _control(lambda: self.ctx.engine.resume(execution.execid), ret, "resume")

    def retry_failed(self, req, session, execution, ret) -> None:
        _control(lambda: self.ctx.engine.retry_failed(execution.execid), ret, "error")

    def flow_log(self, req, session, execution, ret) -> Response:
        offset = get_int(req, "offset")
        length = get_int(req, "length")
        ret.update(execution.read_flow_log(offset, length))
        return write_json(Ordered(ret), charset=True)  # length, offset, data: as written

    def job_log(self, req, session, execution, ret) -> Response:
        job_id = get_param(req, "jobId")
        offset = get_int(req, "offset")
        length = get_int(req, "length")
        attempt = get_int(req, "attempt") if req.has("attempt") else None
        try:
            ret.update(execution.read_job_log(job_id, offset, length, attempt))
        except JobLogMissing as err:
            raise ServletError(f"azkaban.executor.ExecutorManagerException: {err}") from err
        except EngineError as err:
            ret["error"] = str(err)
        return write_json(Ordered(ret), charset=True)

    def job_stats(self, req, session, execution, ret) -> None:
        """``null`` stats for a known job (it wrote no attachments), else the unknown-job error.

        Azkaban's ``Error retrieving stats for job <id>`` reports a failure to read the
        attachments (database or executor), which the sandbox cannot have.
        """
        job_id = get_param(req, "jobid")
        try:
            ret["jobStats"] = execution.job_attachments(job_id)
        except EngineError as err:
            ret["error"] = str(err)

    def exec_flow_info(self, req, session, execution, ret) -> None:
        ret.update(execution.flow_info_json())

    # --- calls without an execid --------------------------------------------------------------
    def get_running(self, req: Request, session: Session) -> Response:
        ret: dict[str, Any] = {}
        name, flow_id = get_param(req, "project"), get_param(req, "flow")
        project = self._project_by_name(name, session, "EXECUTE", ret)
        if project is not None and self.ctx.engine is not None:
            running = self.ctx.engine.running_ids(project.id, flow_id)
            if running:
                ret["execIds"] = running
        return write_json(ret)

    def flow_info(self, req: Request, session: Session) -> Response:
        ret: dict[str, Any] = {}
        name, flow_id = get_param(req, "project"), get_param(req, "flow")
        project = self._project_by_name(name, session, "READ", ret)
        if project is None:
            return write_json(ret)
        flow = project.flow(flow_id)
        if flow is None:
            return write_json({"error": f"Error loading flow. Flow {flow_id} doesn't exist in "
                                        f"{name}"})
        ret["successEmails"] = flowview.emails(flow, "success.emails")
        ret["failureEmails"] = flowview.emails(flow, "failure.emails")
        schedule = self.ctx.state.schedule_for(project.id, flow_id)
        if schedule is not None:
            ret["scheduled"] = schedule.next_exec_time
        return write_json(ret)

    def scheduled_flow_graph(self, req: Request, session: Session) -> Response:
        ret: dict[str, Any] = {}
        name, flow_id = get_param(req, "project"), get_param(req, "flow")
        project = self._project_by_name(name, session, "EXECUTE", ret)
        if project is None:
            return write_json({"error": f"Project '{name}' doesn't exist."})
        info = flowview.graph(project.flows, flow_id)
        if info is None:
            return write_json({"error": missing_flow_message(project, flow_id)})
        ret.update({"execid": -1, "project": name, "projectId": project.id,
                    "submitUser": session.user.name, "submitTime": -1, "id": flow_id,
                    "flowId": flow_id, "nestedId": flow_id, "type": None, "status": "READY",
                    "startTime": -1, "endTime": -1, "updateTime": -1, "attempt": 0})
        ret.update(_ready_nodes(info))
        return write_json(ret)


def _admin_only(message: str) -> Callable[[ExecutorServlet, Request, Session], Response]:
    """reloadExecutors and the queue processor switches: Azkaban admins only, no-ops here."""

    def call(servlet: ExecutorServlet, req: Request, session: Session) -> Response:
        if "ADMIN" not in session.user.role_permissions():
            return write_json({"status": "error", "error": message})
        return write_json({"status": "success"})

    return call


def _filter(project: Project | None, session: Session, perm: str,
            ret: dict[str, Any]) -> Project | None:
    if project is None:
        ret["error"] = "Project 'null' not found."
        return None
    if not project.has_permission(session.user, perm):
        ret["error"] = (f"User '{session.user.name}' doesn't have {perm} permissions on "
                        f"{project.name}")
        return None
    return project


def _control(action: Callable[[], None], ret: dict[str, Any], key: str) -> None:
    try:
        action()
    except EngineError as err:
        ret[key] = str(err)


def _ready_nodes(info: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    nodes = []
    for node in info["nodes"]:
        item = {k: v for k, v in node.items() if k not in ("flow", "nodes", "flowId")}
        item.update({"status": "READY", "startTime": -1, "endTime": -1, "updateTime": -1,
                     "attempt": 0, "nestedId": prefix + node["id"]})
        if "nodes" in node:
            item.update({"flowId": node.get("flowId"), "flow": node.get("flow")})
            item["nodes"] = _ready_nodes(node, prefix + node["id"] + ":")["nodes"]
        nodes.append(item)
    return {"flow": info["flow"], "nodes": nodes}


EXEC_CALLS: dict[str, tuple[str, ExecHandler]] = {
    "fetchexecflow": ("READ", ExecutorServlet.fetch_exec_flow),
    "fetchexecflowupdate": ("READ", ExecutorServlet.fetch_exec_flow_update),
    "cancelFlow": ("EXECUTE", ExecutorServlet.cancel_flow),
    "pauseFlow": ("EXECUTE", ExecutorServlet.pause_flow),
    "resumeFlow": ("EXECUTE", ExecutorServlet.resume_flow),
    "fetchExecFlowLogs": ("READ", ExecutorServlet.flow_log),
    "fetchExecJobLogs": ("READ", ExecutorServlet.job_log),
    "fetchExecJobStats": ("READ", ExecutorServlet.job_stats),
    "retryFailedJobs": ("EXECUTE", ExecutorServlet.retry_failed),
    "flowInfo": ("READ", ExecutorServlet.exec_flow_info),
}

_REFRESH = "Only Admins are allowed to refresh the executors"
_QUEUE = "Only Admins are allowed to update queue processor"
GLOBAL_CALLS: dict[str, Callable[[ExecutorServlet, Request, Session], Response]] = {
    "getRunning": ExecutorServlet.get_running,
    "flowInfo": ExecutorServlet.flow_info,
    "fetchscheduledflowgraph": ExecutorServlet.scheduled_flow_graph,
    "reloadExecutors": _admin_only(_REFRESH),
    "enableQueueProcessor": _admin_only(_QUEUE),
    "disableQueueProcessor": _admin_only(_QUEUE),
    "updateProp": lambda servlet, req, session: write_json({}),
    "ramp": lambda servlet, req, session: write_json({}),
}
