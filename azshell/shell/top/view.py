"""What ``top`` shows, as pure functions of the rows: filtering, sorting, and the columns that fit
the terminal's width. No prompt_toolkit here, so tests need no terminal."""

from __future__ import annotations

import time
from collections.abc import Callable

from azshell.shell.top.source import Row

SORTS = ("newest", "status", "longest", "flow")
# Unfinished first when sorting by status: the states that need an operator's eye.
_STATUS_ORDER = {"FAILED_FINISHING": 0, "KILLING": 0, "RUNNING": 1, "PAUSED": 1,
                 "PREPARING": 2, "DISPATCHING": 2, "QUEUED": 2, "READY": 2}
STATUS_STYLES = {
    "SUCCEEDED": "ansigreen", "FAILED": "ansired", "KILLED": "ansired",
    "EXECUTION_STOPPED": "ansired", "FAILED_FINISHING": "ansiyellow", "KILLING": "ansiyellow",
    "PAUSED": "ansiyellow", "RUNNING": "ansicyan", "PREPARING": "ansicyan",
    "DISPATCHING": "ansicyan", "CANCELLED": "ansibrightblack",
}


def matches(row: Row, text: str) -> bool:
    """``/`` filter: every word of ``text`` somewhere in the row (any case)."""
    haystack = " ".join([str(row.execid), f"{row.project}/{row.flow}", row.status, row.user,
                         *row.running]).lower()
    return all(word in haystack for word in text.lower().split())


def select(rows: list[Row], *, text: str = "", user: str | None = None,
           statuses: tuple[str, ...] = ()) -> list[Row]:
    return [r for r in rows if (not text or matches(r, text))
            and (user is None or r.user == user)
            and (not statuses or r.status in statuses)]


def took_ms(row: Row, now_ms: int) -> int:
    if row.start <= 0:
        return 0
    return max(0, (row.end if row.end > 0 else now_ms) - row.start)


def sort(rows: list[Row], how: str, now_ms: int | None = None) -> list[Row]:
    now = int(time.time() * 1000) if now_ms is None else now_ms
    keys: dict[str, Callable[[Row], tuple]] = {
        "newest": lambda r: (-r.execid,),
        "status": lambda r: (_STATUS_ORDER.get(r.status, 3), -r.execid),
        "longest": lambda r: (-took_ms(r, now), -r.execid),
        "flow": lambda r: (r.project, r.flow, -r.execid),
    }
    return sorted(rows, key=keys[how])


def clock(ms: int, now_ms: int) -> str:
    """``14:02:11`` today, ``12-31 23:59`` before, ``-`` never."""
    if ms <= 0:
        return "-"
    local = time.localtime(ms / 1000)
    if time.localtime(now_ms / 1000)[:3] == local[:3]:
        return time.strftime("%H:%M:%S", local)
    return time.strftime("%m-%d %H:%M", local)


def span(ms: int) -> str:
    """``0:05``, ``12:34``, ``1:02:03``."""
    total = ms // 1000
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# (header, width) of the fixed columns, dropped from the right end of this list first when
# the terminal is narrow; FLOW and JOBS share what is left.
_FIXED = [("ID", 7), ("STATUS", 10), ("START", 11), ("TIME", 8), ("DONE", 7), ("USER", 10)]
MIN_FLOW = 16


def layout(width: int) -> tuple[list[tuple[str, int]], int, int]:
    """The fixed columns that fit, the FLOW width and the JOBS width (0 = not shown)."""
    fixed = list(_FIXED)
    while fixed and sum(w + 1 for _, w in fixed) + MIN_FLOW > width:
        fixed.pop()
    room = width - sum(w + 1 for _, w in fixed) - 1
    if room >= MIN_FLOW + 20:
        flow = max(MIN_FLOW, min(40, room // 2))
        return fixed, flow, room - flow - 1
    return fixed, max(1, room), 0


def cells(row: Row, now_ms: int) -> dict[str, str]:
    progress = f"{row.done}/{row.total}" if row.total else "-"
    return {"ID": str(row.execid), "STATUS": row.status, "START": clock(row.start, now_ms),
            "TIME": span(took_ms(row, now_ms)) if row.start > 0 else "-", "DONE": progress,
            "USER": row.user, "FLOW": f"{row.project}/{row.flow}",
            "JOBS": ", ".join(row.running)}


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: max(0, width - 1)] + "…"


def header_line(width: int) -> str:
    fixed, flow, jobs = layout(width)
    parts = [_fit("ID", fixed[0][1]).rjust(fixed[0][1])] if fixed else []
    parts.append(_fit("FLOW", flow))
    parts += [_fit(name, w) for name, w in fixed[1:]]
    if jobs:
        parts.append(_fit("RUNNING JOBS", jobs))
    return " ".join(parts)[:width]


def row_fragments(row: Row, width: int, now_ms: int, color: bool) -> list[tuple[str, str]]:
    """One row as (style, text) pieces; the status in its colour when colour is on."""
    fixed, flow, jobs = layout(width)
    values = cells(row, now_ms)
    out: list[tuple[str, str]] = []
    if fixed:
        out.append(("", values["ID"].rjust(fixed[0][1])[: fixed[0][1]]))
    out.append(("", " " + _fit(values["FLOW"], flow)))
    for name, w in fixed[1:]:
        style = STATUS_STYLES.get(row.status, "") if name == "STATUS" and color else ""
        out.append(("", " "))
        out.append((style, _fit(values[name], w)))
    if jobs:
        out.append(("", " " + _fit(values["JOBS"], jobs)))
    return out


def summary_line(rows: list[Row], shown: int, sort_by: str, interval: float, text: str) -> str:
    running = sum(1 for r in rows if not r.finished)
    failed = sum(1 for r in rows if r.status in ("FAILED", "KILLED", "FAILED_FINISHING"))
    parts = [f"{len(rows)} executions", f"{running} unfinished", f"{failed} failed",
             f"sort: {sort_by}", f"every {interval:g}s"]
    if text:
        parts.append(f"filter: {text} ({shown} shown)")
    return "  ".join(parts)
