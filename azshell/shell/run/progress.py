"""A transfer's progress bar on a terminal: bytes sent, percentage, speed, time left.

A large upload can take minutes; without a bar, a person cannot tell a slow link from a hung
one. The bar is drawn on stderr only (stdout keeps the JSON answer), redrawn at most ten times
a second (the client reports every few kilobytes), and always fits one terminal row.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

REDRAW_INTERVAL = 0.1
SPEED_WINDOW = 3.0  # seconds of recent progress the speed is measured over
_FULL, _EMPTY = "█", "░"


def human_bytes(count: float) -> str:
    """``512 B``, ``4.5 KiB``, ``12.3 MiB``, ``1.2 GiB``."""
    value = float(max(0.0, count))
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover - the loop returns at GiB


def hms(seconds: float) -> str:
    """``0:07``, ``12:30``, ``1:02:03``."""
    whole = max(0, int(seconds + 0.5))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def bar_line(label: str, sent: int, total: int, speed: float | None, columns: int) -> str:
    """One row: ``label [████░░░░] 45%  4.5 MiB of 10.0 MiB  2.3 MiB/s  0:03 left``.

    What does not fit goes first: the time left, then the label, then the bar shrinks.
    """
    fraction = min(1.0, sent / total) if total > 0 else 1.0
    counts = f"{fraction * 100:3.0f}%  {human_bytes(sent)} of {human_bytes(total)}"
    rate = f"{human_bytes(speed)}/s" if speed else "-- B/s"
    left = ""
    if speed and total > sent:
        left = f"{hms((total - sent) / speed)} left"
    room = max(10, columns - 1)
    for with_label, with_left in ((True, True), (True, False), (False, False)):
        tail = f" {counts}  {rate}" + (f"  {left}" if with_left and left else "")
        head = f"{label} " if with_label and label else ""
        width = room - len(head) - len(tail) - 2
        if width >= 10:
            width = min(width, 30)
            filled = int(fraction * width)
            return f"{head}[{_FULL * filled}{_EMPTY * (width - filled)}]{tail}"
    return f"{counts}  {rate}"[:room]


class TransferBar:
    """``progress(sent, total)`` for the client: draws the bar, throttled, and ends its line."""

    def __init__(
        self,
        stream: TextIO,
        label: str,
        columns: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
        interval: float = REDRAW_INTERVAL,
    ) -> None:
        self.stream = stream
        self.label = label
        self.columns = columns
        self.clock = clock
        self.interval = interval
        self.started = clock()
        self.last_draw: float | None = None
        self.samples: deque[tuple[float, int]] = deque()
        self.sent = 0
        self.total = 0
        self.drawn = False
        self.done = False
        self.redraws = 0

    def __call__(self, sent: int, total: int) -> None:
        now = self.clock()
        self.sent, self.total = sent, total
        self.samples.append((now, sent))
        while len(self.samples) > 2 and now - self.samples[0][0] > SPEED_WINDOW:
            self.samples.popleft()
        if self.done:
            return
        if sent >= total > 0:
            self.finish()
            return
        if self.last_draw is not None and now - self.last_draw < self.interval:
            return
        self.last_draw = now
        self._draw(bar_line(self.label, sent, total, self.speed(), self.columns()))

    def speed(self) -> float | None:
        """Bytes per second over the last few seconds; None until there is something to measure."""
        if len(self.samples) < 2:
            return None
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 and s1 > s0 else None

    def _draw(self, line: str) -> None:
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self.drawn = True
        self.redraws += 1

    def finish(self) -> None:
        """Everything is sent: one last line with the average speed, then the server works."""
        if self.done:
            return
        self.done = True
        elapsed = max(self.clock() - self.started, 1e-6)
        average = human_bytes(self.total / elapsed)
        self._draw(f"{self.label}: sent {human_bytes(self.total)} in {elapsed:.1f} s "
                   f"({average}/s); the server is installing it")
        self.stream.write("\n")
        self.stream.flush()

    def abort(self) -> None:
        """End the bar's line (Ctrl-C, a failure) so the next message starts on its own row."""
        if self.drawn and not self.done:
            self.done = True
            self.stream.write("\n")
            self.stream.flush()
