"""What execute, rerun, wait, show and the logs share: the execution a command means, starting a
flow (with the refusals worded), and the status the completion menus learn from an execution.

Below executions.py and follow.py, which both import it: neither imports the other for these.
"""

from __future__ import annotations

import contextlib
from typing import Any

from azshell.client.execution_model import Execution
from azshell.errors import (
    ApiError,
    AzshellError,
    FlowAlreadyRunning,
    FlowNotStarted,
    NotFound,
    UsageError,
)
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context


def execute_options(values: dict[str, Any]) -> Any:
    """The ExecuteOptions of execute's (and schedule's, backfill's, test's) options."""
    from azshell.client import ExecuteOptions

    params: dict[str, str] = {}
    for key, value in values["param"]:
        params[key] = value
    kwargs: dict[str, Any] = {"disabled": list(values["disable"]), "params": params,
                              "notify_failure": list(values["notify_failure"] or []),
                              "notify_success": list(values["notify_success"] or [])}
    if values["concurrent"]:
        kwargs["concurrent"] = values["concurrent"]
    if values["on_failure"]:
        kwargs["on_failure"] = values["on_failure"]
    return ExecuteOptions(**kwargs)


def execution_id(ctx: Context, value: int | None) -> int:
    """The id given, else the last execution started in this session."""
    if value is not None:
        return value
    if ctx.last_execid is None:
        raise UsageError("no execution id given and none started in this session")
    return ctx.last_execid


def check_wait_options(inv: Invocation) -> None:
    """``--timeout`` bounds a wait: alone it would be silently ignored."""
    for dest, flag in (("timeout", "--timeout"), ("notify", "--notify"),
                       ("on_done", "--on-done")):
        if inv.values.get(dest) and not inv.values.get("wait"):
            raise UsageError(f"{inv.command.name}: {flag} goes with --wait")


def start_flow(ctx: Context, project: str, flow: str, options: Any) -> int:
    """executeFlow, with the refusal of a locked flow worded as one (execute and rerun)."""
    try:
        return ctx.client.execute(project, flow, options)
    except FlowNotStarted as err:
        locked = locked_flow(ctx, project, flow, err)
        if locked is None:
            raise
        raise locked from None
    except FlowAlreadyRunning as err:
        raise already_running(ctx, project, flow, err) from None
    except NotFound as err:
        from azshell.shell.handlers.jobcheck import unknown_flow

        raise unknown_flow(ctx, project, flow, err) from None


def already_running(ctx: Context, project: str, flow: str,
                    err: FlowAlreadyRunning) -> ApiError:
    """The refusal of a second run (the default ``--concurrent skip``), with the executions
    that run the flow and the options that would start it anyway."""
    try:
        running_ids = ctx.client.running(project, flow)
    except AzshellError:
        running_ids = []
    which = ", ".join(str(i) for i in running_ids)
    said = f" (execution {which}; 'running {project} {flow}' lists them)" if which else \
        f" ('running {project} {flow}' lists its executions)"
    return ApiError(f"flow {flow} of project {project} is already running{said}, so nothing was "
                    "started: --concurrent ignore runs it anyway, --concurrent pipeline:1 or "
                    "queue runs it alongside or after", err.status, err.body)


def locked_flow(ctx: Context, project: str, flow: str, err: FlowNotStarted) -> ApiError | None:
    """The refusal of a locked flow, worded as one with how to lift it: Azkaban answers it with
    exec id -1 and a message but no error key (3.90.0 and 4.0.0 say "Flow F for project P is
    locked.", not the lock's own message; a server that sends its message gets it shown).
    Asked only after such a refusal (a full queue answers the same way)."""
    try:
        if not ctx.client.flow_locked(project, flow):
            return None
    except AzshellError:  # the refusal itself is what matters; keep the server's words
        return None
    default = f"Flow {flow} for project {project} is locked."  # a lock without --message
    said = f": {err.message}" if err.message and err.message != default else ""
    return ApiError(f"flow {flow} of project {project} is locked{said} ('unlock {project} "
                    f"{flow}' lifts it)", err.status, err.body)


def learn_status(ctx: Context, model: Execution) -> None:
    """The completion menu shows each execution's last known status."""
    with contextlib.suppress(Exception):  # a completion cache never fails a command
        ctx.names.add_execution(model.execid, model.project, model.flow, model.status,
                                model.start_time)
        ctx.names.set_job_statuses(model.execid, {path: str(node.get("status") or "")
                                                  for path, node in model.jobs()})
