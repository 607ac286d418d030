"""``top``'s full-screen prompt_toolkit application: the live list, one execution's jobs and graph,
a log, the keys, and the yes/no questions before acting.

One background thread owns the client: it runs the queued actions, refreshes the source and the
open execution or log, then sleeps for the interval (or until woken). The screen is redrawn from
that state; Ctrl-C and ``q`` only leave the view, they never touch a flow.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prompt_toolkit.application import Application
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.mouse_events import MouseEventType
from prompt_toolkit.output.color_depth import ColorDepth
from prompt_toolkit.styles import Style

from azshell.client.execution_model import FINAL_FLOW, Execution
from azshell.errors import AzshellError
from azshell.shell.follow.view import started_order
from azshell.shell.top import view
from azshell.shell.top.keys import bindings
from azshell.shell.top.source import Row, Source, action_error
from azshell.threads import start_daemon

INTERVALS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
LOG_PAGES_PER_REFRESH = 5
KEYS_HELP = """Keys of top

  ↑ ↓  j k        select an execution (or a job)
  PgUp PgDn g G   move by a page, to the top, to the end
  Enter           open the execution: its jobs, live, and its graph
  l               follow the log of the selected job, or of the flow
  c               cancel the execution (asks first)
  p               pause it, or resume it when paused (asks first)
  r               rerun it, the jobs that succeeded disabled (asks first)
  R               retry its failed jobs while it is finishing (asks first)
  /               filter by text (Enter keeps it, Esc clears it)
  s               sort: newest, status, longest, flow
  + -             refresh more or less often
  mouse click     select
  ?               these keys
  q  Esc          back; from the list, back to the prompt (Ctrl-C too: no flow is touched)

Press any key to go back."""
FOOTER = ("j/k move  Enter open  l log  c cancel  p pause  r rerun  R retry  / filter  s sort  "
          "+/- interval  ? keys  q back")
FOOTER_SHORT = "j/k Enter l c p r R / s +/- ? q"


@dataclass
class Question:
    """A yes/no question before an action; ``act`` runs in the refresher thread on yes."""

    text: str
    act: Callable[[], str]


@dataclass
class LogState:
    execid: int
    job: str | None
    text: str = ""
    offset: int = 0
    error: str = ""


class TopApp:
    """The state of the view and the prompt_toolkit application that draws it."""

    def __init__(self, ctx: Any, source: Source, *, user: str | None = None,
                 statuses: tuple[str, ...] = (), interval: float = 2.0,
                 color: bool = True) -> None:
        self.ctx = ctx
        self.source = source
        self.user = user
        self.statuses = statuses
        self.interval = interval
        self.color = color
        self.mode = "list"  # list | detail | log | help
        self.back_to = "list"  # where q goes from the log
        self.selected_id: int | None = None
        self.top_row = 0
        self.filter_text = ""
        self.typing = False
        self.sort_i = 0
        self.question: Question | None = None
        self.message = ""
        self.detail_id: int | None = None
        self.detail: Execution | None = None
        self.detail_graph: list[Any] | None = None
        self.job_index = 0
        self.log: LogState | None = None
        self.lock = threading.Lock()  # the open execution, merged by the refresher
        self.actions: queue.Queue[Callable[[], None]] = queue.Queue()
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.app = self._application()

    # -- running -------------------------------------------------------------------------------
    def run(self) -> None:
        worker = start_daemon(self._refresher, "azshell-top")  # Ctrl-C stays the view's
        try:
            self.app.run()
        finally:
            self.stop.set()
            self.wake.set()
            worker.join(timeout=5)

    def _refresher(self) -> None:
        while not self.stop.is_set():
            self._run_actions()
            try:
                self.source.refresh()
                self._refresh_detail()
                self._refresh_log()
            except AzshellError as err:  # an expired session that cannot be renewed, ...
                self.message = action_error(err)
            except Exception as err:  # the view must survive; the message says what broke
                self.message = f"internal error: {type(err).__name__}: {err}"
            self._redraw()
            self.wake.wait(self.interval)
            self.wake.clear()

    def _run_actions(self) -> None:
        while True:
            try:
                action = self.actions.get_nowait()
            except queue.Empty:
                return
            action()

    def _redraw(self) -> None:
        with contextlib.suppress(Exception):
            self.app.invalidate()

    def soon(self, action: Callable[[], None]) -> None:
        """Run ``action`` in the refresher thread (the one that uses the client), now."""
        self.actions.put(action)
        self.wake.set()

    # -- what is shown -------------------------------------------------------------------------
    def visible(self) -> list[Row]:
        rows = view.select(self.source.snapshot(), text=self.filter_text, user=self.user,
                           statuses=self.statuses)
        return view.sort(rows, view.SORTS[self.sort_i])

    def selected(self, rows: list[Row] | None = None) -> Row | None:
        rows = self.visible() if rows is None else rows
        if not rows:
            return None
        for row in rows:
            if row.execid == self.selected_id:
                return row
        self.selected_id = rows[0].execid
        return rows[0]

    def move(self, step: int) -> None:
        if self.mode == "detail":
            jobs = (sorted(self.detail.jobs(), key=started_order) if self.detail is not None
                    else [])
            self.job_index = max(0, min(len(jobs) - 1, self.job_index + step))
            return
        rows = self.visible()
        if not rows:
            return
        current = self.selected(rows)
        index = rows.index(current) if current in rows else 0
        self.selected_id = rows[max(0, min(len(rows) - 1, index + step))].execid

    # -- the detail and the log ----------------------------------------------------------------
    def open_detail(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.mode, self.detail_id, self.detail, self.detail_graph = "detail", row.execid, None, None
        self.job_index = 0
        self.soon(lambda: None)

    def _refresh_detail(self) -> None:
        if self.mode not in ("detail", "log") or self.detail_id is None:
            return
        if self.detail is None or self.detail.execid != self.detail_id:
            model = Execution(self.source.client.execution(self.detail_id))
            with self.lock:
                self.detail = model
        elif self.detail.status not in FINAL_FLOW:
            update = self.source.client.execution_update(self.detail_id, self.detail.since)
            with self.lock:  # the screen reads the same nodes
                self.detail.merge(update)
        if self.detail_graph is None:
            from azshell.shell.run import graph

            try:
                document = self.source.client.flow_graph(self.detail.project, self.detail.flow)
                self.detail_graph = graph.jobs_of(document)
            except AzshellError:
                self.detail_graph = []

    def open_log(self) -> None:
        job = None
        if self.mode == "detail" and self.detail is not None:
            jobs = sorted(self.detail.jobs(), key=started_order)
            job = jobs[self.job_index][0] if jobs else None
            execid = self.detail.execid
        else:
            row = self.selected()
            if row is None:
                return
            execid = row.execid
        self.back_to = self.mode
        self.mode, self.log = "log", LogState(execid, job)
        self.soon(lambda: None)

    def _refresh_log(self) -> None:
        state = self.log
        if self.mode != "log" or state is None:
            return
        client = self.source.client
        for _ in range(LOG_PAGES_PER_REFRESH):
            try:
                chunk = (client.job_log(state.execid, state.job, state.offset) if state.job
                         else client.flow_log(state.execid, state.offset))
            except AzshellError as err:
                state.error = action_error(err)  # a job that has not started has no log yet
                return
            state.error = ""
            if chunk.length <= 0:
                return
            state.text += chunk.data
            state.offset = chunk.next_offset

    # -- acting ----------------------------------------------------------------------------------
    def ask(self, what: str) -> None:
        """c/p/r/R: a question naming the execution; nothing is sent before 'y'."""
        row = self._target()
        if row is None:
            return
        if getattr(self.ctx.settings, "read_only", False):
            self.message = f"{what}: refused, this profile is read-only; nothing was sent"
            return
        from azshell.shell.top.actions import ACTIONS

        verb, act = ACTIONS[what](self.ctx, self.source.client, row)
        if act is None:
            self.message = verb
            return
        self.question = Question(f"{verb} execution {row.execid} ({row.project}/{row.flow}, "
                                 f"{row.status})? [y/n]", act)

    def _target(self) -> Row | None:
        if self.mode in ("detail", "log") and self.detail is not None:
            found = self.source.rows.get(self.detail.execid)
            return found or Row(self.detail.execid, self.detail.project, self.detail.flow,
                                self.detail.status)
        return self.selected()

    def answer(self, yes: bool) -> None:
        question, self.question = self.question, None
        if question is None:
            return
        if not yes:
            self.message = "nothing was sent"
            return

        def run() -> None:
            try:
                self.message = question.act()
            except AzshellError as err:
                self.message = action_error(err)
            self._redraw()

        self.message = "sending…"
        self.soon(run)

    # -- drawing ---------------------------------------------------------------------------------
    def size(self) -> tuple[int, int]:
        try:
            size = self.app.output.get_size()
            return size.columns, size.rows
        except Exception:
            return 80, 24

    def render(self) -> list[Any]:
        """The whole screen; a drawing that fails says so on the screen, and the view goes on."""
        try:
            return self._render()
        except Exception as err:
            return [("class:offline", f"cannot draw the view: {type(err).__name__}: {err}"
                                      "\n(q goes back)")]

    def _render(self) -> list[Any]:
        width, height = self.size()
        out: list[Any] = [*self._head(width), ("", "\n")]
        body_height = max(1, height - 4)
        if self.mode == "help":
            body = [("", line[:width] + "\n") for line in KEYS_HELP.splitlines()[:body_height]]
        elif self.mode == "detail":
            with self.lock:
                body = self._detail_body(width, body_height)
        elif self.mode == "log":
            body = self._log_body(width, body_height)
        else:
            body = self._list_body(width, body_height)
        out += body
        shown = sum(text.count("\n") for _, text, *_ in body)
        out.append(("", "\n" * max(0, body_height - shown)))
        out += self._foot(width)
        return out

    def _head(self, width: int) -> list[Any]:
        server = getattr(self.source.client, "url", "")
        label = getattr(self.ctx.settings, "label", "")
        title = f"azshell top  {server}  {time.strftime('%H:%M:%S')}"
        parts: list[Any] = []
        if label:
            parts.append(("class:label", f"[{label}] "))
        parts.append(("class:title", title[:width]))
        if self.source.offline:
            parts.append(("class:offline", f"  OFFLINE (showing the last data): "
                                           f"{self.source.offline}"[: max(0, width - len(title))]))
        elif self.source.incomplete:
            parts.append(("class:warn", f"  incomplete: {self.source.incomplete}"
                                        [: max(0, width - len(title))]))
        rows = self.source.snapshot()
        line = view.summary_line(rows, len(self.visible()), view.SORTS[self.sort_i],
                                 self.interval, self.filter_text)
        return [*parts, ("", "\n"), ("class:dim", line[:width])]

    def _foot(self, width: int) -> list[Any]:
        if self.question is not None:
            return [("class:question", self.question.text[:width])]
        if self.typing:
            return [("class:question", f"/{self.filter_text}"[:width])]
        if self.message:
            return [("class:message", self.message[:width])]
        hints = FOOTER if len(FOOTER) <= width else FOOTER_SHORT
        return [("class:dim", hints[:width])]

    def _list_body(self, width: int, height: int) -> list[Any]:
        rows = self.visible()
        out: list[Any] = [("class:header", view.header_line(width) + "\n")]
        if not rows:
            waiting = "no executions" if self.source.refreshes else "looking for executions…"
            return [*out, ("class:dim", f"({waiting})\n")]
        current = self.selected(rows)
        index = rows.index(current) if current in rows else 0
        room = height - 1
        if index < self.top_row:
            self.top_row = index
        elif index >= self.top_row + room:
            self.top_row = index - room + 1
        self.top_row = max(0, min(self.top_row, max(0, len(rows) - room)))
        now = int(time.time() * 1000)
        for row in rows[self.top_row: self.top_row + room]:
            pieces = view.row_fragments(row, width, now, self.color)
            handler = self._clicker(row.execid)
            chosen = row.execid == self.selected_id
            for style, text in pieces:
                shown = f"{style} class:selected" if chosen else style
                out.append((shown, text, handler))
            out.append(("", "\n"))
        return out

    def _clicker(self, execid: int) -> Callable[[Any], Any]:
        def click(event: Any) -> Any:
            if event.event_type != MouseEventType.MOUSE_UP:
                return NotImplemented
            self.selected_id = execid
            self._redraw()
            return None

        return click

    def _detail_body(self, width: int, height: int) -> list[Any]:
        model = self.detail
        if model is None:
            return [("class:dim", f"(loading execution {self.detail_id}…)\n")]
        from azshell.shell.follow.view import job_duration

        head = (f"execution {model.execid}  {model.project}/{model.flow}  ")
        out: list[Any] = [("", head), (view.STATUS_STYLES.get(model.status, "")
                                        if self.color else "", model.status), ("", "\n")]
        jobs = sorted(model.jobs(), key=started_order)
        name_w = min(40, max((len(p) for p, _ in jobs), default=4))
        out.append(("class:header", f"{'JOB'.ljust(name_w)}  {'STATUS':10} ATTEMPT  "
                    f"START        TIME\n"[:width + 1]))
        now = int(time.time() * 1000)
        room = max(1, min(len(jobs), height - 3))
        first = max(0, min(self.job_index - room + 1, len(jobs) - room)) \
            if self.job_index >= room else 0
        for i, (path, node) in enumerate(jobs[first: first + room], first):
            status = str(node.get("status") or "")
            started = node.get("startTime")
            start = started if isinstance(started, int) else -1
            took = job_duration(node) or (view.span(now - start) if status == "RUNNING"
                                          and start > 0 else "")
            text = (f"{path[:name_w].ljust(name_w)}  ")
            rest = f" {node.get('attempt', 0)!s:7}  {view.clock(start, now):11}  {took}"
            style = "class:selected" if i == self.job_index else ""
            colour = view.STATUS_STYLES.get(status, "") if self.color else ""
            out += [(style, text), (f"{colour} {style}", status.ljust(10)),
                    (style, rest[: max(0, width - name_w - 12)]), ("", "\n")]
        left = height - 2 - room
        if left > 3 and self.detail_graph:
            out += self._graph_lines(width, left)
        return out

    def _graph_lines(self, width: int, room: int) -> list[Any]:
        from azshell.shell.run import graph

        statuses = graph.statuses_of(self.detail.document) if self.detail else {}
        lines = graph.draw(self.detail_graph or [], statuses, width=width,
                           ascii=not _unicode(self.app.output))
        if len(lines) > room - 1:
            lines = graph.draw_list(self.detail_graph or [], statuses,
                                    ascii=not _unicode(self.app.output))
        return [("", "\n"), *[("", line[:width] + "\n") for line in lines[: room - 1]]]

    def _log_body(self, width: int, height: int) -> list[Any]:
        state = self.log
        if state is None:
            return []
        what = f"job {state.job}" if state.job else "the flow"
        head = f"log of {what} of execution {state.execid} (followed; q goes back)"
        lines = state.text.splitlines()[-(height - 1):] if state.text else []
        body: list[Any] = [("class:header", head[:width] + "\n")]
        if state.error and not lines:
            body.append(("class:dim", f"({state.error})\n"))
        body += [("", line[:width] + "\n") for line in lines]
        return body

    # -- prompt_toolkit --------------------------------------------------------------------------
    def _application(self) -> Application[None]:
        control = FormattedTextControl(self.render, focusable=True, show_cursor=False)
        style = Style.from_dict({
            "title": "bold", "label": "bold ansired", "offline": "reverse bold",
            "warn": "ansiyellow", "dim": "", "header": "bold underline",
            "selected": "reverse", "question": "reverse bold", "message": "bold",
        } if self.color else {"title": "bold", "label": "bold", "offline": "reverse bold",
                              "header": "underline", "selected": "reverse",
                              "question": "reverse", "message": "bold"})
        return Application(
            layout=Layout(Window(control, wrap_lines=False)), key_bindings=bindings(self),
            full_screen=True, mouse_support=True, style=style,
            color_depth=None if self.color else ColorDepth.DEPTH_1_BIT,
            refresh_interval=1.0,  # the clock and elapsed times move
        )

    def back(self) -> None:
        self.message = ""
        if self.mode == "log":
            self.mode, self.log = self.back_to if self.back_to != "log" else "list", None
        elif self.mode == "detail":
            self.mode, self.detail_id, self.detail = "list", None, None
        else:
            self.app.exit()

    def step_interval(self, step: int) -> None:
        """+ and -: the next shorter or longer refresh interval."""
        near = min(range(len(INTERVALS)), key=lambda i: abs(INTERVALS[i] - self.interval))
        self.interval = INTERVALS[max(0, min(len(INTERVALS) - 1, near + step))]
        self.message = f"refreshing every {self.interval:g}s"
        self.wake.set()


def _unicode(output: Any) -> bool:
    encoding = (getattr(output, "encoding", lambda: "utf-8")() or "utf-8").lower()
    return "utf" in encoding
