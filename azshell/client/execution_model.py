"""What the client makes of an execution's answers: its status, whether it is over, its jobs.

``fetchexecflow`` (§6.3) gives the whole node tree; ``fetchexecflowupdate`` (§6.4) only the nodes
changed since an update time, and ``Execution.merge`` folds those in, so a flow of a thousand jobs
costs a few nodes per poll. The model keeps the server's document itself (``document``), so what
a script prints at the end is exactly what ``show`` prints. The status sets are the protocol's
(§9); the shell decides what to do with them and never reads the keys itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Flow statuses after which nothing changes any more (§9; CANCELLED for safety).
FINAL_FLOW = frozenset({"SUCCEEDED", "FAILED", "KILLED", "EXECUTION_STOPPED", "CANCELLED"})
# Job statuses that count as done in the progress bar.
FINISHED_JOB = frozenset({"SUCCEEDED", "FAILED", "KILLED", "EXECUTION_STOPPED", "SKIPPED",
                          "FAILED_SUCCEEDED", "CANCELLED"})
# Jobs that ended badly by themselves (CANCELLED ones only followed a failure).
FAILED_JOB = frozenset({"FAILED", "KILLED", "EXECUTION_STOPPED"})
# Statuses too fleeting to be worth a line of their own.
QUIET = frozenset({"READY", "QUEUED"})


@dataclass(frozen=True)
class Change:
    """A job whose status changed: ``path`` is ``sub:job`` inside an embedded flow."""

    path: str
    old: str
    new: str
    node: dict[str, Any]


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _is_flow(node: dict[str, Any]) -> bool:
    return isinstance(node.get("nodes"), list) or node.get("type") == "flow"


class Execution:
    """The ``fetchexecflow`` document of one execution, merged with every update since."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.last_update = -1
        self._note_times(document)

    # -- the flow --------------------------------------------------------------------------------
    @property
    def execid(self) -> int:
        return _number(self.document.get("execid"))

    @property
    def project(self) -> str:
        return str(self.document.get("project") or "")

    @property
    def flow(self) -> str:
        return str(self.document.get("flowId") or self.document.get("flow") or "")

    @property
    def status(self) -> str:
        return str(self.document.get("status") or "")

    @property
    def start_time(self) -> int:
        return _number(self.document.get("startTime"))

    @property
    def end_time(self) -> int:
        return _number(self.document.get("endTime"))

    @property
    def finished(self) -> bool:
        return self.status in FINAL_FLOW

    @property
    def since(self) -> int:
        """The ``lastUpdateTime`` of the next poll. One millisecond early: the server sends
        nodes changed strictly after it, and a node may change again within the same
        millisecond we saw; seeing it twice is harmless, missing it is not."""
        return self.last_update - 1 if self.last_update > 0 else -1

    # -- the jobs --------------------------------------------------------------------------------
    def jobs(self) -> list[tuple[str, dict[str, Any]]]:
        """Every job (not the embedded flows themselves) as ``(path, node)``."""
        return list(_leaves(self.document.get("nodes") or [], ""))

    def node(self, path: str) -> dict[str, Any] | None:
        """The node at ``sub:job`` (a job or an embedded flow), if the flow has it."""
        nodes: list[Any] = self.document.get("nodes") or []
        found: dict[str, Any] | None = None
        for part in path.split(":"):
            found = next((n for n in nodes if isinstance(n, dict) and n.get("id") == part), None)
            if found is None:
                return None
            nodes = found.get("nodes") or []
        return found

    def counts(self) -> tuple[int, int]:
        """(jobs done, jobs in all) for the progress bar."""
        jobs = self.jobs()
        done = sum(1 for _, node in jobs if node.get("status") in FINISHED_JOB)
        return done, len(jobs)

    def running(self) -> list[str]:
        return [path for path, node in self.jobs() if node.get("status") == "RUNNING"]

    def failed(self) -> list[str]:
        """The jobs that failed, or that were killed or stopped."""
        return [path for path, node in self.jobs() if node.get("status") in FAILED_JOB]

    # -- merging ---------------------------------------------------------------------------------
    def merge(self, update: dict[str, Any]) -> list[Change]:
        """Fold one ``fetchexecflowupdate`` answer in; returns the jobs whose status changed.

        The flow's own status change is not a ``Change``: compare ``status`` before and after.
        """
        for key, value in update.items():
            if key not in ("nodes", "flow", "id"):
                self.document[key] = value
        changes: list[Change] = []
        _merge_nodes(self.document, update.get("nodes") or [], "", changes)
        self._note_times(update)
        return changes

    def _note_times(self, part: dict[str, Any]) -> None:
        self.last_update = max(self.last_update, _number(part.get("updateTime")))
        for node in part.get("nodes") or []:
            if isinstance(node, dict):
                self._note_times(node)


def _leaves(nodes: list[Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in nodes:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            continue
        path = prefix + node["id"]
        if _is_flow(node):
            yield from _leaves(node.get("nodes") or [], path + ":")
        else:
            yield path, node


def _merge_nodes(parent: dict[str, Any], updates: list[Any], prefix: str,
                 changes: list[Change]) -> None:
    """Merge changed nodes into ``parent``'s; embedded flows bring their own changed children."""
    mine = parent.setdefault("nodes", [])
    by_id = {n.get("id"): n for n in mine if isinstance(n, dict)}
    for update in updates:
        if not isinstance(update, dict) or not isinstance(update.get("id"), str):
            continue
        node = by_id.get(update["id"])
        if node is None:  # never in a real answer; keep it rather than lose it
            node = {"id": update["id"]}
            mine.append(node)
            by_id[update["id"]] = node
        old = str(node.get("status") or "")
        for key, value in update.items():
            if key != "nodes":
                node[key] = value
        path = prefix + update["id"]
        if isinstance(update.get("nodes"), list):
            _merge_nodes(node, update["nodes"], path + ":", changes)
        elif not _is_flow(node) and str(node.get("status") or "") != old:
            changes.append(Change(path, old, str(node.get("status") or ""), node))


def done_jobs(document: dict[str, Any]) -> list[str]:
    """What a rerun may skip: jobs that SUCCEEDED or were SKIPPED (disabled), as colon paths;
    an embedded flow that is done as a whole is named alone (``sub``), not job by job. Sorted:
    a real server lists nodes in its hash map's order, which says nothing."""

    def walk(nodes: list[Any], prefix: str) -> list[str]:
        out: list[str] = []
        for node in nodes:
            if not isinstance(node, dict) or not isinstance(node.get("id"), str):
                continue
            path = prefix + node["id"]
            if _is_flow(node):
                inner = list(_leaves(node.get("nodes") or [], ""))
                whole = node.get("status") in ("SUCCEEDED", "SKIPPED") or (
                    inner and all(n.get("status") in ("SUCCEEDED", "SKIPPED") for _, n in inner))
                out += [path] if whole else walk(node.get("nodes") or [], path + ":")
            elif node.get("status") in ("SUCCEEDED", "SKIPPED"):
                out.append(path)
        return out

    return sorted(walk(document.get("nodes") or [], ""))


# A job that has not run at all yet, so it has no log file (§6.5).
NOT_STARTED_JOB = frozenset({"READY", "QUEUED", "DISABLED", "PAUSED", ""})


def job_not_started(model: Execution, job: str) -> bool:
    """Has this job of the execution not run at all yet (so it has no log file)?"""
    node = model.node(job)
    if node is None:
        return False
    start = node.get("startTime")
    return str(node.get("status") or "") in NOT_STARTED_JOB or not (
        isinstance(start, int) and start > 0)


def job_finished(model: Execution, job: str) -> bool:
    """Is this job of the execution done (whatever the flow does)?"""
    node = model.node(job)
    return node is not None and node.get("status") in FINISHED_JOB
