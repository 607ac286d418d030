"""graph: a flow's DAG in the terminal (statuses of an execution, live with --follow), or as
DOT or Mermaid for other tools."""

from __future__ import annotations

import time
from typing import Any

from azshell.errors import AzshellError, Interrupted, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run import graph as drawing
from azshell.shell.run.context import Context, Reply

POLL = 1.0  # seconds between two updates with --follow


def graph(ctx: Context, inv: Invocation) -> Reply | None:
    """Draw PROJECT FLOW; with EXECID each job's status, and with --follow until it ends."""
    project, flow, execid = inv.values["project"], inv.values["flow"], inv.values["execid"]
    fmt = inv.values.get("format") or "text"
    if inv.values["follow"] and execid is None:
        raise UsageError("graph: --follow needs an EXECID to follow")
    if inv.values["follow"] and fmt != "text":
        raise UsageError("graph: --follow draws in the terminal; --format writes once")
    jobs = drawing.jobs_of(ctx.client.flow_graph(project, flow))
    model = _execution(ctx, project, flow, execid) if execid is not None else None
    if inv.values["follow"] and model is not None and ctx.out.stdout_tty:
        model = _follow(ctx, inv, jobs, model)
    elif inv.values["follow"] and model is not None:
        model = _wait_quietly(ctx, model)
    statuses = drawing.statuses_of(model.document) if model is not None else {}
    data = _document(project, flow, execid, jobs, statuses)
    if fmt in ("dot", "mermaid"):  # for another tool: the text itself, in a pipe too
        text = (drawing.to_dot(jobs, statuses, name=f"{project}/{flow}") if fmt == "dot"
                else drawing.to_mermaid(jobs, statuses))
        ctx.out.result(text)
        return None
    if inv.values["follow"] and ctx.out.stdout_tty:
        return None  # the last drawing is on the screen already
    return Reply(data, text=_picture(ctx, inv, jobs, statuses, model))


def _picture(ctx: Context, inv: Invocation, jobs: list[drawing.Job], statuses: dict[str, str],
             model: Any) -> str:
    title = f"{inv.values['project']}/{inv.values['flow']}"
    if model is not None:
        title += f"  execution {model.execid} {model.status}"
    return drawing.render(jobs, statuses, title=title, expand=inv.values["expand"],
                          width=ctx.out.size()[0], ascii=_ascii(ctx, inv),
                          color=ctx.out.color)


def _ascii(ctx: Context, inv: Invocation) -> bool:
    """``--ascii``, or a terminal whose encoding cannot show box-drawing characters."""
    if inv.values["ascii"]:
        return True
    encoding = (getattr(ctx.out.stdout, "encoding", None) or "utf-8").lower()
    try:
        "┌▼▸◀".encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return True
    return False


def _execution(ctx: Context, project: str, flow: str, execid: int) -> Any:
    """The execution's model; it must be a run of this very flow."""
    from azshell.client.execution_model import Execution

    model = Execution(ctx.client.execution(execid))
    if (model.project, model.flow) != (project, flow):
        raise AzshellError(f"execution {execid} is a run of {model.project}/{model.flow}, "
                           f"not of {project}/{flow}")
    return model


def _update(ctx: Context, model: Any) -> bool:
    """One incremental update; True when a job's or the flow's status changed."""
    before = model.status
    changes = model.merge(ctx.client.execution_update(model.execid, model.since))
    return bool(changes) or model.status != before


def _wait_quietly(ctx: Context, model: Any) -> Any:
    """In a script: wait for the end, then draw (or print the JSON) once."""
    try:
        while not model.finished:
            time.sleep(POLL)
            _update(ctx, model)
    except KeyboardInterrupt:
        raise Interrupted(_note(model)) from None
    return model


def _follow(ctx: Context, inv: Invocation, jobs: list[drawing.Job], model: Any) -> Any:
    """Redraw in place at each change until the execution ends; Ctrl-C stops the drawing,
    never the flow."""
    out = ctx.out.stdout
    shown = 0
    try:
        changed = True
        while True:
            if changed:
                text = _picture(ctx, inv, jobs, drawing.statuses_of(model.document), model)
                shown = _redraw(out, text, shown, ctx.out.size()[1])
            if model.finished:
                return model
            time.sleep(POLL)
            changed = _update(ctx, model)
    except KeyboardInterrupt:
        raise Interrupted(_note(model)) from None


def _redraw(out: Any, text: str, shown: int, rows: int) -> int:
    """Replace the last drawing (``shown`` lines) with ``text``; a drawing taller than the
    screen cannot be reached by moving up, so the screen is cleared instead."""
    lines = text.count("\n") + 1
    if shown and (shown >= rows or lines >= rows):
        out.write("\x1b[H\x1b[2J")
    elif shown:
        out.write(f"\x1b[{shown}A\r\x1b[J")
    out.write(text + "\n")
    out.flush()
    return lines


def _note(model: Any) -> str:
    if model.finished:
        return f"interrupted: execution {model.execid} had already ended ({model.status})"
    return (f"interrupted: stopped drawing; execution {model.execid} goes on "
            f"({model.status})")


def _document(project: str, flow: str, execid: int | None, jobs: list[drawing.Job],
              statuses: dict[str, str]) -> dict[str, Any]:
    """What scripts get: every job with its layer, parents and (given an execution) status."""
    return {"project": project, "flow": flow, "execid": execid,
            "nodes": _nodes(jobs, statuses, "")}


def _nodes(jobs: list[drawing.Job], statuses: dict[str, str], prefix: str,
           ) -> list[dict[str, Any]]:
    depth = {name: i for i, row in enumerate(drawing.layers(jobs)) for name in row}
    out: list[dict[str, Any]] = []
    for job in sorted(jobs, key=lambda j: (depth[j.id], j.id)):
        node: dict[str, Any] = {"id": prefix + job.id, "type": job.type,
                                "layer": depth[job.id] + 1,
                                "parents": [prefix + p for p in job.parents]}
        if statuses:
            node["status"] = statuses.get(prefix + job.id, "")
        if job.subflow:
            node["flow"] = job.subflow
            node["nodes"] = _nodes(job.children, statuses, prefix + job.id + ":")
        out.append(node)
    return out
