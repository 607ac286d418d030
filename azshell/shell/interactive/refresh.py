"""Background work of the interactive shell: load the name cache, check the session, refresh names.

None of it may delay the prompt or a keystroke, so it runs in one daemon thread with its own HTTP
client (sharing the session id, never the connection pool, and never logging in: a password
question from a background thread would be a surprise). Names wanted by the completer right now
(the flows of the project just typed) go before the routine refresh.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from azshell.errors import (
    AzshellError,
    ConnectionFailed,
    NotFound,
    RequestTimedOut,
    SessionError,
)
from azshell.shell.interactive.toolbar import Status
from azshell.threads import start_daemon

FLOW_REFRESH_LIMIT = 100  # projects whose flows a refresh fetches (the rest come on demand)
WATCH_EVERY = 2.0  # seconds between two looks at the running execution the toolbar shows

Task = tuple[str, ...]


class Refresher:
    """One worker thread fed by two queues: wanted names first, routine refresh second; when
    both are empty, a look now and then at the execution the toolbar shows, until it ends."""

    def __init__(
        self,
        ctx: Any,
        status: Status,
        on_change: Callable[[str], None] = lambda what: None,
    ) -> None:
        self.ctx = ctx
        self.status = status
        self.on_change = on_change  # called from the worker with "names", "wanted" or "status"
        self._wanted: collections.deque[Task] = collections.deque()
        self._routine: collections.deque[Task] = collections.deque()
        self._asked: set[Task] = set()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._client: Any = None
        self._client_key: tuple[str, str, str] | None = None
        self._saving = threading.Lock()  # held while the cache file is written
        self._watched: int | None = None  # an execution still running, and when to look again
        self._watch_due = 0.0
        self._watch_since = -1  # the server's updateTime of the last look (ms)
        self.idle = threading.Event()  # set while the worker waits for work (tests wait on it)
        self.idle.set()
        self.unreachable: str | None = None  # why the session check found no server, once

    # -- feeding ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Queue the start-up work: load the cache, check the session, refresh the names."""
        self.refresh()
        if self._thread is None:
            self._thread = start_daemon(self._run, "azshell-refresh")

    def refresh(self) -> None:
        """Queue a full refresh (after login, connect, or a renewed session)."""
        self._asked.clear()
        self._put(self._routine, ("load",), ("check",), ("projects",), ("flows",))

    def want(self, kind: str, *names: str) -> None:
        """The completer needs ``("flows", project)``, ``("jobs", project, flow)`` or
        ``("permissions", project)``; once each."""
        task = (kind, *names)
        if task in self._asked:
            return
        self._asked.add(task)
        self._put(self._wanted, task)

    def watch(self, execid: int) -> None:
        """Keep the status of a running execution current (toolbar, menu) until it ends."""
        with self._cond:
            if self._watched == execid:
                return
            self._watched, self._watch_due, self._watch_since = execid, time.monotonic(), -1
            self._cond.notify_all()

    def stop(self, wait_for_save: float = 2.0) -> None:
        """No more tasks; wait (a little) for a cache write in progress to finish."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._saving.acquire(timeout=wait_for_save):
            self._saving.release()
        if self._client is not None:  # a clean goodbye to the server, not a reset connection
            with contextlib.suppress(Exception):
                self._client.close()

    def _put(self, queue: collections.deque[Task], *tasks: Task) -> None:
        with self._cond:
            for task in tasks:
                if task not in queue:
                    queue.append(task)
            self.idle.clear()
            self._cond.notify_all()

    def _next(self) -> Task | None:
        with self._cond:
            while not (self._wanted or self._routine or self._stopped):
                wait = None if self._watched is None else self._watch_due - time.monotonic()
                if wait is not None and wait <= 0:
                    self._watch_due = time.monotonic() + WATCH_EVERY
                    self.idle.clear()
                    return ("watch", str(self._watched))
                self.idle.set()
                self._cond.wait(wait)
            if self._stopped:
                return None
            self.idle.clear()
            return (self._wanted or self._routine).popleft()

    # -- working ---------------------------------------------------------------------------------
    def _run(self) -> None:
        while (task := self._next()) is not None:
            try:
                self._do(task)
            except SessionError:
                self.status.set(session="expired", names="")
                self._drop_routine()
                self.on_change("status")
            except AzshellError as err:
                self.status.set(names="", note=_short(str(err)))
                self._drop_routine()
                self.on_change("status")
            except Exception as err:  # a refresh must never take the shell down
                self.status.set(names="", note=_short(f"refresh failed: {err!r}"))
                self._drop_routine()

    def _drop_routine(self) -> None:
        with self._cond:
            self._routine.clear()

    def _do(self, task: Task) -> None:
        book = self.ctx.names
        if task == ("load",):
            if not book.loaded.is_set():
                self.status.set(names="loading")
                book.load()
                self.status.set(names="")
                self.on_change("names")
            return
        client = self._bg_client()
        if client is None:
            if task[0] == "watch":
                with self._cond:
                    self._watched = None  # not connected: nothing to look at
            return
        if task[0] == "watch":
            self._look_at(client, book, int(task[1]))
        elif task == ("check",):
            self._check(client)
        elif task == ("projects",):
            from azshell.shell.names.learning import project_meta

            self.status.set(names="refreshing")
            asked = book.version
            found = client.projects(all=True)
            book.replace_projects(
                ((p["projectName"], project_meta(p)) for p in found if p.get("projectName")),
                since=asked)
            self.on_change("names")
        elif task == ("flows",):
            self._refresh_flows(client, book)
            self.status.set(names="")
            with self._saving:
                if not self._stopped:  # else the app saves as it ends
                    book.save()
            self.on_change("names")
        else:
            self._wanted_task(client, book, task)

    def _check(self, client: Any) -> None:
        self.status.set(session="checking")
        self.on_change("status")
        try:
            valid = client.session_valid()
        except AzshellError as err:
            # why it is offline matters (a certificate not trusted wants -k or --ca-cert): the
            # toolbar names it, and the shell prints the whole error before the next command
            self.status.set(session="offline", note=offline_note(str(err)))
            self.unreachable = str(err)
            self._drop_routine()
        else:
            self.status.set(session="valid" if valid else "expired", note="")
            if not valid:
                self._drop_routine()
        self.on_change("status")

    def _look_at(self, client: Any, book: Any, execid: int) -> None:
        """One cheap update call (only the nodes changed since the last look)."""
        from azshell.client.execution_model import FINAL_FLOW

        gone = False
        try:
            update = client.execution_update(execid, self._watch_since)
        except (NotFound, SessionError):  # the next command renews a session and asks again
            update, gone = {}, True
        except (ConnectionFailed, RequestTimedOut):
            update = {}  # the server is away for now: say so, and look again next time
            self.status.set(session="offline")
            self.on_change("status")
        except AzshellError:
            update = {}
        status = str(update.get("status") or "")
        with self._cond:
            if self._watched != execid:
                return  # another execution is watched now
            self._watch_since = int(update.get("updateTime") or self._watch_since)
            if gone or status in FINAL_FLOW:
                self._watched = None
        if status:
            if self.status.session == "offline":
                self.status.set(session="valid")  # it answered again
            book.add_execution(execid, status=status, when_ms=int(update.get("startTime") or -1))
            self.on_change("status")

    def _wanted_task(self, client: Any, book: Any, task: Task) -> None:
        if task[0] == "flows" and len(task) == 2:
            project = task[1]
            if book.has_project(project):
                asked = book.version
                book.replace_flows(project, [(f, "") for f in client.flows(project)],
                                   since=asked)
                self.on_change("wanted")
        elif task[0] == "permissions" and len(task) == 2:
            from azshell.shell.handlers.admin import permissions_document

            project = task[1]
            if book.has_project(project):
                book.learn("permissions", {"project": project},
                           permissions_document(client, project))
                self.on_change("wanted")
        elif task[0] == "jobs" and len(task) == 3:
            _, project, flow = task
            if book.has_flow(project, flow):
                book.learn("jobs", {"project": project, "flow": flow},
                           client.flow_graph(project, flow))
                self.on_change("wanted")

    def _refresh_flows(self, client: Any, book: Any) -> None:
        """Flows of the projects used before (their flows are known) first, then the others."""
        projects = [name for name, _ in book.projects()]
        used = [p for p in projects if book.knows_flows(p)]
        rest = [p for p in projects if not book.knows_flows(p)]
        for project in (used + rest)[:FLOW_REFRESH_LIMIT]:
            with self._cond:
                if self._stopped:
                    return
            asked = book.version
            try:
                flows = client.flows(project)
            except SessionError:
                raise
            except AzshellError:
                continue  # a project we may not read: its flows stay unknown
            book.replace_flows(project, [(f, "") for f in flows], since=asked)
            if self._wanted:
                return  # the completer is waiting; the next refresh does the rest

    def _bg_client(self) -> Any:
        """A client of its own on the foreground client's session (None when not connected)."""
        main = self.ctx.session.connected
        url, user, sid = (getattr(main, a, None) for a in ("url", "user", "session_id"))
        if not (url and user and sid):
            return None
        key = (url, user, sid)
        if key != self._client_key:
            from azshell.client import AzkabanClient

            settings = self.ctx.settings
            self._client = AzkabanClient(url, verify=settings.verify,
                                         timeout=(min(5.0, settings.timeout), settings.timeout),
                                         max_answer=int(settings.max_answer_mb * 1024 * 1024))
            self._client.adopt_session(user, sid)
            self._client_key = key
        return self._client


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def offline_note(message: str) -> str:
    """The toolbar's short word on why the server did not answer the session check."""
    low = message.lower()
    if "certificate" in low and "tls" in low:
        return "TLS: certificate not trusted (--ca-cert FILE or -k)"
    if low.startswith("tls failure"):
        return "TLS failure (see the error)"
    return message if len(message) <= 60 else message[:59] + "…"
