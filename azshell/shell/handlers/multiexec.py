"""execute PROJECT FLOW FLOW...: several flows of a project started with the same options.

Every flow name and every ``--disable`` job is checked against the project before the first
flow starts, so a typo starts nothing. The flows then start one after the other; a refusal
after some started (a locked flow, one already running) stops there and says which executions
were started and which flows were not, since a start that may have reached the server is never
retried. With ``--wait`` the started executions are followed on multiwait's combined display,
with its one exit code, ``--notify`` and ``--on-done``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from azshell.errors import AzshellError, Interrupted, NotFound, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply


def execute_many(ctx: Context, inv: Invocation) -> Reply | None:
    """Check everything, start each flow, then report the ids or follow them all."""
    from azshell.shell.handlers.starting import check_wait_options, execute_options

    project = inv.values["project"]
    flows = [inv.values["flow"], *inv.values["more_flows"]]
    twice = sorted({f for f in flows if flows.count(f) > 1})
    if twice:
        raise UsageError(f"execute: flow {', '.join(twice)} named twice; each flow starts once")
    check_wait_options(inv)
    execute_options(inv.values).to_params()  # a bad option is a usage error before anything
    disabled = check_flows_and_jobs(ctx, project, flows, list(inv.values["disable"]))
    started = start_all(ctx, inv, project, flows, disabled)
    ids = [s["execid"] for s in started]
    if not inv.values.get("wait"):
        listed = ", ".join(f"{s['execid']} ({s['flow']})" for s in started)
        return Reply(started, text=f"started {len(started)} executions of {project}: {listed}; "
                                   f"'wait {' '.join(map(str, ids))}' follows them")
    from azshell.shell.handlers.multiwait import wait_many

    _learn(ctx, inv, started)  # the answer is the wait's, which names no new execution
    wait_many(ctx, inv, ids)
    return None


def check_flows_and_jobs(ctx: Context, project: str, flows: list[str],
                         disabled: list[str]) -> dict[str, list[str]]:
    """Refuse a flow the project does not have, or a ``--disable`` job none of the flows has;
    the jobs each flow is to skip (those of the names it has: Azkaban would ignore the rest)."""
    from azshell.shell.handlers.jobcheck import closest, closest_flow, graph_paths

    known = ctx.client.flows(project)
    for flow in flows:
        if flow not in known:
            raise NotFound(f"execute: project {project} has no flow {flow!r}"
                           f"{closest_flow(flow, known)}; nothing was started")
    if not disabled:
        return {flow: [] for flow in flows}
    paths: dict[str, list[str]] = {}
    for flow in flows:
        paths[flow] = graph_paths(ctx.client.flow_graph(project, flow).get("nodes") or [])
        with contextlib.suppress(Exception):
            ctx.names.add_jobs(project, flow, [p for p in paths[flow] if ":" not in p])
    every = sorted({p for found in paths.values() for p in found})
    for name in disabled:
        if not any(name in found for found in paths.values()):
            raise NotFound(f"execute: --disable {name}: none of the flows {', '.join(flows)} "
                           f"of project {project} has a job {name!r}{closest(name, every)}; "
                           "nothing was started")
    return {flow: [n for n in disabled if n in paths[flow]] for flow in flows}


def start_all(ctx: Context, inv: Invocation, project: str, flows: list[str],
              disabled: dict[str, list[str]]) -> list[dict[str, Any]]:
    """executeFlow for each flow in turn; a refusal or Ctrl-C part way names what started."""
    from azshell.shell.handlers.starting import execute_options, start_flow

    started: list[dict[str, Any]] = []
    for index, flow in enumerate(flows):
        options = execute_options({**inv.values, "disable": disabled[flow]})
        try:
            execid = start_flow(ctx, project, flow, options)
        except KeyboardInterrupt:
            raise Interrupted(_interrupted(project, flows, index, started)) from None
        except AzshellError as err:
            _learn(ctx, inv, started)
            err.message = f"{err.message}; {_so_far(project, flows, index, started)}"
            raise
        started.append({"execid": execid, "project": project, "flow": flow})
        ctx.last_execid = execid
    return started


def _learn(ctx: Context, inv: Invocation, started: list[dict[str, Any]]) -> None:
    if started:
        with contextlib.suppress(Exception):  # a completion cache never fails a command
            ctx.names.learn(inv.command.name, inv.values, started)


def _so_far(project: str, flows: list[str], index: int, started: list[dict[str, Any]]) -> str:
    """What had started before flow ``index`` failed to, and what was not tried."""
    rest = flows[index + 1:]
    untried = f"not tried: {', '.join(rest)}" if rest else ""
    if not started:
        return untried + (" (no flow was started)" if rest else "no flow was started")
    ids = [str(s["execid"]) for s in started]
    done = ("started before it: " + ", ".join(f"execution {s['execid']} of {project}/{s['flow']}"
                                              for s in started))
    return "; ".join(p for p in (done, untried, f"'wait {' '.join(ids)}' follows the started "
                                                 "ones") if p)


def _interrupted(project: str, flows: list[str], index: int,
                 started: list[dict[str, Any]]) -> str:
    ids = " ".join(str(s["execid"]) for s in started)
    head = (f"interrupted while starting {flows[index]} of {project} (it may have started: "
            f"'running {project} {flows[index]}' tells)")
    if not started:
        return head
    return f"{head}; started before it: {ids} ('wait {ids}' follows them)"
