"""log: an execution's flow log or one job's log, as text on a terminal."""

from __future__ import annotations

from azshell.shell.context import Context, Reply
from azshell.shell.handlers.executions import execution_id
from azshell.shell.parser import Invocation


def log(ctx: Context, inv: Invocation) -> Reply:
    """The whole log so far (all pages, HTML entities already decoded by the client)."""
    execid = execution_id(ctx, inv.values["execid"])
    job = inv.values["job"]
    text = ctx.client.read_job_log(execid, job) if job else ctx.client.read_flow_log(execid)
    data = {"execid": execid, "job": job, "log": text}
    return Reply(data, text=text.rstrip("\n") or "(the log is empty so far)", raw=text)
