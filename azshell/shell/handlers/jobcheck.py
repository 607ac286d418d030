"""Job names typed in options (``--disable``, ``sla set --job``) checked against the flow.

Azkaban ignores a disabled job it does not know (§6.1), so ``--disable trasform_a`` would run
the job the user meant to skip. The names are read from the flow's graph before anything is
sent; an unknown one is refused with the closest names the flow has.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from azshell.errors import AzshellError, NotFound
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context


def graph_paths(nodes: Iterable[Any], prefix: str = "") -> list[str]:
    """Every node of a fetchflowgraph answer by its path: ``job``, ``sub`` and ``sub:job``
    (an embedded flow may be disabled whole, or some of its jobs)."""
    paths: list[str] = []
    for node in nodes:
        if not isinstance(node, dict) or not node.get("id"):
            continue
        path = f"{prefix}{node['id']}"
        paths.append(path)
        inner = node.get("nodes")
        if isinstance(inner, list):
            paths += graph_paths(inner, f"{path}:")
    return paths


def closest_flow(flow: str, known: list[str]) -> str:
    """`` (did you mean 'main'?)``, else the flows the project has."""
    close = difflib.get_close_matches(flow, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (its flows: {', '.join(sorted(known))})" if known else " (it has no flows)"


def unknown_flow(ctx: Context, project: str, flow: str, err: NotFound) -> NotFound:
    """``Flow 'finsh' cannot be found in project etl`` with the project's closest flow; the
    server's words as they are when the project itself is missing or the flow exists."""
    try:
        known = ctx.client.flows(project)
    except AzshellError:
        return err
    if flow in known:
        return err
    return NotFound(f"project {project} has no flow {flow!r}{closest_flow(flow, known)}; "
                    "nothing was started", err.status, err.body)


def closest(name: str, known: list[str]) -> str:
    """`` (did you mean 'transform_a' or 'transform_b'?)``, or the names there are when none is
    close."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if close:
        quoted = [repr(c) for c in close]
        said = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
        return f" (did you mean {said}?)"
    names = sorted(known)  # a server lists nodes in its hash map's order, which says nothing
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return f" (its jobs: {shown})" if known else ""


def check_jobs(ctx: Context, inv: Invocation, names: list[str], *,
               option: str = "--disable", nothing_done: str = "nothing was sent") -> None:
    """Refuse a job name the flow of ``inv`` does not have (its graph is asked only when
    names are given): the name, the flow, the closest names and what was not done."""
    if not names:
        return
    project, flow = inv.values["project"], inv.values["flow"]
    known = graph_paths(ctx.client.flow_graph(project, flow).get("nodes") or [])
    if known:
        ctx.names.add_jobs(project, flow, [k for k in known if ":" not in k])
    for name in names:
        if name not in known:
            raise NotFound(f"{inv.command.name}: {option} {name}: flow {flow} of project "
                           f"{project} has no job {name!r}{closest(name, known)}; "
                           f"{nothing_done}")


def execution_paths(nodes: Iterable[Any]) -> list[str]:
    """The jobs of a fetchexecflow answer by their paths (``nestedId``: ``sub:job``)."""
    paths: list[str] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        path = node.get("nestedId") or node.get("id")
        if path:
            paths.append(str(path))
        if isinstance(node.get("nodes"), list):
            paths += execution_paths(node["nodes"])
    return paths


def unknown_execution_job(ctx: Context, execid: int, job: str, err: NotFound) -> NotFound:
    """``Job lood doesn't exist in 1`` with the execution's closest job names (``log``)."""
    try:
        known = execution_paths(ctx.client.execution(execid).get("nodes") or [])
    except AzshellError:
        return err
    if not known or job in known:
        return err
    return NotFound(f"execution {execid} has no job {job!r}{closest(job, known)}",
                    err.status, err.body)
