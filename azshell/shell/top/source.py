"""The list of executions ``top`` shows, built from what the Ajax API answers; no terminal code.

The API has no server-wide list of executions, but execution ids are sequential. So the list is
kept from four sources, each refresh spending a bounded number of requests (``budget``):

- new executions: the ids above the highest one seen, probed one by one until the first that
  does not exist (``fetchexecflow``; one small "not found" answer when nothing is new);
- the recent past: at start, the ``window`` ids below the highest, a few per refresh;
- executions that run for long: ``getRunning`` of one known flow per refresh, round robin
  (the flows come from the NameBook, from the executions seen and from listing the projects,
  one project's flows per refresh);
- with ``top PROJECT [FLOW]``: ``fetchFlowExecutions`` of each of those flows, once.

Unfinished executions are kept current with ``fetchexecflowupdate`` (only what changed since
the last update time seen), so a refresh costs what changes, not the history. ``incomplete``
says when the list may miss something: flows not yet listed or not yet asked for their running
executions in this round.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from azshell.client.execution_model import FINAL_FLOW, Execution
from azshell.errors import AzshellError, ConnectionFailed, NotFound, RequestTimedOut, ServerError

PROBE_LIMIT = 5  # new ids probed per refresh at most
BACKFILL_PER_REFRESH = 10
COVERAGE_SHARE = 2  # requests of each refresh kept for listing flows and their running ones
FAR_FUTURE = 2**62  # an update since then: only the flow's own status, no nodes


@dataclass
class Row:
    """One execution as the list shows it; ``model`` is kept while it runs (for updates)."""

    execid: int
    project: str
    flow: str
    status: str
    user: str = ""
    submit: int = -1
    start: int = -1
    end: int = -1
    done: int = 0
    total: int = 0
    running: list[str] = field(default_factory=list)
    model: Execution | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINAL_FLOW


def row_of(model: Execution) -> Row:
    """The list's view of an execution document."""
    done, total = model.counts()
    document = model.document
    return Row(model.execid, model.project, model.flow, model.status,
               str(document.get("submitUser") or ""), _int(document.get("submitTime")),
               model.start_time, model.end_time, done, total, model.running(),
               None if model.finished else model)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


class Budget:
    """The requests one refresh may still send."""

    def __init__(self, size: int) -> None:
        self.left = size

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class Source:
    """The executions known to ``top``, refreshed by ``refresh()`` (from a background thread;
    readers take ``lock`` or use ``snapshot()``)."""

    def __init__(self, client: Any, *, project: str | None = None, flow: str | None = None,
                 known_flows: Callable[[], Iterable[tuple[str, str]]] = list,
                 highest_hint: int = 0, window: int = 50, budget: int = 40) -> None:
        self.client = client
        self.project = project
        self.flow = flow
        self.known_flows = known_flows
        self.window = window
        self.budget = budget
        self.lock = threading.Lock()
        self.rows: dict[int, Row] = {}
        self.highest = 0  # the highest id known to exist
        self.hint = highest_hint
        self.backfill_next: int | None = None  # the next id below to fetch
        self.flows: set[tuple[str, str]] = set()
        self._round: deque[tuple[str, str]] = deque()
        self._checked: set[tuple[str, str]] = set()
        self._projects: deque[str] | None = None  # projects whose flows are still to list
        self._seeded: set[tuple[str, str]] = set()
        self._update_turn = 0
        self._search: list[Any] | None = None  # [low, step, high] of the highest-id search
        self.offline: str | None = None
        self.refreshes = 0

    # -- what the view reads --------------------------------------------------------------------
    def snapshot(self) -> list[Row]:
        with self.lock:
            return list(self.rows.values())

    @property
    def incomplete(self) -> str:
        """Why the list may miss executions ("" when it should not)."""
        reasons = []
        if self._projects is None or self._projects:
            reasons.append("projects not all listed yet")
        unchecked = len(self.flows - self._checked)
        if unchecked:
            reasons.append(f"{unchecked} flow{'s' if unchecked != 1 else ''} not yet checked")
        if self.backfill_next is not None and self.backfill_next > self._floor():
            reasons.append("recent history still loading")
        return "; ".join(reasons)

    # -- one refresh -------------------------------------------------------------------------
    def refresh(self) -> None:
        """One bounded round of requests; a server that is away marks the list offline and
        keeps what it had."""
        budget = Budget(self.budget - COVERAGE_SHARE)
        try:
            self._learn_flows(self.known_flows())
            self._cover_flows(Budget(COVERAGE_SHARE))  # never starved by the rest
            if self.highest == 0:
                self._find_highest(budget)
            self._probe_new(budget)
            self._update_unfinished(budget)
            self._seed_flows(budget)
            self._backfill(budget)
        except (ConnectionFailed, RequestTimedOut, ServerError) as err:
            self.offline = str(err)
            return
        self.offline = None
        self.refreshes += 1

    def _wanted(self, project: str, flow: str) -> bool:
        return (self.project is None or project == self.project) and (
            self.flow is None or flow == self.flow)

    def _learn_flows(self, flows: Iterable[tuple[str, str]]) -> None:
        for key in flows:
            if key not in self.flows and self._wanted(*key):
                self.flows.add(key)
                self._round.append(key)

    def _keep(self, model: Execution) -> None:
        with self.lock:
            self.rows[model.execid] = row_of(model)
            self.highest = max(self.highest, model.execid)
        self._learn_flows([(model.project, model.flow)])

    def _fetch(self, execid: int, budget: Budget) -> bool | None:
        """Fetch one execution into the list: True, False if it does not exist, None if the
        budget is spent."""
        if not budget.take():
            return None
        try:
            model = Execution(self.client.execution(execid))
        except NotFound:
            return False
        self._keep(model)
        return True

    def _exists(self, execid: int, budget: Budget) -> bool | None:
        if not budget.take():
            return None
        try:
            self.client.execution_update(execid, FAR_FUTURE)
        except NotFound:
            return False
        return True

    def _start_search(self, budget: Budget) -> bool:
        """Start from the hint when that execution exists, else from 0."""
        low = max(0, self.hint)
        if low:
            found = self._exists(low, budget)
            if found is None:
                return False
            low = low if found else 0
        self._search = [low, 1, None]
        return True

    def _find_highest(self, budget: Budget) -> None:
        """The highest existing id: from the hint up, doubling the step, then halving; the
        search goes on across refreshes when the budget runs out."""
        if self._search is None and not self._start_search(budget):
            return
        search = self._search
        assert search is not None
        while search[2] is None:  # doubling: low exists, low + step is the next guess
            found = self._exists(search[0] + search[1], budget)
            if found is None:
                return
            if found:
                search[0], search[1] = search[0] + search[1], search[1] * 2
            else:
                search[2] = search[0] + search[1]
        while search[2] - search[0] > 1:  # halving between low (exists) and high (does not)
            middle = (search[0] + search[2]) // 2
            found = self._exists(middle, budget)
            if found is None:
                return
            if found:
                search[0] = middle
            else:
                search[2] = middle
        low, self._search = search[0], None
        if low == 0:
            return  # no execution at all yet
        if self._fetch(low, budget):
            self.backfill_next = low - 1

    def _probe_new(self, budget: Budget) -> None:
        if self.highest == 0:
            return
        for _ in range(PROBE_LIMIT):
            if not self._fetch(self.highest + 1, budget):
                return

    def _update_unfinished(self, budget: Budget) -> None:
        """Each unfinished execution's changes, round robin when they outnumber the budget."""
        with self.lock:
            going = sorted(r.execid for r in self.rows.values() if r.model is not None)
        if not going:
            return
        start = self._update_turn % len(going)
        for execid in going[start:] + going[:start]:
            if not budget.take():
                self._update_turn = going.index(execid)
                return
            row = self.rows[execid]
            model = row.model
            assert model is not None
            try:
                model.merge(self.client.execution_update(execid, model.since))
            except NotFound:
                with self.lock:
                    self.rows.pop(execid, None)
                continue
            with self.lock:
                self.rows[execid] = row_of(model)
        self._update_turn = 0

    def _floor(self) -> int:
        return max(0, self.highest - self.window)

    def _backfill(self, budget: Budget) -> None:
        """The recent past below the highest id, a few ids a refresh, down to the window."""
        done = 0
        while (self.backfill_next is not None and self.backfill_next > self._floor()
               and done < BACKFILL_PER_REFRESH):
            execid = self.backfill_next
            if execid not in self.rows and self._fetch(execid, budget) is None:
                return
            self.backfill_next = execid - 1
            done += 1

    def _seed_flows(self, budget: Budget) -> None:
        """``top PROJECT [FLOW]``: the recent executions of each such flow, once."""
        if self.project is None:
            return
        if self._projects is None:
            if not budget.take():
                return
            self._list_flows(self.project)
            self._projects = deque()
        for key in sorted(self.flows - self._seeded):
            if not budget.take():
                return
            page = self.client.flow_executions(key[0], key[1], 0, self.window)
            self._seeded.add(key)
            for item in page.get("executions") or []:
                execid = _int(item.get("execId")) if isinstance(item, dict) else -1
                if execid <= 0 or execid in self.rows:
                    continue
                if item.get("status") in FINAL_FLOW:
                    with self.lock:
                        self.rows[execid] = Row(
                            execid, key[0], key[1], str(item.get("status")),
                            str(item.get("submitUser") or ""), _int(item.get("submitTime")),
                            _int(item.get("startTime")), _int(item.get("endTime")))
                        self.highest = max(self.highest, execid)
                elif self._fetch(execid, budget) is None:
                    return

    def _list_flows(self, project: str) -> None:
        try:
            names = self.client.flows(project)
        except NotFound:
            return
        self._learn_flows((project, name) for name in names)

    def _cover_flows(self, budget: Budget) -> None:
        """One project's flows listed, and one flow asked for its running executions."""
        if self._projects is None and self.project is None and budget.take():
            self._projects = deque(name for name, *_ in _project_names(self.client.projects()))
        if self._projects and budget.take():
            self._list_flows(self._projects.popleft())
        if not self._round or not budget.take():
            return
        key = self._round.popleft()
        self._round.append(key)
        self._checked.add(key)  # asked at least once: the list is complete for this flow
        try:
            ids = self.client.running(*key)
        except NotFound:
            return
        for execid in ids:
            if execid not in self.rows and self._fetch(execid, budget) is None:
                return


def _project_names(projects: Any) -> list[tuple[str]]:
    out = []
    for item in projects or []:
        name = item.get("projectName") or item.get("name") if isinstance(item, dict) else item
        if name:
            out.append((str(name),))
    return out


def action_error(err: AzshellError) -> str:
    """An error as the one line the view's status bar shows."""
    return str(err).splitlines()[0] if str(err) else type(err).__name__
