"""The ajax calls of ``/manager`` (§5.6): one small function per name, all sharing
``handleAJAXAction``'s frame (``project`` echoed, ``projectId`` when found, the CSRF check of the
four permission calls, ``Cannot execute command <name>`` for the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azshell.sandbox import flowview, jobprops
from azshell.sandbox.auth import Session
from azshell.sandbox.http import Request, Response
from azshell.sandbox.jackson import java_hash_order
from azshell.sandbox.servlets.base import (
    Context,
    ServletError,
    get_int,
    get_param,
    java_int,
    write_json,
)
from azshell.sandbox.state import PERMISSION_TYPES, Project

CSRF_CALLS = {"changePermission", "addPermission", "addProxyUser", "removeProxyUser"}
SESSION_COOKIE = "azkaban.browser.session.id"
Handler = Callable[[Context, Request, Session, Project, dict[str, Any]], None]


def handle(ctx: Context, req: Request, session: Session) -> Response:
    ajax = get_param(req, "ajax")
    if ajax in CSRF_CALLS and not _csrf_ok(ctx, req):
        return write_json({"error": "CSRF validation failed."})
    name = get_param(req, "project")
    ret: dict[str, Any] = {"project": name}
    project = ctx.state.active_project(name)
    if project is None:
        ret["error"] = f"Project {name} doesn't exist."
        return write_json(ret)
    ret["projectId"] = project.id
    entry = CALLS.get(ajax)
    if entry is None:
        ret["error"] = f"Cannot execute command {ajax}"
        return write_json(ret)
    perm, handler = entry
    if perm and not project.has_permission(session.user, perm):
        ret["error"] = f"Permission denied. Need {perm} access."
        return write_json(ret)
    handler(ctx, req, session, project, ret)
    return write_json(ret)


def _csrf_ok(ctx: Context, req: Request) -> bool:
    """Only a request carrying the session cookie must show the X-CSRF-TOKEN header (§2.6)."""
    cookie = req.cookies.get(SESSION_COOKIE)
    if not cookie:
        return True
    return ctx.csrf.valid(cookie, req.header("X-CSRF-TOKEN"))


def _flow_or_error(project: Project, flow_id: str, ret: dict[str, Any]) -> Any | None:
    flow = project.flow(flow_id)
    if flow is None:
        ret["error"] = f"Flow {flow_id} not found in project {project.name}"
    return flow


def _npe() -> ServletError:
    return ServletError("java.lang.NullPointerException", "java.lang.NullPointerException")


# --- reading calls ------------------------------------------------------------------------------
def get_project_id(ctx, req, session, project, ret) -> None:
    """Nothing to add: every reply carries projectId."""


def fetch_project_logs(ctx, req, session, project, ret) -> None:
    size = get_int(req, "size", 1000)
    skip = get_int(req, "skip", 0)
    events = list(reversed(project.events))[skip:skip + max(size, 0)]
    ret["columns"] = ["user", "time", "type", "message"]
    ret["logData"] = [[e.user, e.time, e.type, e.message] for e in events]


def fetch_project_flows(ctx, req, session, project, ret) -> None:
    # the flows of a project live in a HashMap keyed by id: listed in its order
    ret["flows"] = [{"flowId": f} for f in java_hash_order(project.top_level_flow_ids())]


def fetch_flow_graph(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flow")
    info = flowview.graph(project.flows, flow_id)
    if info is None:
        ret["error"] = f"Flow {flow_id} not found in project {project.name}"
        return
    ret.update(info)


def fetch_flow_jobs(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flow")
    flow = project.flow(flow_id)
    if flow is None:
        raise _npe()
    items = [{"id": n.name, "dependencies": flowview.parents(flow, n.name),
              "dependents": flowview.children(flow, n.name), "level": flowview.level(flow, n.name)}
             for n in flowview.nodes(flow)]
    items.sort(key=lambda o: o["level"])
    ret["flowId"] = flow_id
    ret["nodes"] = items
    ret["isLocked"] = flow_id in project.locked_flows


def fetch_flow_details(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flow")
    flow = project.flow(flow_id)
    if flow is None:
        ret["error"] = f"Flow {flow_id} not found."
        return
    ret["jobTypes"] = sorted({n.type for n in flowview.nodes(flow)})
    condition = getattr(flow, "condition", None)
    if condition:
        ret["condition"] = condition


def fetch_flow_node_data(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flow")
    flow = project.flow(flow_id)
    node_id = get_param(req, "node")
    if flow is None:
        raise _npe()
    item = flowview.node(flow, node_id)
    if item is None:
        ret["error"] = f"Job {node_id} doesn't exist."
        return
    stored = project.current
    assert stored is not None  # the flow was found in it
    # the stored job props, local keys only (PropsUtils.toStringMap(props, true)): no shared ones
    ret.update({"id": node_id, "flow": flow_id, "type": item.type,
                "props": jobprops.own_props(stored.directory, stored.loaded, flow.id, item)})
    embedded = flowview.embedded_flow_id(item)
    if embedded is not None:
        inner = flowview.graph(project.flows, embedded)
        if inner is not None:
            ret.update(inner)


def fetch_flow_executions(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flow")
    start = java_int(get_param(req, "start"))
    length = java_int(get_param(req, "length"))
    executions = ctx.engine.executions(project.id, flow_id) if ctx.engine else []
    page = executions[max(start, 0):max(start, 0) + max(length, 0)]
    ret.update({"flow": flow_id, "total": len(executions), "from": start, "length": length,
                "executions": [e.summary_json() for e in page]})


def fetch_last_successful(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flow")
    last = ctx.engine.last_successful(project.id, flow_id) if ctx.engine else None
    if last is None:
        ret.update({"success": "false", "message": "This flow has no successful run."})
        return
    ret.update({"success": "true", "message": "", "execId": last.execid})


def _job(project: Project, req: Request, ret: dict[str, Any]) -> tuple[Any, Any] | None:
    flow_id = get_param(req, "flowName")
    job_id = get_param(req, "jobName")
    flow = _flow_or_error(project, flow_id, ret)
    if flow is None:
        return None
    item = flowview.node(flow, job_id)
    if item is None:
        ret["error"] = f"Job {job_id} not found in flow {flow_id}"
        return None
    return flow, item


def fetch_job_info(ctx, req, session, project, ret) -> None:
    """``ajaxFetchJobInfo``: the job's own properties (nothing inherited from shared
    ``.properties`` or flow configs), ``jobType`` read from them, and the override of the
    current version, or the own properties again while there is none."""
    found = _job(project, req, ret)
    if found is None:
        return
    flow, item = found
    stored = project.current
    assert stored is not None  # the flow was found in it
    general = jobprops.own_props(stored.directory, stored.loaded, flow.id, item)
    override = stored.job_overrides.get(jobprops.override_key(stored.loaded, flow.id, item.name))
    ret.update({"jobName": item.name, "jobType": general.get("type"), "generalParams": general,
                "overrideParams": dict(override) if override is not None else dict(general)})


def get_permissions(ctx, req, session, project, ret) -> None:
    ret["permissions"] = _perm_list(project.user_perms)


def get_group_permissions(ctx, req, session, project, ret) -> None:
    ret["permissions"] = _perm_list(project.group_perms)


def _perm_list(perms: dict[str, set[str]]) -> list[dict[str, Any]]:
    return [{"username": name, "permission": [t for t in PERMISSION_TYPES if t in types]}
            for name, types in perms.items()]


def get_proxy_users(ctx, req, session, project, ret) -> None:
    ret["proxyUsers"] = list(project.proxy_users)


def check_write(ctx, req, session, project, ret) -> None:
    ret["hasWritePermission"] = project.has_permission(session.user, "WRITE")


def is_flow_locked(ctx, req, session, project, ret) -> None:
    flow_id = get_param(req, "flowName")
    if _flow_or_error(project, flow_id, ret) is None:
        return
    ret.update({"flowId": flow_id, "isLocked": flow_id in project.locked_flows})


def get_upload_setting(ctx, req, session, project, ret) -> None:
    ret.update({"isUploadLocked": False, "adhocUpload": True})


# --- changing calls -----------------------------------------------------------------------------
def set_job_override(ctx, req, session, project, ret) -> None:
    found = _job(project, req, ret)
    if found is None:
        return
    flow, item = found
    override = req.param_group("jobOverride")
    stored = project.current
    assert stored is not None
    own = jobprops.own_props(stored.directory, stored.loaded, flow.id, item)
    with ctx.state.lock:
        key = jobprops.override_key(stored.loaded, flow.id, item.name)
        before = stored.job_overrides.get(key)
        if before is None and jobprops.is_flow2(stored.loaded):
            before = own
        stored.job_overrides[key] = jobprops.override_props(override, own, stored.loaded)
        project.log(session.user.name, "PROPERTY_OVERRIDE",
                    property_diff(before or {}, override))


def property_diff(old: dict[str, str], new: dict[str, str]) -> str:
    """``PropsUtils.getPropertyDiff``: Guava's Maps.difference of two HashMaps, written out."""
    old_keys, new_keys = java_hash_order(old), java_hash_order(new)
    parts = []
    created = [k for k in new_keys if k not in old]
    if created:
        parts.append("Newly created Properties: "
                     + "".join(f"[ {k}, {new[k]}], " for k in created) + "\n")
    deleted = [k for k in old_keys if k not in new]
    if deleted:
        parts.append("Deleted Properties: "
                     + "".join(f"[ {k}, {old[k]}], " for k in deleted) + "\n")
    changed = [k for k in old_keys if k in new and old[k] != new[k]]
    if changed:
        parts.append("Modified Properties: "
                     + "".join(f"[ {k}, {old[k]}-->{new[k]}], " for k in changed))
    return "".join(parts)


def change_description(ctx, req, session, project, ret) -> None:
    description = get_param(req, "description")
    with ctx.state.lock:
        project.description = description
        project.log(session.user.name, "DESCRIPTION", f"Description changed to {description}")


def _requested_perms(req: Request) -> set[str]:
    flags = {t: get_param(req, f"permissions[{t.lower()}]").lower() == "true"
             for t in PERMISSION_TYPES}
    if flags["ADMIN"]:
        return {"ADMIN"}
    return {t for t, on in flags.items() if on}


def add_permission(ctx, req, session, project, ret) -> None:
    name = get_param(req, "name")
    group = get_param(req, "group").lower() == "true"
    perms = _requested_perms(req)
    table = project.group_perms if group else project.user_perms
    if name in table:
        ret["error"] = ("Group" if group else "User") + " permission already exists."
        return
    valid = ctx.users.group_exists(name) if group else ctx.users.exists(name)
    if not valid:
        ret["error"] = "Group is invalid." if group else "User is invalid."
        return
    _store_permission(ctx, session, project, name, perms, group=group)


def change_permission(ctx, req, session, project, ret) -> None:
    name = get_param(req, "name")
    group = get_param(req, "group").lower() == "true"
    perms = _requested_perms(req)
    table = project.group_perms if group else project.user_perms
    if name not in table:
        ret["error"] = f"Permissions for {name} cannot be found."
        return
    _store_permission(ctx, session, project, name, perms, group=group)


def _store_permission(ctx: Context, session: Session, project: Project, name: str,
                      perms: set[str], *, group: bool) -> None:
    table = project.group_perms if group else project.user_perms
    kind = "GROUP_PERMISSION" if group else "USER_PERMISSION"
    with ctx.state.lock:
        if perms:
            table[name] = set(perms)
        else:
            table.pop(name, None)
        shown = ",".join(t for t in PERMISSION_TYPES if t in perms)  # Permission.toString()
        who = "group" if group else "user"
        project.log(session.user.name, kind, f"Permission for {who} {name} set to {shown}")


def add_proxy_user(ctx, req, session, project, ret) -> None:
    name = get_param(req, "name")
    if not session.user.may_proxy(name):
        ret["error"] = f"User {session.user.name} has no permission to add {name} as proxy user."
        return
    with ctx.state.lock:
        if name not in project.proxy_users:
            project.proxy_users.append(name)
        project.log(session.user.name, "PROXY_USER", f"Proxy user {name} is added to project.")


def remove_proxy_user(ctx, req, session, project, ret) -> None:
    name = get_param(req, "name")
    with ctx.state.lock:
        if name in project.proxy_users:
            project.proxy_users.remove(name)
        project.log(session.user.name, "PROXY_USER",
                    f"Proxy user {name} has been removed form the project.")


def set_flow_lock(ctx, req, session, project, ret) -> None:
    """``ajaxSetFlowLock`` checks the flow before it reads ``isLocked``: an unknown flow is the
    flow error even without ``isLocked``; a known one without it is a 500."""
    flow_id = get_param(req, "flowName")
    if _flow_or_error(project, flow_id, ret) is None:
        return
    locked = get_param(req, "isLocked").lower() == "true"
    message = req.param("flowLockErrorMessage")
    with ctx.state.lock:
        if locked:
            project.locked_flows[flow_id] = message
        else:
            project.locked_flows.pop(flow_id, None)
    ret.update({"flowId": flow_id, "isLocked": locked,
                "flowLockErrorMessage": message if locked else None})


def change_upload_setting(ctx, req, session, project, ret) -> None:
    if not req.has("adhocUpload"):
        ret["error"] = "adhocUpload parameter is not set"
    elif "ADMIN" not in session.user.role_permissions():
        ret["error"] = (f"User {session.user.name} doesn't have permission to change upload "
                        "lock settings.")


CALLS: dict[str, tuple[str | None, Handler]] = {
    "getProjectId": (None, get_project_id),
    "fetchProjectLogs": ("READ", fetch_project_logs),
    "fetchflowjobs": ("READ", fetch_flow_jobs),
    "fetchflowdetails": ("READ", fetch_flow_details),
    "fetchflowgraph": ("READ", fetch_flow_graph),
    "fetchflownodedata": ("READ", fetch_flow_node_data),
    "fetchprojectflows": ("READ", fetch_project_flows),
    "changeDescription": ("WRITE", change_description),
    "getPermissions": ("READ", get_permissions),
    "getGroupPermissions": ("READ", get_group_permissions),
    "getProxyUsers": ("READ", get_proxy_users),
    "changePermission": ("ADMIN", change_permission),
    "addPermission": ("ADMIN", add_permission),
    "addProxyUser": ("ADMIN", add_proxy_user),
    "removeProxyUser": ("ADMIN", remove_proxy_user),
    "fetchFlowExecutions": ("READ", fetch_flow_executions),
    "fetchLastSuccessfulFlowExecution": ("READ", fetch_last_successful),
    "fetchJobInfo": ("READ", fetch_job_info),
    "setJobOverrideProperty": ("WRITE", set_job_override),
    "checkForWritePermission": (None, check_write),
    "setFlowLock": ("ADMIN", set_flow_lock),
    "isFlowLocked": ("READ", is_flow_locked),
    "getUploadSetting": ("READ", get_upload_setting),
    "changeUploadSetting": (None, change_upload_setting),
}
