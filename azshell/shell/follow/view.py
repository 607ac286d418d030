"""How a followed execution looks on a terminal: job lines, a status line, a summary table.

Plain ANSI on the output stream, no prompt_toolkit (scripts on a terminal use it too): a job's
status change scrolls up as a line of its own, and one status line at the bottom is redrawn in
place (carriage return + clear line). The text functions are pure, so tests need no terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from azshell.client.execution_model import FAILED_JOB, QUIET, Change, Execution
from azshell.shell.run.output import visible
from azshell.shell.run.render import paint, span

CLEAR_LINE = "\r\x1b[K"
NAME_WIDTH_LIMIT = 40
SMALL_FLOW = 12  # up to this many jobs, the live lines are the summary: no table after them
HEARTBEAT_S = 60.0  # in a pipe, a line on stderr at least this often while nothing changes


def seconds(ms: int) -> str:
    """A duration for people: ``0.4s``, ``12s``, ``1m 05s``, ``2h 03m`` (render.span)."""
    return span(ms, tenths=True)


def clock_time(ms: int) -> str:
    """A server time as local ``HH:MM:SS``; ``-`` before it happened."""
    if ms <= 0:
        return "-"
    return time.strftime("%H:%M:%S", time.localtime(ms / 1000))


def elapsed(model: Execution, now_ms: int | None = None) -> str:
    """How long the flow has run (or ran): ``m:ss``, ``h:mm:ss`` past an hour."""
    start = model.start_time
    if start <= 0:
        return "0:00"
    end = model.end_time if model.end_time > 0 else (now_ms or int(time.time() * 1000))
    total = max(0, end - start) // 1000
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def job_duration(node: dict[str, Any]) -> str:
    start, end = node.get("startTime"), node.get("endTime")
    if not isinstance(start, int) or start <= 0 or not isinstance(end, int) or end <= 0:
        return ""
    return seconds(end - start)


def bar(done: int, total: int, width: int = 20, unicode: bool = True) -> str:
    """``[████░░░░]`` (or ``[##--]`` where the terminal is not UTF-8)."""
    full, empty = ("█", "░") if unicode else ("#", "-")
    filled = width if total <= 0 else min(width, done * width // total)
    return "[" + full * filled + empty * (width - filled) + "]"


def name_width(model: Execution) -> int:
    names = [len(path) for path, _ in model.jobs()]
    return min(max(names, default=4), NAME_WIDTH_LIMIT)


def job_line(change: Change, width: int, color: bool) -> str:
    """``  extract    SUCCEEDED 0.4s``."""
    took = job_duration(change.node) if change.new not in ("RUNNING", "QUEUED") else ""
    text = f"  {change.path.ljust(width)}  {paint(change.new, color)}"
    return f"{text} {took}" if took else text


def status_line(model: Execution, columns: int, color: bool, unicode: bool = True,
                now_ms: int | None = None) -> str:
    """``RUNNING  0:12  [████░░░░] 3/7  running: load, transform_a``, cut to fit one row."""
    done, total = model.counts()
    status = model.status or "?"
    head = f"{status}  {elapsed(model, now_ms)}  {bar(done, total, unicode=unicode)} {done}/{total}"
    running = model.running()
    plain = head + (f"  running: {', '.join(running)}" if running else "")
    limit = max(2, columns - 1)  # the last column would wrap on some terminals
    if len(plain) > limit:
        plain = plain[: limit - 1] + "…"
    if plain.startswith(status + " "):
        return paint(status, color) + plain[len(status):]
    return plain


def header(model: Execution) -> str:
    _, total = model.counts()
    return (f"following execution {model.execid}: {model.project}/{model.flow} "
            f"({total} job{'s' if total != 1 else ''})")


def started_order(item: tuple[str, dict[str, Any]]) -> tuple[int, int, str]:
    """Jobs in the order they started, those not started yet last (by path): a server lists
    them in its hash map's order, which says nothing."""
    path, node = item
    start = node.get("startTime")
    started = isinstance(start, int) and start > 0
    return (0 if started else 1, start if started else 0, path)  # type: ignore[return-value]


def change_order(change: Change) -> tuple[int, str]:
    """Changes seen in one poll in the order they happened (a job's end, else its start):
    the server lists them in its hash map's order, so a flow's last job could come first."""
    times = [change.node.get(key) for key in ("endTime", "startTime")]
    when = next((t for t in times if isinstance(t, int) and t > 0), 1 << 62)
    return when, change.path


def _failures_first(item: tuple[str, dict[str, Any]]) -> tuple[int, tuple[int, int, str]]:
    """The jobs that failed (or were killed) first, the rest in the order they started."""
    return (0 if item[1].get("status") in FAILED_JOB else 1, started_order(item))


def summary(model: Execution, color: bool, *, table: bool = True) -> str:
    """The table of jobs at the end (failures first, then in the order they started) and a
    line on the flow; ``table=False`` leaves the table out (the live lines showed every job)."""
    if not table:
        return footer(model, color)
    return job_table(model, color) + "\n" + footer(model, color)


def job_table(model: Execution, color: bool) -> str:
    """JOB, STATUS, START, DURATION of every job, failures first."""
    rows = [(path, str(node.get("status") or ""), clock_time(_int(node.get("startTime"))),
             job_duration(node) or "-") for path, node in sorted(model.jobs(),
                                                                 key=_failures_first)]
    headers = ("JOB", "STATUS", "START", "DURATION")
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    head = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    lines = [f"\x1b[1m{head}\x1b[0m" if color else head]
    for job, status, start, took in rows:
        lines.append("  ".join([job.ljust(widths[0]), paint(status, color, widths[1]),
                                start.ljust(widths[2]), took]).rstrip())
    return "\n".join(lines)


def execution_view(model: Execution, color: bool, now_ms: int | None = None) -> str:
    """``show`` on a terminal: the flow, its status, its times in local time, and the jobs."""
    from azshell.shell.run.render import ago, when

    doc = model.document
    start, end = model.start_time, model.end_time
    lines = [f"execution {model.execid}  {model.project}/{model.flow}  "
             f"{paint(model.status or '?', color)}"]
    submitted, who = _int(doc.get("submitTime")), doc.get("submitUser")
    if submitted > 0:
        by = f" by {who}" if who else ""
        lines.append(f"submitted {when(submitted)} ({ago(submitted, now_ms)}){by}")
    lines.append(f"started   {when(start)} ({ago(start, now_ms)})" if start > 0
                 else "started   -")
    if end > 0:
        lines.append(f"ended     {when(end)} (took {seconds(end - start)})")
    elif start > 0:
        lines.append(f"running   for {elapsed(model, now_ms)}")
    done, total = model.counts()
    lines += [f"jobs      {done}/{total} done", "", job_table(model, color)]
    return "\n".join(lines)


def footer(model: Execution, color: bool) -> str:
    """``execution 42 demo/end FAILED after 1.2s: 1 succeeded, 1 failed, 2 cancelled``."""
    counts: dict[str, int] = {}
    for _, node in model.jobs():
        status = str(node.get("status") or "?")
        counts[status] = counts.get(status, 0) + 1
    parts = ", ".join(f"{n} {s.lower().replace('_', ' ')}" for s, n in counts.items())
    took = seconds(model.end_time - model.start_time) if model.start_time > 0 else "-"
    return (f"execution {model.execid} {model.project}/{model.flow} "
            f"{paint(model.status, color)} after {took}: {parts or 'no jobs'}")


def _int(value: Any) -> int:
    return value if isinstance(value, int) else -1


class LiveView:
    """The live display of one follow; ``close`` leaves the terminal on a clean line."""

    def __init__(self, stream: TextIO, *, color: bool, columns: Callable[[], int]) -> None:
        self.stream = stream
        self.color = color
        self.columns = columns
        self.unicode = "utf" in (getattr(stream, "encoding", "") or "").lower()
        self.width = 4
        self.drawn = False
        self.shown: dict[str, str] = {}  # job -> the status its last line showed

    def showed_everything(self, model: Execution) -> bool:
        """Whether the live lines already showed every job's final status, so the summary
        need not list them again (a small flow that fits on the screen)."""
        jobs = model.jobs()
        if len(jobs) > SMALL_FLOW:
            return False
        return all(self.shown.get(path) == str(node.get("status") or "")
                   or node.get("status") in QUIET | {"DISABLED", None}
                   for path, node in jobs)

    def started(self, model: Execution) -> None:
        self.width = name_width(model)
        lines = [header(model)]  # and what happened before the first answer
        for path, node in sorted(model.jobs(), key=started_order):
            if node.get("status") not in QUIET | {"DISABLED", None}:
                status = str(node.get("status"))
                self.shown[path] = status
                lines.append(job_line(Change(path, "", status, node), self.width, self.color))
        self._write(lines, model)

    def changed(self, model: Execution, changes: list[Change], old_status: str) -> None:
        shown = sorted((c for c in changes if c.new not in QUIET), key=change_order)
        for change in shown:
            self.shown[change.path] = change.new
        self._write([job_line(c, self.width, self.color) for c in shown], model)

    def _write(self, lines: list[str], model: Execution | None = None) -> None:
        clear = CLEAR_LINE if self.drawn else ""
        text = "".join(line + "\n" for line in lines)
        self.drawn = False
        if model is not None and not model.finished:
            text += status_line(model, self.columns(), self.color, self.unicode)
            self.drawn = True
        self.stream.write(clear + visible(text, keep_sgr=True))  # job names come from the server
        self.stream.flush()

    def close(self) -> None:
        """Clear the status line (before the summary, an error or the prompt)."""
        if self.drawn:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.drawn = False


class PipeView:
    """``execute --wait`` in a pipe (CI): one stderr line per job that changes state, and a
    heartbeat while nothing does, so a no-output time-out does not kill a long flow. The final
    JSON still goes to stdout alone."""

    def __init__(self, stream: TextIO, *, heartbeat: float = HEARTBEAT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.heartbeat = heartbeat
        self.clock = clock
        self.last = clock()

    def _say(self, text: str) -> None:
        if getattr(self.stream, "isatty", lambda: False)():  # job names come from the server
            text = visible(text)
        self.stream.write(text + "\n")
        self.stream.flush()
        self.last = self.clock()

    def started(self, model: Execution) -> None:
        self._say(f"azshell: {header(model)}")
        for path, node in sorted(model.jobs(), key=started_order):
            if node.get("status") not in QUIET | {"DISABLED", None}:
                self._say(self._job(model, path, str(node.get("status")), node))
        if model.finished:  # it had ended before the first look
            self._say(f"azshell: execution {model.execid} {model.status}")

    def changed(self, model: Execution, changes: list[Change], old_status: str) -> None:
        for change in sorted(changes, key=change_order):
            if change.new not in QUIET:
                self._say(self._job(model, change.path, change.new, change.node))
        if model.status != old_status:  # PAUSED, FAILED_FINISHING, the end
            self._say(f"azshell: execution {model.execid} {model.status}")
        elif self.clock() - self.last >= self.heartbeat:
            done, total = model.counts()
            running = ", ".join(model.running()) or "-"
            self._say(f"azshell: execution {model.execid} still {model.status} after "
                      f"{elapsed(model)}: {done}/{total} jobs done; running: {running}")

    def _job(self, model: Execution, path: str, status: str, node: dict[str, Any]) -> str:
        took = job_duration(node) if status not in ("RUNNING", "QUEUED") else ""
        return (f"azshell: execution {model.execid} job {path} {status}"
                f"{' after ' + took if took else ''}")

    def close(self) -> None:
        """Nothing to clean: every line ended with its newline."""
