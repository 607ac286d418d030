"""What ``top``'s c, p, r and R do: each returns the question's verb and the action to run on
yes (None when there is nothing to do, the verb then says why); the action returns the line the
status bar shows. Run in the refresher thread, the one that uses the client."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import Any

from azshell.shell.top.source import Row


def _cancel(ctx: Any, client: Any, row: Row) -> tuple[str, Callable[[], str] | None]:
    if row.finished:
        return f"execution {row.execid} has already ended ({row.status})", None

    def act() -> str:
        client.cancel(row.execid)
        return f"cancelled execution {row.execid}"

    return "Cancel", act


def _pause(ctx: Any, client: Any, row: Row) -> tuple[str, Callable[[], str] | None]:
    if row.finished:
        return f"execution {row.execid} has already ended ({row.status})", None
    if row.status == "PAUSED":
        def resume() -> str:
            client.resume(row.execid)
            return f"resumed execution {row.execid}"

        return "Resume", resume

    def pause() -> str:
        client.pause(row.execid)
        return f"paused execution {row.execid}"

    return "Pause", pause


def _retry(ctx: Any, client: Any, row: Row) -> tuple[str, Callable[[], str] | None]:
    if row.finished:
        return (f"execution {row.execid} has ended ({row.status}); r reruns it instead", None)

    def act() -> str:
        client.retry_failed(row.execid)
        return f"retrying the failed jobs of execution {row.execid}"

    return "Retry the failed jobs of", act


def _rerun(ctx: Any, client: Any, row: Row) -> tuple[str, Callable[[], str] | None]:
    if not row.finished:
        return (f"execution {row.execid} is still {row.status}: wait for it or cancel it "
                "first", None)

    def act() -> str:
        return rerun(ctx, client, row.execid)

    return "Rerun (the jobs that succeeded disabled)", act


ACTIONS = {"c": _cancel, "p": _pause, "r": _rerun, "R": _retry}


def rerun(ctx: Any, client: Any, execid: int) -> str:
    """What ``rerun EXECID`` does, with the notes it would print returned in the message
    instead (the screen is the view's)."""
    from azshell.client.execution_model import done_jobs
    from azshell.shell.handlers.starting import start_flow
    from azshell.shell.run.output import Output

    quiet = copy.copy(ctx)
    notes = io.StringIO()
    quiet.out = Output(io.StringIO(), notes, color="off", pager=False)
    model = client.execution_model(execid)
    again = client.rerun_options(execid, done_jobs(model.document))
    new_id = start_flow(quiet, model.project, model.flow, again.options)
    warning = " ".join([*again.warnings, *(line for line in notes.getvalue().splitlines()
                                           if line)])
    return f"rerun of {execid} as {new_id}" + (f" ({warning})" if warning else "")
