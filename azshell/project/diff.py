"""What changes between two versions of a project: flows, jobs and files.

Both sides are loaded with the same loader Azkaban's rules live in (:mod:`.loader`), so a flow
that appears or disappears is what the server will list after the upload, and a job's change
is told in the terms an operator thinks in (its type, command, dependencies, properties) as
well as by a unified diff of each file that changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loader import load_directory
from .model import LoadedProject, Node
from .tree import FileContent, read_contents

MAX_DIFF_LINES = 400  # per file; a longer diff is cut with a note saying how much was left out
_SEPARATE = ("type", "command", "dependencies")


@dataclass
class FileChange:
    """One file added, removed or changed (``mode``: only its executable bit)."""

    path: str
    status: str
    diff: str = ""
    binary: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "binary": self.binary,
                "diff": self.diff}


@dataclass
class JobChange:
    """One job added, removed or changed in one flow; ``changes`` says what, line by line."""

    flow: str
    job: str
    status: str
    source: str
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"flow": self.flow, "job": self.job, "status": self.status,
                "source": self.source, "changes": list(self.changes)}


@dataclass
class ProjectDiff:
    """Everything that differs; ``changed`` is False only when every file is the same."""

    flows_added: list[str] = field(default_factory=list)
    flows_removed: list[str] = field(default_factory=list)
    flows_changed: list[str] = field(default_factory=list)
    flows_unchanged: list[str] = field(default_factory=list)
    jobs: list[JobChange] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.files)

    def to_dict(self) -> dict[str, Any]:
        return {"changed": self.changed,
                "flows": {"added": self.flows_added, "removed": self.flows_removed,
                          "changed": self.flows_changed, "unchanged": self.flows_unchanged},
                "jobs": [j.to_dict() for j in self.jobs],
                "files": [f.to_dict() for f in self.files]}


def compare_dirs(old: Path | None, new: Path) -> ProjectDiff:
    """The difference from ``old`` (None: nothing deployed yet) to ``new``, two directories."""
    old_files = read_contents(old) if old is not None else {}
    new_files = read_contents(new)
    old_loaded = load_directory(old) if old is not None and old_files else None
    new_loaded = load_directory(new)
    return compare(old_loaded, old_files, new_loaded, new_files)


def compare(old: LoadedProject | None, old_files: dict[str, FileContent],
            new: LoadedProject, new_files: dict[str, FileContent]) -> ProjectDiff:
    """The difference between two loaded projects and their files."""
    result = ProjectDiff(files=file_changes(old_files, new_files))
    old_flows = set(old.top_level_flows()) if old is not None else set()
    new_flows = set(new.top_level_flows())
    result.flows_added = sorted(new_flows - old_flows)
    result.flows_removed = sorted(old_flows - new_flows)
    old_all = old.flows if old is not None else {}
    for fid in sorted(set(old_all) | set(new.flows)):
        before = old_all.get(fid)
        after = new.flows.get(fid)
        result.jobs += _job_changes(fid, before.nodes if before else {},
                                    after.nodes if after else {})
    touched = {j.flow.split(":")[0] for j in result.jobs}
    touched |= {fid.split(":")[0] for fid in set(old_all) & set(new.flows)
                if old_all[fid].props != new.flows[fid].props}
    for fid in sorted(old_flows & new_flows):
        (result.flows_changed if fid in touched else result.flows_unchanged).append(fid)
    return result


def _job_changes(flow: str, before: dict[str, Node], after: dict[str, Node]) -> list[JobChange]:
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None and new is not None:
            changes.append(JobChange(flow, name, "added", new.source, _describe(new)))
        elif new is None and old is not None:
            changes.append(JobChange(flow, name, "removed", old.source, _describe(old)))
        elif old is not None and new is not None:
            what = node_changes(old, new)
            if what:
                changes.append(JobChange(flow, name, "changed", new.source, what))
    return changes


def _describe(node: Node) -> list[str]:
    lines = [f"type {node.type or '-'}"]
    if node.props.get("command") is not None:
        lines.append(f"command {node.props['command']}")
    if node.dependencies:
        lines.append(f"dependencies {', '.join(node.dependencies)}")
    return lines


def node_changes(old: Node, new: Node) -> list[str]:
    """``type: command -> noop``, ``command: ...``, ``dependencies: a -> a, b``,
    ``property retries: 1 -> 3``, ``property + x=1``, ``property - y``."""
    lines = []
    if old.type != new.type:
        lines.append(f"type: {old.type or '-'} -> {new.type or '-'}")
    if old.props.get("command") != new.props.get("command"):
        lines.append(f"command: {old.props.get('command', '-')} -> "
                     f"{new.props.get('command', '-')}")
    if old.dependencies != new.dependencies:
        lines.append(f"dependencies: {', '.join(old.dependencies) or '-'} -> "
                     f"{', '.join(new.dependencies) or '-'}")
    if (old.condition or "") != (new.condition or ""):
        lines.append(f"condition: {old.condition or '-'} -> {new.condition or '-'}")
    keys = sorted((set(old.props) | set(new.props)) - set(_SEPARATE) - {"condition"})
    for key in keys:
        a, b = old.props.get(key), new.props.get(key)
        if a == b:
            continue
        if a is None:
            lines.append(f"property + {key}={b}")
        elif b is None:
            lines.append(f"property - {key} (was {a})")
        else:
            lines.append(f"property {key}: {a} -> {b}")
    if old.source != new.source:
        lines.append(f"file: {old.source} -> {new.source}")
    return lines


def file_changes(old: dict[str, FileContent], new: dict[str, FileContent]) -> list[FileChange]:
    """Every file added, removed or changed, with a unified diff of its text."""
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        if a is None:
            status = "added"
        elif b is None:
            status = "removed"
        elif a.data == b.data:
            mark = "executable" if b is not None and b.executable else "not executable"
            changes.append(FileChange(path, "mode", f"mode: now {mark}"))
            continue
        else:
            status = "changed"
        text, binary = unified(path, a.data if a else None, b.data if b else None)
        changes.append(FileChange(path, status, text, binary))
    return changes


def unified(path: str, old: bytes | None, new: bytes | None) -> tuple[str, bool]:
    """A unified diff (``--- a/x``/``+++ b/x``), or a one-line note for binary data."""
    if b"\0" in (old or b"") or b"\0" in (new or b""):
        return f"Binary file {path} differs", True
    a = _lines(old)
    b = _lines(new)
    lines = list(difflib.unified_diff(a, b, "/dev/null" if old is None else f"a/{path}",
                                      "/dev/null" if new is None else f"b/{path}", n=3))
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
             for line in lines]
    if len(lines) > MAX_DIFF_LINES:
        left = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... {left} more diff lines not shown\n"]
    return "".join(lines).rstrip("\n"), False


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-1")
    return text.splitlines(keepends=True)
