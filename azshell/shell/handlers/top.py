"""top: the live list of executions, full screen on a terminal; one snapshot as JSON in a script."""

from __future__ import annotations

from typing import Any

from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply

SNAPSHOT_ROUNDS = 20  # refreshes a script's snapshot may take to be complete (no pause between)


def _source(ctx: Context, inv: Invocation) -> Any:
    from azshell.shell.top.source import Source

    book = ctx.names

    def known_flows() -> list[tuple[str, str]]:
        try:
            return [(p, f) for p, _ in book.projects() for f, _ in book.flows(p)]
        except Exception:  # a completion cache never fails a command
            return []

    hint = 0
    try:
        hint = max((e.execid for e in book.executions()), default=0)
    except Exception:
        hint = 0
    return Source(ctx.client, project=inv.values["project"], flow=inv.values["flow"],
                  known_flows=known_flows, highest_hint=hint)


def top(ctx: Context, inv: Invocation) -> Reply | None:
    """Full screen until q; in a script (no terminal), the list as it is now."""
    source = _source(ctx, inv)
    statuses = tuple(s.upper() for s in inv.values["status"])
    user = inv.values["user"]
    if not (ctx.out.stdout_tty and ctx.interactive):
        return _snapshot(source, user, statuses)
    from azshell.shell.top.app import TopApp

    interval = inv.values.get("interval") or 2
    verbose, ctx.settings.verbose = ctx.settings.verbose, False  # no lines over the screen
    try:
        TopApp(ctx, source, user=user, statuses=statuses, interval=float(interval),
               color=ctx.out.color).run()
    finally:
        ctx.settings.verbose = verbose
    return None


def _snapshot(source: Any, user: str | None, statuses: tuple[str, ...]) -> Reply:
    from azshell.errors import AzshellError
    from azshell.shell.top import view

    for _ in range(SNAPSHOT_ROUNDS):
        source.refresh()
        if source.offline:
            raise AzshellError(f"top: {source.offline}")
        if not source.incomplete:
            break
    rows = view.sort(view.select(source.snapshot(), user=user, statuses=statuses), "newest")
    data = {"executions": [
        {"execid": r.execid, "project": r.project, "flow": r.flow, "status": r.status,
         "submitUser": r.user, "submitTime": r.submit, "startTime": r.start,
         "endTime": r.end, "jobsDone": r.done, "jobsTotal": r.total, "running": r.running}
        for r in rows], "incomplete": source.incomplete}
    return Reply(data)
