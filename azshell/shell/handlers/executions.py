"""execute, show: starting flows and looking at executions."""

from __future__ import annotations

import contextlib
from typing import Any

from azshell.errors import ApiError, AzshellError
from azshell.shell.handlers.jobcheck import check_jobs
from azshell.shell.handlers.starting import (
    check_wait_options,
    execute_options,
    execution_id,
    learn_status,
    start_flow,
)
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply


def execute(ctx: Context, inv: Invocation) -> Reply | None:
    """Starts the flow; later commands that take an execution id default to this one.

    With ``--wait`` it follows the run to its end (azshell.shell.handlers.follow), which prints
    the outcome itself and fails the command unless the flow SUCCEEDED. Several flows go to
    azshell.shell.handlers.multiexec.
    """
    if inv.values.get("more_flows"):
        from azshell.shell.handlers.multiexec import execute_many

        return execute_many(ctx, inv)
    project, flow = inv.values["project"], inv.values["flow"]
    check_wait_options(inv)
    options = execute_options(inv.values)
    options.to_params()  # a bad option is a usage error before anything is sent
    check_jobs(ctx, inv, list(inv.values["disable"]), nothing_done="nothing was started")
    execid = start_flow(ctx, project, flow, options)
    ctx.last_execid = execid
    started = {"execid": execid, "project": project, "flow": flow}
    if not inv.values.get("wait"):
        return Reply(started, text=f"started execution {execid} of {project}/{flow}; "
                                   f"'wait {execid}' follows it")
    from azshell.shell.handlers.follow import follow_then_hooks

    with contextlib.suppress(Exception):  # a completion cache never fails a command
        ctx.names.learn(inv.command.name, inv.values, started)
    follow_then_hooks(ctx, inv, execid)
    return None


def show(ctx: Context, inv: Invocation) -> Reply:
    """The execution as the server describes it (fetchexecflow), every job included: that
    document in pipes and with ``-o json``, a view in local time on a terminal."""
    from azshell.client.execution_model import Execution
    from azshell.shell.follow.view import execution_view

    execid = execution_id(ctx, inv.values["execid"])
    document = ctx.client.execution(execid)
    model = Execution(document)
    learn_status(ctx, model)  # the completion menus show the statuses seen last
    from azshell.shell.run.output import visible_data

    shown = Execution(visible_data(document))  # type: ignore[arg-type]
    return Reply(document, text=execution_view(shown, ctx.out.color), styled=True)


def executions(ctx: Context, inv: Invocation) -> dict:
    """A page of the flow's executions (the server counts them all in ``total``)."""
    project, flow = inv.values["project"], inv.values["flow"]
    page = ctx.client.flow_executions(project, flow, inv.values.get("offset") or 0,
                                      inv.values.get("limit") or 10)
    return {"project": project, "flow": flow, **page}


RUNNING_DETAILS = 20  # on a terminal, the status and start of this many running executions


def running(ctx: Context, inv: Invocation) -> dict | Reply:
    """The ids (getRunning); on a terminal also each one's status and start, which getRunning
    does not give (one fetchexecflow each, for the first RUNNING_DETAILS)."""
    project, flow = inv.values["project"], inv.values["flow"]
    if flow is not None:
        data: dict = {"project": project, "flow": flow,
                      "execIds": ctx.client.running(project, flow)}
    else:  # every flow: one getRunning each (Azkaban has no call for a whole project)
        from azshell.threads import map_in_threads

        flows = ctx.client.flows(project)
        found = map_in_threads(lambda name: ctx.client.running(project, name), flows)
        by_flow = {name: ids for name, ids in zip(flows, found, strict=True) if ids}
        data = {"project": project, "flow": None,
                "execIds": sorted(i for ids in by_flow.values() for i in ids),
                "byFlow": by_flow}
    if not (ctx.out.stdout_tty and ctx.settings.output in ("auto", "table")):
        return data
    return Reply(data, text=_running_text(ctx, data), styled=True)


def _running_text(ctx: Context, data: dict) -> str:
    from azshell.client.execution_model import Execution
    from azshell.shell.run import render
    from azshell.shell.run.output import visible

    flow_of = {i: name for name, ids in (data.get("byFlow") or {}).items() for i in ids}
    rows: list[tuple[Any, ...]] = []
    for execid in data["execIds"][:RUNNING_DETAILS]:
        try:
            model = Execution(ctx.client.execution(execid))
        except AzshellError:
            rows.append((execid, "?", "-", "-"))
            continue
        learn_status(ctx, model)
        rows.append((execid, visible(model.status or "?"), render.started(model.start_time),
                     visible(str(model.document.get("submitUser") or "-"))))
    rows += [(execid, "", "", "") for execid in data["execIds"][RUNNING_DETAILS:]]
    headers = ["EXECID", "STATUS", "STARTED", "USER"]
    where = data["project"] if data["flow"] is None else f"{data['project']}/{data['flow']}"
    if data["flow"] is None:
        headers.insert(1, "FLOW")
        rows = [(row[0], visible(flow_of.get(row[0], "")), *row[1:]) for row in rows]
        if not rows:
            return visible(f"nothing is running in project {where}")
    head = visible(f"running executions of {where}:")
    return head + "\n" + render.table(headers, rows, color=ctx.out.color,
                                      width=ctx.out.size()[0])


def last_success(ctx: Context, inv: Invocation) -> dict:
    """``execid`` is null when the flow never succeeded."""
    project, flow = inv.values["project"], inv.values["flow"]
    execid = ctx.client.last_successful_execution(project, flow)
    return {"project": project, "flow": flow, "execid": execid}


_DONE = {
    "cancel": "cancelled execution {0}; 'show {0}' shows where it stopped",
    "pause": "paused execution {0}: running jobs finish, no new job starts; 'resume {0}' "
             "goes on",
    "resume": "resumed execution {0}; 'wait {0}' follows it",
    "retry": "retrying the failed jobs of execution {0}; 'wait {0}' follows it",
}


def _control(ctx: Context, inv: Invocation, action: str) -> Reply:
    """cancel, pause, resume, retry: the same call shape, the same answer shape."""
    execid = execution_id(ctx, inv.values["execid"])
    getattr(ctx.client, action)(execid)
    return Reply({"ok": True, "execid": execid, "action": inv.command.name},
                 text=_DONE[inv.command.name].format(execid))


def cancel(ctx: Context, inv: Invocation) -> Reply:
    return _control(ctx, inv, "cancel")


def pause(ctx: Context, inv: Invocation) -> Reply:
    return _control(ctx, inv, "pause")


def resume(ctx: Context, inv: Invocation) -> Reply:
    return _control(ctx, inv, "resume")


def retry(ctx: Context, inv: Invocation) -> Reply:
    """Azkaban retries only while the flow is finishing; an ended one needs ``rerun``."""
    try:
        return _control(ctx, inv, "retry_failed")
    except ApiError as err:
        if "already finished" not in err.message:
            raise
        execid = execution_id(ctx, inv.values["execid"])
        raise ApiError(f"retry: execution {execid} has already finished, and retry only works "
                       f"while a flow is still finishing: 'rerun {execid}' runs its jobs that "
                       "did not succeed again, as a new execution", err.status, err.body) from None
