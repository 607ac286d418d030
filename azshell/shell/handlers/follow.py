"""wait, rerun, and ``execute --wait``: follow an execution to its end.

On a terminal the run is shown live (azshell.shell.follow.view) and ends with a table of jobs; in
a script nothing is shown while waiting and the final execution JSON is the one document on
stdout. Either way the command fails unless the flow SUCCEEDED, so ``&&`` and ``set -e`` work.
Ctrl-C stops the following, never the flow, and says how to pick it up again.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from azshell.client.execution_model import FINAL_FLOW, Change, Execution, done_jobs
from azshell.errors import AzshellError, Interrupted
from azshell.shell.follow.follower import Follower, StillRunning
from azshell.shell.handlers.starting import (
    check_wait_options,
    execution_id,
    learn_status,
    start_flow,
)
from azshell.shell.line.commands import Command
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.dispatch import emit


class _Learner:
    """Keeps the NameBook's status of the execution current, and drives the live view."""

    def __init__(self, ctx: Context, view: Any) -> None:
        self.ctx = ctx
        self.view = view

    def started(self, model: Execution) -> None:
        learn_status(self.ctx, model)
        if self.view is not None:
            self.view.started(model)

    def changed(self, model: Execution, changes: list[Change], old_status: str) -> None:
        if model.status != old_status:
            learn_status(self.ctx, model)
        if self.view is not None:
            self.view.changed(model, changes, old_status)


def _live_view(ctx: Context) -> Any:
    """The live display on a terminal; in a script (stdout is not a terminal) one stderr line
    per job that changes state and a heartbeat, so CI sees progress before the final JSON."""
    if not ctx.out.stdout_tty:
        from azshell.shell.follow.view import PipeView

        return PipeView(ctx.out.stderr)
    from azshell.shell.follow.view import LiveView

    return LiveView(ctx.out.stdout, color=ctx.out.color, columns=lambda: ctx.out.size()[0])


def follow_execution(ctx: Context, command: Command, execid: int,
                     timeout: float | None = None, next_steps_hint: bool = True) -> None:
    """Follow ``execid`` to its end, print the outcome, and fail unless it SUCCEEDED.

    Prints its own answer (it must come before the error line of a failed flow), so the handler
    that calls it returns None. ``next_steps_hint=False`` leaves out the "next: log ..., rerun
    ..." line, for a run whose server is gone when the command ends (``test``).
    """
    view = _live_view(ctx)
    follower = Follower(ctx.client, execid, timeout=timeout, listener=_Learner(ctx, view))
    try:
        try:
            model = follower.run()
        finally:
            if view is not None:
                view.close()  # leave a clean line for what comes next
    except KeyboardInterrupt:
        raise Interrupted(interrupted_note(execid, follower.model)) from None
    except StillRunning as late:
        _print_outcome(ctx, command, late.model, view)
        raise AzshellError(f"execution {execid} still {late.model.status} after "
                           f"{late.timeout:g} s; follow it again with: wait {execid}") from None
    except AzshellError as err:
        seen = follower.model
        if seen is not None and not seen.finished:  # lost mid-way: say which execution goes on
            err.message = (f"{err.message}; execution {execid} goes on unfollowed: "
                           f"'wait {execid}' follows it again")
        raise
    _print_outcome(ctx, command, model, view)
    if model.status != "SUCCEEDED":
        if ctx.out.stdout_tty and next_steps_hint:  # an operator at a terminal: what next
            ctx.out.note(next_steps(model))
        raise AzshellError(failure_message(model))


def interrupted_note(execid: int, model: Execution | None) -> str:
    """The one line after Ctrl-C: the flow goes on; how to follow or stop it."""
    status = f" ({model.status})" if model is not None and model.status else ""
    if model is not None and model.finished:
        return f"interrupted: execution {execid} had already ended{status}"
    return (f"interrupted: execution {execid} goes on{status}; follow it again with "
            f"'wait {execid}' or cancel it with 'cancel {execid}'")


def failure_message(model: Execution) -> str:
    """``execution 42 (demo/end) ended FAILED; failed jobs: boom``. Jobs that were KILLED (a
    cancel, an SLA's kill, ``--on-failure cancel``) are named apart: they were stopped, they
    did not fail."""
    failed = model.failed()
    killed = [path for path in failed if (model.node(path) or {}).get("status") == "KILLED"]
    failed = [path for path in failed if path not in killed]
    jobs = f"; failed jobs: {', '.join(failed)}" if failed else ""
    jobs += f"; killed jobs: {', '.join(killed)}" if killed else ""
    return f"execution {model.execid} ({model.project}/{model.flow}) ended {model.status}{jobs}"


def next_steps(model: Execution) -> str:
    """What an operator does after a failed run: read the failed job's log, run the rest again."""
    failed = model.failed()
    log = f"log {model.execid} {failed[0]}" if failed else f"log {model.execid}"
    return f"next: '{log}' shows why; 'rerun {model.execid}' runs the jobs that did not succeed"


def _print_outcome(ctx: Context, command: Command, model: Execution,
                   view: Any = None) -> None:
    """The summary and the verdict, never through the pager (it would take them off the
    screen after q); a small flow whose every job the live lines showed gets the verdict
    line alone, not the same jobs listed twice."""
    from azshell.shell.follow.view import summary

    learn_status(ctx, model)
    document = model.document
    shown = getattr(view, "showed_everything", None)
    table = not (model.finished and shown is not None and shown(model))
    text = summary(model, ctx.out.color, table=table)
    emit(ctx, command, Reply(document, text=text, raw=json.dumps(document), page=False,
                             styled=True))


def wait(ctx: Context, inv: Invocation) -> None:
    """Follow executions (by default the last one started here) until they end; several, or
    --notify/--on-done, go to the combined display of multiwait.py."""
    ids = list(inv.values["execid"] or [execution_id(ctx, None)])
    if len(set(ids)) > 1:
        from azshell.shell.handlers.multiwait import wait_many

        wait_many(ctx, inv, ids)
        return
    follow_then_hooks(ctx, inv, ids[0])


def follow_then_hooks(ctx: Context, inv: Invocation, execid: int) -> None:
    """follow_execution, then --notify and --on-done (wait, execute --wait, rerun --wait),
    whether the flow succeeded or not; not after Ctrl-C."""
    if not inv.values.get("notify") and not inv.values.get("on_done"):
        follow_execution(ctx, inv.command, execid, inv.values.get("timeout"))
        return
    from azshell.shell.handlers.multiwait import at_end

    try:
        follow_execution(ctx, inv.command, execid, inv.values.get("timeout"))
    except Interrupted:
        raise
    except AzshellError:
        at_end(ctx, inv, [ctx.client.execution_model(execid)])
        raise
    at_end(ctx, inv, [ctx.client.execution_model(execid)])


def rerun(ctx: Context, inv: Invocation) -> dict[str, Any] | None:
    """Run the flow of an ended execution again, skipping the jobs that already succeeded."""
    check_wait_options(inv)
    old_id = execution_id(ctx, inv.values["execid"])
    model = ctx.client.execution_model(old_id)
    if model.status not in FINAL_FLOW:
        raise AzshellError(f"execution {old_id} is still {model.status}: wait for it "
                           f"('wait {old_id}') or cancel it ('cancel {old_id}') first")
    disabled = [] if inv.values["all"] else done_jobs(model.document)
    if not _left_to_run(model, disabled):
        raise AzshellError(f"every job of execution {old_id} already succeeded; nothing to "
                           "rerun (--all runs the whole flow again)")
    again = ctx.client.rerun_options(old_id, disabled)
    for warning in again.warnings:
        ctx.out.note(warning)
    execid = start_flow(ctx, model.project, model.flow, again.options)
    ctx.last_execid = execid
    with contextlib.suppress(Exception):
        ctx.names.add_execution(execid, model.project, model.flow, "PREPARING")
    if disabled:
        ctx.out.note(f"rerun of {old_id} as {execid}: disabled (already done): "
                     f"{', '.join(disabled)}")
    else:
        ctx.out.note(f"rerun of {old_id} as {execid}: every job runs")
    if inv.values["wait"]:
        follow_then_hooks(ctx, inv, execid)
        return None
    return {"execid": execid, "project": model.project, "flow": model.flow,
            "rerunOf": old_id, "disabled": disabled}


def _left_to_run(model: Execution, disabled: list[str]) -> list[str]:
    """The jobs a rerun with ``disabled`` would still run."""
    return [path for path, _ in model.jobs()
            if not any(path == d or path.startswith(d + ":") for d in disabled)]
