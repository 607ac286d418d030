"""schedule, schedules, unschedule: cron schedules of flows (protocol §7.1-§7.5).

Azkaban wants Quartz expressions with seconds first; people type the 5-field cron they know. The
expression is read and checked here, before any request, and the shell says how it read it and
when it will fire next, so that a misread cron is seen at once rather than at 2 a.m.
"""

from __future__ import annotations

import datetime as _dt
import time
from typing import Any

from azshell import quartz
from azshell.errors import NotFound, UsageError
from azshell.shell.handlers.jobcheck import check_jobs
from azshell.shell.handlers.starting import execute_options
from azshell.shell.line.parser import Invocation
from azshell.shell.run import render
from azshell.shell.run.context import Context, Reply

NEXT_RUNS = 3
_CLOCK = "%Y-%m-%d %H:%M:%S"


def read_cron(words: list[str] | str) -> tuple[str, str]:
    """``(quartz, note)`` from what the user typed (one quoted word or the remaining words).

    Refuses, with Quartz's reason, what the server would refuse: a bad field, or an expression
    that never fires again.
    """
    text = " ".join(words) if isinstance(words, list) else words
    try:
        expression, note = quartz.from_user(text)
        if not quartz.has_future_fire_time(expression):
            raise quartz.CronError(text, "it never fires again")
    except quartz.CronError as err:
        raise UsageError(str(err)) from None
    return expression, note


def next_runs(expression: str, count: int = NEXT_RUNS,
              now: _dt.datetime | None = None) -> list[str]:
    """The next fire times in this machine's time zone (the server uses its own), worked out
    with the zone's daylight-saving rules as Quartz does."""
    try:
        start = now or _dt.datetime.now(quartz.local_zone())
        times = quartz.parse(expression).next_fire_times(start, count)
    except quartz.CronError:
        return []
    return [t.strftime(_CLOCK) for t in times]


def zone_name() -> str:
    """The zone's name (``Europe/Paris``), right for runs on either side of a daylight-saving
    change, unlike today's abbreviation; the abbreviation only when the zone has no name."""
    return str(getattr(quartz.local_zone(), "key", "") or time.strftime("%Z") or "local")


def schedule(ctx: Context, inv: Invocation) -> dict[str, Any] | Reply:
    """Schedules (or re-schedules: Azkaban keeps one schedule per flow) with execute's options.

    A schedule already there is named (its cron and options) before it is replaced, and the
    interactive shell asks first; a script replaces it, and its JSON says what it replaced.
    """
    project, flow = inv.values["project"], inv.values["flow"]
    expression, note = read_cron(inv.values["cron"])
    options = execute_options(inv.values)
    options.to_params()  # a bad option is a usage error before anything is sent
    check_jobs(ctx, inv, list(inv.values["disable"]), nothing_done="nothing was scheduled")
    old = _current_schedule(ctx, project, flow)
    runs = next_runs(expression)
    if ctx.out.stderr_tty:
        ctx.out.note(f"{note}: {quartz.describe(expression)}")
        if runs:
            ctx.out.note(f"next runs ({zone_name()}, this machine's time): {', '.join(runs)}")
    replaced = replaced_summary(old) if old is not None else None
    if replaced is not None:
        said = f"{project}/{flow} is scheduled already: {replaced_text(replaced)}"
        if ctx.interactive and not inv.values.get("yes"):
            ctx.out.note(said)
            if not ctx.confirm(f"Replace the schedule of {project}/{flow}?"):
                kept = {"ok": False, "project": project, "flow": flow, "scheduled": False,
                        "kept": replaced}
                return Reply(kept, text=f"kept the schedule of {project}/{flow} "
                                        f"(cron {replaced['cron']})")
        elif ctx.out.stderr_tty:
            ctx.out.note(f"replacing: {said}")
    schedule_id = ctx.client.schedule_cron(project, flow, expression, options)
    data = {"ok": True, "project": project, "flow": flow, "scheduleId": schedule_id,
            "cron": expression, "input": " ".join(inv.values["cron"]),
            "reading": quartz.describe(expression), "nextRuns": runs, "timeZone": zone_name(),
            "replaced": replaced}
    # on a terminal the notes above said the reading and the next runs: one sentence is left
    verb = "rescheduled" if replaced is not None else "scheduled"
    return Reply(data, text=f"{verb} {project}/{flow}: schedule {schedule_id}, cron "
                            f"{expression} ({data['reading']})")


def _current_schedule(ctx: Context, project: str, flow: str) -> dict[str, Any] | None:
    """The flow's schedule before this one replaces it, or None (a missing project is left to
    the scheduling call to report, in the server's words)."""
    try:
        found = ctx.client.schedule(project, flow)
    except NotFound:
        return None
    return found if isinstance(found, dict) and "scheduleId" in found else None


def _disabled_paths(items: Any, prefix: str = "") -> list[str]:
    """``disabledJobs`` (names, or ``{"id", "children"}`` for embedded flows) as job paths."""
    paths: list[str] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            paths.append(prefix + item)
        elif isinstance(item, dict) and item.get("id"):
            paths += _disabled_paths(item.get("children"), f"{prefix}{item['id']}:")
    return paths


_FAILURE_WORDS = {"FINISH_CURRENTLY_RUNNING": "finish", "CANCEL_ALL": "cancel",
                  "FINISH_ALL_POSSIBLE": "possible"}


def replaced_summary(found: dict[str, Any]) -> dict[str, Any]:
    """What a new schedule replaces: the old cron and the options it ran with."""
    opts = found.get("executionOptions")
    opts = opts if isinstance(opts, dict) else {}
    concurrent = str(opts.get("concurrentOption") or "skip")
    if concurrent == "pipeline" and opts.get("pipelineLevel"):
        concurrent = f"pipeline:{opts['pipelineLevel']}"
    params = opts.get("flowParameters")
    return {
        "scheduleId": found.get("scheduleId"),
        "cron": found.get("cronExpression"),
        "submitUser": found.get("submitUser"),
        "disabled": _disabled_paths(opts.get("disabledJobs")),
        "params": dict(params) if isinstance(params, dict) else {},
        "concurrent": concurrent,
        "onFailure": _FAILURE_WORDS.get(str(opts.get("failureAction")), "finish"),
    }


def replaced_text(replaced: dict[str, Any]) -> str:
    """``schedule 3, cron 0 0 9 ? * * (at 09:00 every day), by azkaban, --disable load``."""
    cron = replaced.get("cron")
    parts = [f"schedule {replaced.get('scheduleId')}", f"cron {cron}"]
    if isinstance(cron, str) and cron:
        parts[-1] += f" ({quartz.describe(cron)})"
    if replaced.get("submitUser"):
        parts.append(f"by {replaced['submitUser']}")
    parts += [f"--disable {job}" for job in replaced.get("disabled") or []]
    parts += [f"--param {k}={v}" for k, v in (replaced.get("params") or {}).items()]
    if replaced.get("concurrent") not in (None, "skip"):
        parts.append(f"--concurrent {replaced['concurrent']}")
    if replaced.get("onFailure") not in (None, "finish"):
        parts.append(f"--on-failure {replaced['onFailure']}")
    return ", ".join(parts)


def schedules(ctx: Context, inv: Invocation) -> list[dict[str, Any]]:
    """Every schedule on the server (the server's items, with ``nextRun`` worked out here)."""
    items = ctx.client.schedules()
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        cron = item.get("cron")
        runs = next_runs(cron, 1) if isinstance(cron, str) and cron else []
        out.append({**item, "nextRun": runs[0] if runs else None})
    return out


def find_schedule(ctx: Context, project: str, flow: str) -> dict[str, Any]:
    """The flow's schedule, or NotFound saying whether the flow or only its schedule is missing."""
    found = ctx.client.schedule(project, flow)
    if found is not None and "scheduleId" in found:
        return found
    if flow not in ctx.client.flows(project):
        raise NotFound(f"Flow {flow} not found in project {project}")
    raise NotFound(f"flow {flow} of project {project} has no schedule")


def unschedule(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Finds the flow's schedule id itself (the server's call wants the id)."""
    project, flow = inv.values["project"], inv.values["flow"]
    found = find_schedule(ctx, project, flow)
    ctx.client.unschedule(project, flow)
    return {"ok": True, "project": project, "flow": flow,
            "scheduleId": found["scheduleId"], "cron": found.get("cronExpression")}


# -- the table ---------------------------------------------------------------------------------

def _period(item: dict[str, Any]) -> str:
    ms = item.get("period")
    if not isinstance(ms, int) or ms <= 0:
        return "once"
    return f"every {render.duration(1, 1 + ms)}"


def schedules_table(data: Any) -> tuple[list[str], render.Rows]:
    rows = [
        (s.get("scheduleId"), s.get("projectname"), s.get("flowname"),
         s.get("cron") or _period(s), s.get("nextRun") or "-")
        for s in data if isinstance(s, dict)
    ]
    return ["ID", "PROJECT", "FLOW", "CRON", f"NEXT RUN ({zone_name()})"], rows
