"""flows, jobs: what a project contains."""

from __future__ import annotations

from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context


def flows(ctx: Context, inv: Invocation) -> list[str]:
    return ctx.client.flows(inv.values["project"])


def jobs(ctx: Context, inv: Invocation) -> dict:
    """The flow graph: each job with its type and the jobs it depends on."""
    return ctx.client.flow_graph(inv.values["project"], inv.values["flow"])
