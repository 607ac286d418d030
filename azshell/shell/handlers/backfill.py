"""backfill: one execution of a flow per date of a range, the date passed as a flow parameter.

The state file records each date before its execution is asked for and the execution id once
it is known, so a backfill stopped (Ctrl-C, a lost connection, a reboot) resumes by running the
same command again: dates with an execution are followed, never started again, and a start
whose answer was lost stays marked ``UNKNOWN`` rather than being sent twice. Only a start the
server refused (nothing ran) is tried again on resume.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from azshell.errors import (
    ApiError,
    AzshellError,
    Interrupted,
    LocalError,
    OutcomeUnknown,
    UsageError,
)
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.dispatch import emit

POLL_FIRST, POLL_MAX = 0.1, 1.0  # seconds between looks: soon after a change, then less often
MAX_RUNS = 10_000
DEFAULT_PARAM = "date"
DAY_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%Y-%m-%dT%H:%M"
KEY_FORMAT = "%Y-%m-%dT%H:%M"
FINAL = frozenset({"SUCCEEDED", "FAILED", "KILLED", "CANCELLED", "SKIPPED",
                   "EXECUTION_STOPPED"})
# not an Azkaban status: recorded here for a start that never became an execution
STARTING, UNKNOWN, REFUSED = "STARTING", "UNKNOWN", "REFUSED"
_STEP = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass
class Run:
    """One date of the backfill and what became of it."""

    key: str
    params: dict[str, str]
    execid: int | None = None
    status: str = "PENDING"
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.key, "params": self.params, "execid": self.execid,
                               "status": self.status}
        if self.message:
            out["message"] = self.message
        return out


@dataclass
class Backfill:
    project: str
    flow: str
    runs: list[Run]
    state_path: Path
    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)

    def save(self) -> None:
        """Write the state atomically (a crash leaves the old file or the new one)."""
        for run in self.runs:
            if run.status != "PENDING":
                self.recorded[run.key] = {"execid": run.execid, "status": run.status,
                                          **({"message": run.message} if run.message else {})}
        data = {"project": self.project, "flow": self.flow, "runs": self.recorded}
        part = self.state_path.with_name(self.state_path.name + ".part")
        try:
            part.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(part, self.state_path)
        except OSError as err:
            raise LocalError(f"backfill: cannot write the state file {self.state_path}: "
                             f"{err.strerror}") from None


# -- reading the options ------------------------------------------------------------------------

def parse_date(text: str | None, what: str) -> datetime:
    """``2024-01-31``, ``2024-01-31T06:00`` or ``2024-01-31 06:00``."""
    if not text:
        raise UsageError(f"backfill: {what} DATE is needed (YYYY-MM-DD)")
    for fmt in (DAY_FORMAT, TIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise UsageError(f"backfill: {what} {text!r} is not a date: use YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM")


def parse_step(text: str | None) -> timedelta:
    match = _STEP.match(text or "1d")
    if not match or int(match.group(1)) == 0:
        raise UsageError(f"backfill: --step {text!r}: use a number and m, h, d or w (1d, 6h, "
                         "30m, 1w)")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def parse_params(specs: list[str], step: timedelta) -> list[tuple[str, str]]:
    """``NAME[=FORMAT]`` pairs; ``date=%Y-%m-%d`` (or with the time under a day) by default."""
    default = DAY_FORMAT if step >= timedelta(days=1) else TIME_FORMAT
    pairs = []
    for spec in specs or [DEFAULT_PARAM]:
        name, eq, fmt = spec.partition("=")
        if not name.strip() or "[" in name or "]" in name:
            raise UsageError(f"backfill: bad --param {spec!r}: use NAME or NAME=FORMAT")
        pairs.append((name.strip(), fmt if eq else default))
    return pairs


def dates(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    if end < start:
        raise UsageError("backfill: --to is before --from")
    count = int((end - start) / step) + 1
    if count > MAX_RUNS:
        raise UsageError(f"backfill: {count} runs is too many (at most {MAX_RUNS}); use a "
                         "larger --step or a shorter range")
    return [start + i * step for i in range(count)]


def state_path(values: dict[str, Any], project: str, flow: str) -> Path:
    given = values.get("state")
    if given:
        return Path(given).expanduser()
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{project}-{flow}")
    return Path(f".azshell-backfill-{safe}.json")


def load_state(path: Path, project: str, flow: str) -> dict[str, dict[str, Any]]:
    """The runs a state file records (none if there is no file yet)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise LocalError(f"backfill: cannot read the state file {path}: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict):
        raise LocalError(f"backfill: {path} is not a backfill state file")
    if data.get("project") != project or data.get("flow") != flow:
        raise LocalError(f"backfill: the state file {path} is for {data.get('project')}/"
                         f"{data.get('flow')}, not {project}/{flow}; give another --state FILE")
    return {str(k): v for k, v in data["runs"].items() if isinstance(v, dict)}


def _options(values: dict[str, Any], params: dict[str, str]) -> Any:
    from azshell.client import ExecuteOptions

    concurrent = values.get("concurrent")
    if not concurrent and (values.get("parallel") or 1) > 1:
        concurrent = "ignore"  # else Azkaban refuses a second run of a running flow
    kwargs: dict[str, Any] = {"disabled": list(values.get("disable") or []), "params": params,
                              "notify_failure": list(values.get("notify_failure") or []),
                              "notify_success": list(values.get("notify_success") or []),
                              "concurrent": concurrent or "skip",
                              "on_failure": values.get("on_failure") or "finish"}
    return ExecuteOptions(**kwargs)


def prepare(ctx: Context, inv: Invocation) -> tuple[Backfill, int]:
    """The backfill described by the line, with what the state file already records."""
    values = inv.values
    project, flow = values["project"], values["flow"]
    start = parse_date(values.get("from"), "--from")
    end = parse_date(values.get("to"), "--to")
    step = parse_step(values.get("step"))
    pairs = parse_params(values.get("param") or [], step)
    _options(values, {}).to_params()  # a bad option is a usage error before anything starts
    path = state_path(values, project, flow)
    recorded = load_state(path, project, flow)
    runs = []
    whole_days = step % timedelta(days=1) == timedelta(0) and start.time() == datetime.min.time()
    key_format = DAY_FORMAT if whole_days else KEY_FORMAT
    for when in dates(start, end, step):
        key = when.strftime(key_format)
        run = Run(key, {name: when.strftime(fmt) for name, fmt in pairs})
        old = recorded.get(key)
        if old and old.get("status") != REFUSED:
            run.execid = old.get("execid") if isinstance(old.get("execid"), int) else None
            run.status = str(old.get("status") or UNKNOWN)
            run.message = str(old.get("message") or "")
        runs.append(run)
    parallel = int(values.get("parallel") or 1)
    return Backfill(project, flow, runs, path, recorded), parallel


# -- running ------------------------------------------------------------------------------------

def backfill(ctx: Context, inv: Invocation) -> Reply | None:
    job, parallel = prepare(ctx, inv)
    if flow_missing(ctx, job.project, job.flow):
        raise ApiError(f"Flow {job.flow} not found in project {job.project}")
    view = LiveTable(ctx) if ctx.out.stdout_tty else None
    try:
        _loop(ctx, inv, job, parallel, view)
    except KeyboardInterrupt:
        job.save()
        if view is not None:
            view.close()
        going = [f"{r.key} ({r.execid})" for r in job.runs if r.execid and r.status not in FINAL]
        more = f"; still running: {', '.join(going)}" if going else ""
        raise Interrupted(f"interrupted: backfill stopped{more}; run the same command again to "
                          f"resume (state in {job.state_path})") from None
    if view is not None:
        view.close()
    return _finish(ctx, inv, job)


def flow_missing(ctx: Context, project: str, flow: str) -> bool:
    return flow not in ctx.client.flows(project)


def _loop(ctx: Context, inv: Invocation, job: Backfill, parallel: int, view: Any) -> None:
    pending = [r for r in job.runs if r.status == "PENDING"]
    running = [r for r in job.runs if r.execid is not None and r.status not in FINAL]
    job.save()
    delay = POLL_FIRST
    while pending or running:
        while pending and len(running) < parallel:
            run = pending.pop(0)
            _start(ctx, inv, job, run)
            delay = POLL_FIRST
            if run.execid is not None and run.status not in FINAL:
                running.append(run)
        if view is not None:
            view.draw(job)
        if not running:
            continue
        time.sleep(delay)
        delay = min(delay * 2, POLL_MAX)
        for run in list(running):
            status = _status(ctx, run)
            if status != run.status:
                run.status = status
                job.save()
                delay = POLL_FIRST
            if status in FINAL:
                running.remove(run)
    if view is not None:
        view.draw(job)


def _start(ctx: Context, inv: Invocation, job: Backfill, run: Run) -> None:
    """Record the date first, then ask for the execution: a lost answer leaves UNKNOWN."""
    run.status = STARTING
    job.save()
    try:
        run.execid = ctx.client.execute(job.project, job.flow, _options(inv.values, run.params))
        run.status = "PREPARING"
    except OutcomeUnknown as err:
        run.status, run.message = UNKNOWN, str(err)
    except ApiError as err:
        run.status, run.message = REFUSED, str(err)
    job.save()


def _status(ctx: Context, run: Run) -> str:
    if run.execid is None:  # never started: nothing to ask
        return run.status
    try:
        data = ctx.client.execution(run.execid)
    except AzshellError as err:
        run.message = str(err)
        return run.status
    return str(data.get("status") or run.status)


def _finish(ctx: Context, inv: Invocation, job: Backfill) -> Reply | None:
    counts: dict[str, int] = {}
    for run in job.runs:
        counts[run.status] = counts.get(run.status, 0) + 1
    ok = all(run.status == "SUCCEEDED" for run in job.runs)
    data = {"ok": ok, "project": job.project, "flow": job.flow, "state": str(job.state_path),
            "summary": counts, "runs": [r.to_dict() for r in job.runs]}
    text = summary_text(job, counts)
    if ok:
        return Reply(data, text=text)
    emit(ctx, inv.command, Reply(data, text=text))
    bad = [r for r in job.runs if r.status != "SUCCEEDED"]
    first = bad[0]
    hint = f"; 'log {first.execid}' shows why" if first.execid else ""
    raise AzshellError(f"backfill of {job.project}/{job.flow}: {len(bad)} of {len(job.runs)} "
                       f"run{'s' if len(job.runs) > 1 else ''} did not succeed (first: "
                       f"{first.key} {first.status}){hint}")


def summary_text(job: Backfill, counts: dict[str, int]) -> str:
    lines = table_lines(job.runs)
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    lines.append(f"{len(job.runs)} run{'s' if len(job.runs) != 1 else ''}: {parts} "
                 f"(state: {job.state_path})")
    return "\n".join(lines)


def table_lines(runs: list[Run]) -> list[str]:
    width = max((len(r.key) for r in runs), default=4)
    lines = [f"{'DATE'.ljust(width)}  {'EXECID':>7}  STATUS"]
    for run in runs:
        execid = str(run.execid) if run.execid is not None else "-"
        note = f"  {run.message}" if run.message and run.status in (UNKNOWN, REFUSED) else ""
        lines.append(f"{run.key.ljust(width)}  {execid:>7}  {run.status}{note}")
    return lines


class LiveTable:
    """The runs redrawn in place on a terminal: the rows that fit, then the counts."""

    def __init__(self, ctx: Context) -> None:
        self.out = ctx.out
        self.drawn = 0

    def draw(self, job: Backfill) -> None:
        rows = self.out.size()[1] - 3
        lines = table_lines(job.runs)
        if len(lines) > max(rows, 3):
            active = [i for i, r in enumerate(job.runs, 1) if r.status not in ("PENDING",)
                      and r.status not in FINAL]
            first = max(1, min(active[0] if active else len(lines) - rows, len(lines) - rows))
            lines = [lines[0], *lines[first:first + rows - 1]]
        done = sum(r.status in FINAL for r in job.runs)
        lines.append(f"{done} of {len(job.runs)} done")
        text = "".join(f"\x1b[2K{line}\n" for line in lines)
        up = f"\x1b[{self.drawn}F" if self.drawn else ""
        with contextlib.suppress(OSError):
            self.out.stdout.write(up + text + "\x1b[J")
            self.out.stdout.flush()
        self.drawn = len(lines)

    def close(self) -> None:
        """Clear the live rows: the summary table takes their place."""
        if self.drawn:
            with contextlib.suppress(OSError):
                self.out.stdout.write(f"\x1b[{self.drawn}F\x1b[J")
                self.out.stdout.flush()
        self.drawn = 0
