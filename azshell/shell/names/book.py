"""The NameBook: every project, flow, job and execution id the shell has seen on one server.

Completion is only as good as the names it knows, so the book learns from every answer that names
something (``learn``), from project files just uploaded (``add_flows``), and from a background
refresh; and it keeps them in a per-server cache file so that they are there right after a restart.
The book is shared between the prompt's thread and a refresher thread: every method takes the lock,
and the sorted indexes the completer reads are immutable snapshots rebuilt only after a change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azshell.shell.names.matching import MENU_LIMIT, NameIndex

MAX_EXECUTIONS = 1000  # the most recent ones; older ids are rarely typed
MAX_JOB_STATUSES = 50  # executions whose job statuses are kept for the job menu
MAX_CACHE_FILE = 256 * 1024 * 1024  # 10,000 projects of 50 flows are 13 MB


@dataclass(frozen=True)
class Execution:
    """One execution the shell has seen, for ``EXECID`` completion."""

    execid: int
    project: str = ""
    flow: str = ""
    status: str = ""
    when_ms: int = -1


def names_path(url: str, user: str) -> Path:
    """The cache file of one server and user (names differ with permissions)."""
    from azshell.shell.session.paths import cache_dir, server_key

    safe_user = "".join(c if c.isalnum() or c in "._-" else "_" for c in user) or "_"
    return cache_dir() / "names" / f"{server_key(url)}-{safe_user}.json"


class NameBook:
    """Names seen on one server, with a short description of each for completion menus."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._projects: dict[str, str] = {}
        self._flows: dict[str, dict[str, str]] = {}
        self._jobs: dict[tuple[str, str], list[str]] = {}
        self._executions: dict[int, Execution] = {}
        # project -> {(name, "user"|"group")} with a permission there (memory only: cheap to ask)
        self._principals: dict[str, set[tuple[str, str]]] = {}
        # execid -> {job path: status} as last seen (memory only: it changes by the second)
        self._job_statuses: dict[int, dict[str, str]] = {}
        self._project_index: NameIndex | None = None
        self._flow_indexes: dict[str, NameIndex] = {}
        self._dirty = False
        # project -> the version that last changed it: a list the server gave before that
        # (a refresh in flight while a line ran) must not undo what the line taught
        self._touched: dict[str, int] = {}
        self.loaded = threading.Event()  # set once load() has run (the app loads in a thread)
        self.version = 0  # bumped on every change: the toolbar and tests can watch it

    # -- disk ------------------------------------------------------------------------------------
    def load(self) -> None:
        """Merge the cache file into the book; a missing or broken file is an empty book.

        Each record is merged under the lock on its own, so readers never wait for the whole
        file (the app calls this from a background thread).
        """
        from azshell.shell.names.namefile import decode
        from azshell.shell.session.paths import read_bounded, set_aside

        try:
            if self.path is None:
                return
            try:
                text = read_bounded(self.path, MAX_CACHE_FILE)
            except OSError:  # none yet, or a directory, or unreadable: an empty book
                return
            except ValueError:  # not UTF-8, or huge: not what azshell writes
                set_aside(self.path)
                return
            records = decode(text)
            header = next(records, None)
            if header is None:
                if text.strip():  # junk, another format, or nested without end: start afresh
                    set_aside(self.path)
                return
            for record in records:
                self._merge_project(record)
            self._merge_executions(header.get("executions"))
        finally:
            self.loaded.set()

    def _merge_project(self, record: Any) -> None:
        """``[name, meta, {flow: meta}, {flow: [jobs]}]``; what is known already wins."""
        if not (isinstance(record, list) and len(record) == 4 and isinstance(record[0], str)):
            return
        name, meta, flows, jobs = record
        with self._lock:  # only strings are taken: a hand-made nested value is dropped
            self._projects.setdefault(name, meta if isinstance(meta, str) else "")
            if isinstance(flows, dict) and flows:
                mine = self._flows.setdefault(name, {})
                for flow, flow_meta in flows.items():
                    mine.setdefault(flow, flow_meta if isinstance(flow_meta, str) else "")
            if isinstance(jobs, dict):
                for flow, names in jobs.items():
                    if isinstance(names, list):
                        self._jobs.setdefault((name, flow),
                                              [j for j in names if isinstance(j, str)])
            self._project_index = None
            self._flow_indexes.pop(name, None)
            self.version += 1

    def _merge_executions(self, rows: Any) -> None:
        with self._lock:
            for row in rows if isinstance(rows, list) else []:
                if (isinstance(row, list) and len(row) == 5 and isinstance(row[0], int)
                        and all(isinstance(v, str) for v in row[1:4])
                        and isinstance(row[4], int)):
                    self._executions.setdefault(row[0], Execution(*row))
            self._trim_executions()
            self.version += 1

    def to_text(self) -> str:
        """The cache file's content (see azshell.shell.names.namefile)."""
        from azshell.shell.names.namefile import encode

        with self._lock:
            jobs: dict[str, dict[str, list[str]]] = {}
            for (project, flow), names in self._jobs.items():
                jobs.setdefault(project, {})[flow] = names
            executions = [[e.execid, e.project, e.flow, e.status, e.when_ms]
                          for e in self._executions.values()]
            records = [[name, meta, dict(self._flows.get(name, {})), jobs.get(name, {})]
                       for name, meta in self._projects.items()]  # copies: encoded unlocked
            self._dirty = False
        return encode({"saved": int(time.time()), "executions": executions}, records)

    def save(self) -> None:
        """Write the cache file atomically (0600 in a 0700 directory) if anything changed."""
        if self.path is None:
            return
        with self._lock:
            if not self._dirty:
                return
            text = self.to_text()
        from azshell.shell.session.paths import locked, write_private

        try:
            with locked(self.path):  # two shells on one server: one whole file, in turn
                write_private(self.path, text)
        except OSError:
            self._dirty = True  # a full disk costs completion after a restart, nothing more

    # -- changes ---------------------------------------------------------------------------------
    def _changed(
        self, project: str | None = None, projects: bool = True, dirty: bool = True
    ) -> None:
        """Drop the indexes a change made stale: the project list's (if ``projects``) and the
        flow index of ``project`` (None: every project's)."""
        if projects:
            self._project_index = None
        if project is None:
            self._flow_indexes.clear()
        else:
            self._flow_indexes.pop(project, None)
        self._dirty = self._dirty or dirty
        self.version += 1
        if project is not None:
            self._touched[project] = self.version

    def add_projects(self, projects: Iterable[tuple[str, str]]) -> None:
        """Remember projects; an empty description keeps the one known before."""
        with self._lock:
            changed = False
            for name, meta in projects:
                known = self._projects.get(name)
                if name and (meta or known is None) and known != meta:
                    self._projects[name] = meta
                    self._touched[name] = self.version + 1
                    changed = True
            if changed:
                self._changed()

    def replace_projects(self, projects: Iterable[tuple[str, str]], since: int | None = None,
                         ) -> None:
        """The server's full list: projects not in it are gone (their flows and jobs too).

        ``since``: the book's ``version`` when the list was asked for; a project learnt after
        that (created or uploaded meanwhile) is kept, since the list is older than it."""
        fresh = {name: meta for name, meta in projects if name}
        with self._lock:
            for gone in set(self._projects) - set(fresh):
                if since is None or self._touched.get(gone, 0) <= since:
                    self._forget_project(gone)
            for name, meta in fresh.items():
                if meta or name not in self._projects:
                    self._projects[name] = meta
            self._changed()

    def remove_project(self, name: str) -> None:
        """Forget a deleted project and everything in it."""
        with self._lock:
            if name in self._projects or name in self._flows:
                self._forget_project(name)
                self._changed()

    def _forget_project(self, name: str) -> None:
        self._projects.pop(name, None)
        self._flows.pop(name, None)
        for key in [k for k in self._jobs if k[0] == name]:
            del self._jobs[key]

    def add_flows(self, project: str, flows: Iterable[tuple[str, str]]) -> None:
        """Remember flows of ``project`` (which then exists too); empty meta keeps the old one."""
        with self._lock:
            new_project = changed = project not in self._projects
            self._projects.setdefault(project, "")
            mine = self._flows.setdefault(project, {})
            for flow, meta in flows:
                if flow and (meta or flow not in mine) and mine.get(flow) != meta:
                    mine[flow] = meta
                    changed = True
            if changed:
                self._changed(project, projects=new_project)

    def replace_flows(self, project: str, flows: Iterable[tuple[str, str]],
                      since: int | None = None) -> None:
        """The server's full list of ``project``'s flows (after ``flows`` or an upload);
        ``since`` as for ``replace_projects``: a list older than what was learnt since only
        adds to it."""
        fresh = {flow: meta for flow, meta in flows if flow}
        with self._lock:
            if since is not None and self._touched.get(project, 0) > since:
                self.add_flows(project, fresh.items())
                return
            old = self._flows.get(project, {})
            new_project = project not in self._projects
            self._projects.setdefault(project, "")
            self._flows[project] = {f: m or old.get(f, "") for f, m in fresh.items()}
            for key in [k for k in self._jobs if k[0] == project and k[1] not in fresh]:
                del self._jobs[key]
            self._changed(project, projects=new_project)

    def add_jobs(self, project: str, flow: str, jobs: Iterable[str]) -> None:
        """The jobs of one flow (replacing what was known: a flow graph is always complete)."""
        names = sorted({j for j in jobs if j})
        with self._lock:
            new_project = project not in self._projects
            self._projects.setdefault(project, "")
            mine = self._flows.setdefault(project, {})
            if not mine.get(flow):
                mine[flow] = _jobs_meta(len(names))
            self._jobs[(project, flow)] = names
            self._changed(project, projects=new_project)

    def add_execution(
        self, execid: int, project: str = "", flow: str = "", status: str = "", when_ms: int = -1
    ) -> None:
        """Remember an execution; unknown fields keep what was known before."""
        with self._lock:
            old = self._executions.get(execid)
            if old is not None:
                project = project or old.project
                flow = flow or old.flow
                status = status or old.status
                when_ms = when_ms if when_ms > 0 else old.when_ms
            self._executions[execid] = Execution(execid, project, flow, status, when_ms)
            self._trim_executions()
            self._dirty = True
            self.version += 1
        if project and flow:
            self.add_flows(project, [(flow, "")])

    def set_job_statuses(self, execid: int, statuses: dict[str, str]) -> None:
        """The status of each job of an execution, for the job menu of ``log EXECID``."""
        with self._lock:
            self._job_statuses[execid] = dict(statuses)
            for old in sorted(self._job_statuses)[:-MAX_JOB_STATUSES]:
                del self._job_statuses[old]
            self.version += 1

    def job_statuses(self, execid: int) -> dict[str, str]:
        with self._lock:
            return dict(self._job_statuses.get(execid, {}))

    def _trim_executions(self) -> None:
        if len(self._executions) > MAX_EXECUTIONS:
            for execid in sorted(self._executions)[: len(self._executions) - MAX_EXECUTIONS]:
                del self._executions[execid]

    def set_principals(self, project: str, entries: Iterable[tuple[str, str]]) -> None:
        """The users and groups (``(name, kind)``) holding a permission on ``project``."""
        with self._lock:
            self._principals[project] = set(entries)
            self.version += 1

    def change_principal(self, project: str, name: str, kind: str, present: bool) -> None:
        """After a grant (present) or a revoke of everything (not present)."""
        with self._lock:
            known = self._principals.setdefault(project, set())
            if present:
                known.add((name, kind))
            else:
                known.discard((name, kind))
            self.version += 1

    def principals(self, project: str | None = None) -> list[tuple[str, str]] | None:
        """Sorted ``(name, kind)`` of one project (None: never listed), or of all projects."""
        with self._lock:
            if project is not None:
                found = self._principals.get(project)
                return None if found is None else sorted(found)
            return sorted(set().union(*self._principals.values()))

    # -- reading ---------------------------------------------------------------------------------
    def projects(self) -> list[tuple[str, str]]:
        """Every known project with its description, sorted by name."""
        index = self.project_index()
        return [(n, index.meta[n]) for n in index.names]

    def flows(self, project: str) -> list[tuple[str, str]]:
        """The known flows of ``project`` with their descriptions, sorted."""
        index = self.flow_index(project)
        return [(n, index.meta[n]) for n in index.names]

    def jobs(self, project: str, flow: str) -> list[str]:
        """The known jobs of one flow, sorted."""
        with self._lock:
            return list(self._jobs.get((project, flow), ()))

    def executions(self) -> list[Execution]:
        """Known executions, newest first (exec ids grow with time on one server)."""
        with self._lock:
            return [self._executions[k] for k in sorted(self._executions, reverse=True)]

    def execution(self, execid: int) -> Execution | None:
        """What is known of one execution (None when it was never seen)."""
        with self._lock:
            return self._executions.get(execid)

    def has_project(self, name: str) -> bool:
        with self._lock:
            return name in self._projects

    def has_flow(self, project: str, flow: str) -> bool:
        with self._lock:
            return flow in self._flows.get(project, {})

    def knows_flows(self, project: str) -> bool:
        """Whether any flow of ``project`` is known (else the app may fetch them)."""
        with self._lock:
            return bool(self._flows.get(project))

    def project_index(self) -> NameIndex:
        """A sorted snapshot of the projects for prefix and fuzzy matching."""
        with self._lock:
            if self._project_index is None:
                self._project_index = NameIndex(self._projects)
            return self._project_index

    def flow_index(self, project: str) -> NameIndex:
        """A sorted snapshot of ``project``'s flows."""
        with self._lock:
            index = self._flow_indexes.get(project)
            if index is None:
                index = NameIndex(self._flows.get(project, {}))
                self._flow_indexes[project] = index
            return index

    def match_projects(self, word: str, limit: int = MENU_LIMIT) -> list[tuple[str, str]]:
        """Projects for the word being typed: prefix matches first, then fuzzy ones."""
        index = self.project_index()
        return [(n, index.meta[n]) for n in index.match(word, limit)]

    def match_flows(
        self, project: str, word: str, limit: int = MENU_LIMIT
    ) -> list[tuple[str, str]]:
        """Flows of ``project`` for the word being typed."""
        index = self.flow_index(project)
        return [(n, index.meta[n]) for n in index.match(word, limit)]

    # -- learning from answers -------------------------------------------------------------------
    def learn(self, command: str, values: dict[str, Any], result: object) -> None:
        """Learn every name a successful command's answer (or its own words) contains."""
        from azshell.shell.names.learning import learn

        learn(self, command, values, result)


def _jobs_meta(count: int) -> str:
    return "1 job" if count == 1 else f"{count} jobs"
