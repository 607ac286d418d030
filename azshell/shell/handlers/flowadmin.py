"""flow, job, job-set, lock, unlock, proxy, purge: what an operator looks at and changes on a
project's flows and jobs (protocol §5.4, §5.6, §6.7).

``flow`` and ``job`` gather several calls into one document for a script and one readable block
for a person. ``job-set`` reads the job's properties first and sends them all back changed,
because Azkaban runs a job with its override *instead of* the job file's properties.
"""

from __future__ import annotations

from typing import Any

from azshell.errors import NotFound, UsageError
from azshell.shell import render
from azshell.shell.context import Context, Reply, ok
from azshell.shell.parser import Invocation

_WIDTH = 14  # the label column of the text blocks


def _line(label: str, value: Any) -> str:
    return f"{label.ljust(_WIDTH)}{value}"


def _names(values: Any) -> str:
    return ", ".join(str(v) for v in values) if values else "-"


# -- flow ----------------------------------------------------------------------------------------

def flow(ctx: Context, inv: Invocation) -> Reply:
    """fetchflowjobs (levels, lock), fetchflowdetails (job types) and flowInfo (e-mails, next
    run) as one document; isFlowLocked only for a server whose job list says nothing of it."""
    project, name = inv.values["project"], inv.values["flow"]
    client = ctx.client
    jobs = client.flow_jobs(project, name)  # first: NotFound names the flow and the project
    details = client.flow_details(project, name)
    info = client.flow_info(project, name)
    locked = jobs.get("isLocked")
    if not isinstance(locked, bool):
        locked = client.flow_locked(project, name)
    nodes = [{"id": n.get("id"), "level": n.get("level"),
              "dependencies": list(n.get("dependencies") or []),
              "dependents": list(n.get("dependents") or [])}
             for n in jobs.get("nodes") or [] if isinstance(n, dict)]
    levels = {n["level"] for n in nodes if isinstance(n["level"], int)}
    scheduled = info.get("scheduled")
    data = {
        "project": project, "flow": name, "locked": locked,
        "jobCount": len(nodes), "levels": len(levels),
        "jobTypes": sorted(str(t) for t in details.get("jobTypes") or []),
        "condition": details.get("condition"),
        "successEmails": list(info.get("successEmails") or []),
        "failureEmails": list(info.get("failureEmails") or []),
        "scheduled": scheduled if isinstance(scheduled, int) and scheduled > 0 else None,
        "nodes": nodes,
    }
    return Reply(data, text=flow_text(data))


def flow_text(data: dict[str, Any]) -> str:
    """A flow's facts as a person reads them: one line each, its jobs level by level."""
    count, levels = data["jobCount"], data["levels"]
    lines = [
        _line("flow", f"{data['flow']} (project {data['project']})"),
        _line("locked", "YES: Azkaban refuses to run it" if data["locked"] else "no"),
        _line("jobs", f"{count} job{'' if count == 1 else 's'} in {levels} "
                      f"level{'' if levels == 1 else 's'}"),
    ]
    by_level: dict[Any, list[str]] = {}
    for node in data["nodes"]:
        by_level.setdefault(node["level"], []).append(str(node["id"]))
    lines += [_line(f"  level {level}", ", ".join(sorted(ids)))
              for level, ids in sorted(by_level.items(), key=_level_order)]
    lines.append(_line("job types", _names(data["jobTypes"])))
    if data["condition"]:
        lines.append(_line("condition", data["condition"]))
    lines += [_line("success mail", _names(data["successEmails"])),
              _line("failure mail", _names(data["failureEmails"])),
              _line("next run", render.when(data["scheduled"]) if data["scheduled"]
                    else "not scheduled")]
    return "\n".join(lines)


def _level_order(item: tuple[Any, list[str]]) -> int:
    return item[0] if isinstance(item[0], int) else -1


# -- job -----------------------------------------------------------------------------------------

def _job_props(ctx: Context, project: str, flow_name: str, job_name: str,
               ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(fetchJobInfo's answer, the job file's properties, the properties it runs with)."""
    info = ctx.client.job_info(project, flow_name, job_name)
    general = {str(k): str(v) for k, v in (info.get("generalParams") or {}).items()}
    override = info.get("overrideParams")
    effective = ({str(k): str(v) for k, v in override.items()} if isinstance(override, dict)
                 else dict(general))
    return info, general, effective


def job(ctx: Context, inv: Invocation) -> Reply:
    """The job's type, command and properties; the ones an override changed are named.

    Azkaban answers ``overrideParams`` equal to the file's properties while no override is set,
    so "overridden" means "differs from the job file".
    """
    project, flow_name, job_name = (inv.values["project"], inv.values["flow"],
                                    inv.values["job"])
    info, general, effective = _job_props(ctx, project, flow_name, job_name)
    data = {
        "project": project, "flow": flow_name, "job": info.get("jobName") or job_name,
        "type": info.get("jobType"), "command": effective.get("command"),
        "generalParams": general, "overrideParams": effective,
        "overridden": sorted(k for k, v in effective.items() if general.get(k) != v),
        "removed": sorted(k for k in general if k not in effective),
    }
    return Reply(data, text=job_text(data))


def job_text(data: dict[str, Any]) -> str:
    """Type and command first (what an operator looks for), then every property."""
    general, effective = data["generalParams"], data["overrideParams"]
    lines = [
        _line("job", f"{data['job']} (flow {data['flow']}, project {data['project']})"),
        _line("type", data["type"] or "-"),
        _line("command", data["command"] if data["command"] is not None else "-"),
        "properties:",
    ]
    keys = sorted(set(general) | set(effective))
    width = max((len(k) for k in keys), default=0)
    for key in keys:
        if key not in effective:
            value, note = "-", f"removed by the override; the job file says: {general[key]}"
        else:
            value = effective[key]
            note = ("" if general.get(key) == value
                    else "overridden; not in the job file" if key not in general
                    else f"overridden; the job file says: {general[key]}")
        row = f"  {key.ljust(width)}  {value}"
        lines.append(f"{row}   ({note})" if note else row)
    if not keys:
        lines.append("  (none)")
    return "\n".join(lines)


def job_set(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Change some properties and send the whole set (setJobOverrideProperty replaces it).

    The start is what the job runs with now, or the job file's properties with ``--reset``;
    nothing is sent when that would change nothing.
    """
    project, flow_name, job_name = (inv.values["project"], inv.values["flow"],
                                    inv.values["job"])
    pairs, unset, reset = inv.values["props"], inv.values["unset"], bool(inv.values["reset"])
    if not (pairs or unset or reset):
        raise UsageError("job-set: give KEY=VALUE, --unset KEY or --reset")
    if "type" in unset:
        raise UsageError("job-set: a job needs its type: set another one instead of unsetting it")
    _, general, before = _job_props(ctx, project, flow_name, job_name)
    after = dict(general) if reset else dict(before)
    for key in unset:
        if key not in after:
            raise UsageError(f"job-set: job {job_name} has no property {key!r} to unset")
        del after[key]
    for key, value in pairs:
        after[key] = value
    changed = after != before
    if changed:
        ctx.client.set_job_override(project, flow_name, job_name, after)
    return ok(project=project, flow=flow_name, job=job_name, changed=changed,
              overrideParams=after, before=before)


# -- lock, unlock --------------------------------------------------------------------------------

def lock(ctx: Context, inv: Invocation) -> dict[str, Any]:
    project, name = inv.values["project"], inv.values["flow"]
    answer = ctx.client.set_flow_lock(project, name, True, inv.values["message"])
    return ok(project=project, flow=name, locked=answer["isLocked"],
              message=answer.get("flowLockErrorMessage"))


def unlock(ctx: Context, inv: Invocation) -> dict[str, Any]:
    project, name = inv.values["project"], inv.values["flow"]
    answer = ctx.client.set_flow_lock(project, name, False)
    return ok(project=project, flow=name, locked=answer["isLocked"])


# -- proxy ---------------------------------------------------------------------------------------

def proxy(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Adding a proxy user twice changes nothing; removing one that is not there is an error
    (the server would say nothing)."""
    action, project, name = inv.values["action"], inv.values["project"], inv.values["name"]
    before = ctx.client.proxy_users(project)
    if action == "add":
        if name not in before:
            ctx.client.add_proxy_user(project, name)
    else:
        if name not in before:
            raise NotFound(f"{name} is not a proxy user of project {project}")
        ctx.client.remove_proxy_user(project, name)
    return ok(project=project, name=name, action=action,
              proxyUsers=ctx.client.proxy_users(project), before=before)


# -- purge ---------------------------------------------------------------------------------------

def purge(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Asks on a terminal; scripts must say --yes, like ``delete``."""
    pid = inv.values["project_id"]
    if not inv.values["yes"]:
        if not ctx.interactive:
            raise UsageError(f"purge: refusing to purge project {pid} in a script without --yes")
        if not ctx.confirm(f"Purge deleted project {pid}? Its stored versions go for good."):
            return ok(projectId=pid, purged=False)
    ctx.client.purge_project(pid)
    return ok(projectId=pid, purged=True)
