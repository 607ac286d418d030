"""flow, job, job-set, lock, unlock: what an operator looks at and changes on a project's flows
and jobs (protocol §5.4, §5.6, §6.7).

``flow`` and ``job`` gather several calls into one document for a script and one readable block
for a person. ``job-set`` reads the job's properties first and sends them all back changed,
because Azkaban runs a job with its override *instead of* the job file's properties.

A job inside an embedded flow is named by its path in the flow (``sub:job``), as ``jobs``,
``log`` and completion name it; Azkaban knows it as job ``job`` of the embedded flow (its id is
``flow:sub`` in Flow 2.0, the ``flow.name`` of the ``type=flow`` job in Flow 1.0).
"""

from __future__ import annotations

from typing import Any

from azshell.errors import NotFound, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run import render
from azshell.shell.run.context import Context, Reply, ok

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
    types = [str(t) for t in details.get("jobTypes") or []]
    embedded = (_embedded_jobs(client.flow_graph(project, name).get("nodes") or [])
                if "flow" in types else {})
    inside = sum(embedded.values())
    scheduled = info.get("scheduled")
    data = {
        "project": project, "flow": name, "locked": locked,
        "jobCount": len(nodes) - len(embedded) + inside, "levels": len(levels),
        "embeddedFlows": embedded,
        "jobTypes": sorted(types),
        "condition": details.get("condition"),
        "successEmails": list(info.get("successEmails") or []),
        "failureEmails": list(info.get("failureEmails") or []),
        "scheduled": scheduled if isinstance(scheduled, int) and scheduled > 0 else None,
        "nodes": nodes,
    }
    return Reply(data, text=flow_text(data))


def _embedded_jobs(nodes: list[Any]) -> dict[str, int]:
    """The top-level embedded flows of a graph (fetchflowgraph) with how many jobs each holds,
    nested ones included: what following a run counts as jobs (an embedded flow is none)."""

    def count(inner: list[Any]) -> int:
        return sum(count(n.get("nodes") or []) if _is_flow(n) else 1
                   for n in inner if isinstance(n, dict))

    return {str(n.get("id")): count(n.get("nodes") or [])
            for n in nodes if isinstance(n, dict) and _is_flow(n)}


def _is_flow(node: dict[str, Any]) -> bool:
    return node.get("type") == "flow" or isinstance(node.get("nodes"), list)


def flow_text(data: dict[str, Any]) -> str:
    """A flow's facts as a person reads them: one line each, its jobs level by level."""
    count, levels = data["jobCount"], data["levels"]
    lines = [
        _line("flow", f"{data['flow']} (project {data['project']})"),
        _line("locked", "YES: Azkaban refuses to run it" if data["locked"] else "no"),
        _line("jobs", f"{count} job{'' if count == 1 else 's'} in {levels} "
                      f"level{'' if levels == 1 else 's'}{_inside(data['embeddedFlows'])}"),
    ]
    by_level: dict[Any, list[str]] = {}
    for node in data["nodes"]:
        mark = " (embedded flow)" if node["id"] in data["embeddedFlows"] else ""
        by_level.setdefault(node["level"], []).append(f"{node['id']}{mark}")
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


def _inside(embedded: dict[str, int]) -> str:
    """``, counting the 2 in embedded flow process``: why the count differs from the nodes."""
    if not embedded:
        return ""
    total = sum(embedded.values())
    names = ", ".join(sorted(embedded))
    return f", counting the {total} in embedded flow{'' if len(embedded) == 1 else 's'} {names}"


def _level_order(item: tuple[Any, list[str]]) -> int:
    return item[0] if isinstance(item[0], int) else -1


# -- job -----------------------------------------------------------------------------------------

def locate_job(ctx: Context, project: str, flow_name: str, job: str) -> tuple[str, str]:
    """``(flow id, job id)`` as Azkaban knows the job named ``job`` in flow ``flow_name``.

    A path ``sub:job`` (nested: ``sub:inner:job``) is looked up in the flow's graph: each
    ``sub`` must be an embedded flow there, whose ``flowId`` holds the next part. Anything else
    goes as it was given (``pipeline:process step_a`` works too), and the server names what it
    does not find.
    """
    if ":" not in job:
        return flow_name, job
    *subs, leaf = job.split(":")
    node: Any = ctx.client.flow_graph(project, flow_name)
    flow_id = flow_name
    for sub in subs:
        node = next((n for n in node.get("nodes") or []
                     if isinstance(n, dict) and n.get("id") == sub), None)
        inner = (node.get("flowId") or node.get("flow")) if node is not None else None
        if not (isinstance(inner, str) and inner):
            return flow_name, job
        flow_id = inner
    return flow_id, leaf


def _where(data: dict[str, Any]) -> str:
    """``flow pipeline, project pipe`` and the embedded flow a job path leads to."""
    inner = data.get("embeddedFlow")
    within = f"embedded flow {inner} in " if inner else ""
    return f"{within}flow {data['flow']}, project {data['project']}"


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
    flow_id, job_id = locate_job(ctx, project, flow_name, job_name)
    info, general, effective = _job_props(ctx, project, flow_id, job_id)
    data = {
        "project": project, "flow": flow_name, "job": job_name,
        **({"embeddedFlow": flow_id} if flow_id != flow_name else {}),
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
        _line("job", f"{data['job']} ({_where(data)})"),
        _line("type", data["type"] or "-"),
        _line("command", data["command"] if data["command"] is not None else "-"),
        "properties:",
    ]
    keys = sorted(set(general) | set(effective))
    width = max((len(k) for k in keys), default=0)
    rows = [(key, *_property(key, general, effective)) for key in keys]
    # the notes start in one column, after the values that are short enough to leave room
    values = max((len(value) for _, value, note in rows if note and len(value) <= NOTE_AFTER),
                 default=0)
    for key, value, note in rows:
        row = f"  {key.ljust(width)}  {value}"
        if note:
            row = f"{row.ljust(4 + width + values)}   ({note})"
        lines.append(row)
    if not keys:
        lines.append("  (none)")
    return "\n".join(lines)


NOTE_AFTER = 40  # a longer value pushes its own note further, not everyone's


def _property(key: str, general: dict[str, str], effective: dict[str, str]) -> tuple[str, str]:
    """(the value a job runs with, the note saying how it differs from the job file)."""
    if key not in effective:
        return "-", f"removed by the override; the job file says: {general[key]}"
    value = effective[key]
    note = ("" if general.get(key) == value
            else "overridden; not in the job file" if key not in general
            else f"overridden; the job file says: {general[key]}")
    return value, note


def job_set(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Change some properties and send the whole set (setJobOverrideProperty replaces it).

    The start is what the job runs with now, or the job file's properties with ``--reset``;
    nothing is sent when that would change nothing. The set sent always has a type: the job
    file's, if an override written some other way dropped it (a Flow 1.0 job without one does
    not run).
    """
    project, flow_name, job_name = (inv.values["project"], inv.values["flow"],
                                    inv.values["job"])
    pairs, unset, reset = inv.values["props"], inv.values["unset"], bool(inv.values["reset"])
    if not (pairs or unset or reset):
        raise UsageError("job-set: give KEY=VALUE, --unset KEY or --reset")
    if "type" in unset:
        raise UsageError("job-set: a job needs its type: set another one instead of unsetting it")
    if any(key == "type" and not value.strip() for key, value in pairs):
        raise UsageError("job-set: a job needs its type: type= would leave it without one")
    flow_id, job_id = locate_job(ctx, project, flow_name, job_name)
    _, general, before = _job_props(ctx, project, flow_id, job_id)
    after = dict(general) if reset else dict(before)
    for key in unset:
        if key not in after:  # the words are fine; the job, as the server has it, lacks it
            raise NotFound(f"job-set: job {job_name} has no property {key!r} to unset")
        del after[key]
    for key, value in pairs:
        after[key] = value
    if "type" not in after and general.get("type"):
        after["type"] = general["type"]
    changed = after != before
    if changed:
        ctx.client.set_job_override(project, flow_id, job_id, after)
    where = {"embeddedFlow": flow_id} if flow_id != flow_name else {}
    return ok(project=project, flow=flow_name, job=job_name, **where, changed=changed,
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
