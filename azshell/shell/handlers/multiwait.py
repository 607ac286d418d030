"""wait EXECID...: several executions followed at once, one live display, one exit code.

Each execution is a follow.py model kept current by incremental updates; one poll asks each
unfinished execution for what changed. On a terminal one line per execution is redrawn in place;
in a script nothing is shown until the end, when the execution documents are printed. The
command succeeds only if every execution SUCCEEDED. ``--notify`` rings the bell and sends a
desktop notification (OSC 9 and OSC 777) at the end; ``--on-done`` runs a command then.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from typing import Any

from azshell.client.execution_model import Execution
from azshell.errors import AzshellError, Interrupted
from azshell.shell.follow.follower import FIRST_INTERVAL, GROWTH, MAX_INTERVAL
from azshell.shell.follow.view import bar, elapsed, paint
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.dispatch import emit


def line(model: Execution, columns: int, color: bool, unicode: bool = True,
         width: int = 0) -> str:
    """``42  demo/main  RUNNING  0:12  [████░░] 3/7  load, transform_a``, cut to one row;
    ``width`` pads the flow's name so that the lines of a board line up."""
    done, total = model.counts()
    status = model.status or "?"
    name = f"{model.project}/{model.flow}".ljust(width)
    plain = (f"{model.execid:>6}  {name}  {status.ljust(9)}  "
             f"{elapsed(model)}  {bar(done, total, 12, unicode)} {done}/{total}")
    running = model.running()
    if running:
        plain += "  " + ", ".join(running)
    limit = max(2, columns - 1)
    if len(plain) > limit:
        plain = plain[: limit - 1] + "…"
    if color and f"  {status}" in plain:
        head, _, rest = plain.partition(f"  {status}")
        head += "  "
        return head + paint(status, True) + rest
    return plain


def picture(models: list[Execution], columns: int, color: bool,
            unicode: bool = True) -> str:
    """Every execution's line and a count of those still going."""
    going = sum(1 for m in models if not m.finished)
    head = (f"waiting for {len(models)} executions: {going} still going" if going
            else f"{len(models)} executions ended")
    width = max((len(m.project) + len(m.flow) + 1 for m in models), default=0)
    return "\n".join([head, *(line(m, columns, color, unicode, width) for m in models)])


class Board:
    """The combined display on a terminal: the lines redrawn in place at each change."""

    def __init__(self, out: Any, color: bool, columns: Any) -> None:
        self.out = out
        self.color = color
        self.columns = columns
        self.shown = 0
        encoding = (getattr(out, "encoding", None) or "utf-8").lower()
        self.unicode = "utf" in encoding

    def draw(self, models: list[Execution]) -> None:
        text = picture(models, self.columns(), self.color, self.unicode)
        if self.shown:
            self.out.write(f"\x1b[{self.shown}A\r\x1b[J")
        self.out.write(text + "\n")
        self.out.flush()
        self.shown = text.count("\n") + 1


def wait_many(ctx: Context, inv: Invocation, ids: list[int]) -> None:
    """Follow every execution in ``ids`` to its end; fail unless each one SUCCEEDED."""
    timeout = inv.values.get("timeout")
    board = Board(ctx.out.stdout, ctx.out.color, lambda: ctx.out.size()[0]) \
        if ctx.out.stdout_tty else None
    models: list[Execution] = []
    try:
        models = [Execution(ctx.client.execution(execid)) for execid in _unique(ids)]
        late = _poll(ctx, models, board, timeout)
    except KeyboardInterrupt:
        raise Interrupted(_interrupted(models)) from None
    except AzshellError as err:
        going = [m.execid for m in models if not m.finished]
        if going:
            err.message = (f"{err.message}; executions {_ids(going)} go on unfollowed: "
                           f"'wait {' '.join(map(str, going))}' follows them again")
        raise
    _learn(ctx, models)
    _outcome(ctx, inv, models, board)
    at_end(ctx, inv, models)
    if late:
        raise AzshellError(f"executions {_ids(late)} still running after {timeout:g} s; "
                           f"follow them again with: wait {' '.join(map(str, late))}")
    bad = [m for m in models if m.status != "SUCCEEDED"]
    if bad:
        raise AzshellError("not every execution succeeded: " + ", ".join(
            f"{m.execid} ({m.project}/{m.flow}) {m.status}" for m in bad))


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids))


def _poll(ctx: Context, models: list[Execution], board: Board | None,
          timeout: float | None) -> list[int]:
    """Poll until every execution ended (or ``timeout``); the ids still going at the time-out."""
    deadline = None if timeout is None else time.monotonic() + timeout
    interval = FIRST_INTERVAL
    if board is not None:
        board.draw(models)
    while not all(m.finished for m in models):
        pause = interval
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return [m.execid for m in models if not m.finished]
            pause = min(pause, left)
        time.sleep(pause)
        moved = False
        for model in models:
            if model.finished:
                continue
            before = model.status
            changes = model.merge(ctx.client.execution_update(model.execid, model.since))
            moved = moved or bool(changes) or model.status != before
        if board is not None:
            board.draw(models)  # elapsed times move even when no job does
        interval = FIRST_INTERVAL if moved else min(interval * GROWTH, MAX_INTERVAL)
    return []


def _interrupted(models: list[Execution]) -> str:
    going = [m.execid for m in models if not m.finished]
    if not going:
        return "interrupted: every execution had already ended"
    return (f"interrupted: executions {_ids(going)} go on; follow them again with "
            f"'wait {' '.join(map(str, going))}'")


def _learn(ctx: Context, models: list[Execution]) -> None:
    from azshell.shell.handlers.starting import learn_status

    for model in models:
        learn_status(ctx, model)


def _outcome(ctx: Context, inv: Invocation, models: list[Execution],
             board: Board | None) -> None:
    """The documents for a script; on a terminal the last drawing is the outcome."""
    documents = [m.document for m in models]
    if board is not None and ctx.settings.output in ("auto", "table"):
        return
    emit(ctx, inv.command, Reply(documents, raw=json.dumps(documents)))


def at_end(ctx: Context, inv: Invocation, models: list[Execution]) -> None:
    """--notify and --on-done, once the waiting is over (not after Ctrl-C)."""
    ok = all(m.status == "SUCCEEDED" for m in models)
    statuses = " ".join(f"{m.execid}={m.status}" for m in models)
    if inv.values.get("notify"):
        notify(ctx, f"azshell: {'all succeeded' if ok else 'not all succeeded'}: {statuses}")
    command = inv.values.get("on_done")
    if command:
        run_on_done(ctx, command, models, ok)


def notify(ctx: Context, message: str) -> None:
    """The bell, then OSC 9 (iTerm2, Windows Terminal, kitty) and OSC 777 (rxvt, foot, VTE);
    a terminal that knows neither ignores them. Nothing when no terminal is there to hear."""
    stream = ctx.out.stdout if ctx.out.stdout_tty else (
        ctx.out.stderr if ctx.out.stderr_tty else None)
    if stream is None:
        return
    text = message.replace("\x07", "").replace("\x1b", "").replace(";", ",")
    stream.write(f"\a\x1b]9;{text}\x07\x1b]777;notify;azshell;{text}\x07")
    stream.flush()


def run_on_done(ctx: Context, command: str, models: list[Execution], ok: bool) -> None:
    """Run the user's command with the outcome in its environment; its failure is a note,
    since the executions' outcome is what the exit status reports."""
    env = dict(os.environ)
    env["AZSHELL_EXECIDS"] = " ".join(str(m.execid) for m in models)
    env["AZSHELL_STATUSES"] = " ".join(f"{m.execid}={m.status}" for m in models)
    env["AZSHELL_OK"] = "1" if ok else "0"
    with contextlib.suppress(Exception):
        ctx.out.stdout.flush()
    try:
        done = subprocess.run(command, shell=True, env=env, check=False)
    except OSError as err:
        ctx.out.note(f"warning: --on-done command could not run: {err}")
        return
    if done.returncode != 0:
        ctx.out.note(f"warning: --on-done command exited with status {done.returncode}")
