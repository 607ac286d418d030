"""Projects that Azkaban installs although they hold no flow, and jobs no flow can run.

Azkaban accepts a zip with no flow at all (empty, a README only, a ``.project`` without
``.flow`` files) and a Flow 1.0 project whose jobs all depend on one another in a cycle: its
loader builds flows only from jobs nothing depends on, so such jobs are never walked and no
cycle is reported (``DirectoryFlowLoader.buildFlowsFromDependencies``). The new version then
has no flows, and the schedules of the flows that disappeared are removed. That is almost
always a wrong path or a broken dependency, so the client refuses it unless told otherwise;
the sandbox, like Azkaban, installs it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from azshell.errors import LocalError

from .model import LoadedProject
from .packaging import project_files

_SHOWN = 6  # jobs named in a message before "..."


class NoFlows(LocalError):
    """A project Azkaban would install with no flow; ``reason`` says why it has none."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source} has no flows: {reason}")
        self.source = source
        self.reason = reason


def no_flows_reason(path: Path, loaded: LoadedProject) -> str | None:
    """Why ``loaded`` (read from ``path``) has no top-level flow; None when it has some."""
    if loaded.top_level_flows():
        return None
    if loaded.flow_version == "2.0":
        return "it has a .project file for Flow 2.0 but no .flow file"
    if loaded.unreached:
        cycle = dependency_cycle(loaded.unreached)
        where = f" ({cycle_text(cycle)})" if cycle else ""
        return f"its jobs depend on one another in a cycle{where}, so no job ends a flow"
    if _is_empty(path):
        return "it is empty"
    return "it has no .job file (Flow 1.0) and no .project file (Flow 2.0)"


def unreached_warning(loaded: LoadedProject) -> str | None:
    """A note on jobs that no flow includes, when there are flows (else no_flows_reason)."""
    if not loaded.unreached or not loaded.top_level_flows():
        return None
    names = sorted(loaded.unreached)
    shown = ", ".join(names[:_SHOWN]) + (", ..." if len(names) > _SHOWN else "")
    cycle = dependency_cycle(loaded.unreached)
    why = f"a dependency cycle ({cycle_text(cycle)}) that no flow leads to" if cycle else (
        "no flow leads to them")
    return (f"{len(names)} job(s) belong to no flow: {shown}; {why}. Azkaban installs them, "
            "but nothing can run them")


def dependency_cycle(unreached: dict[str, list[str]]) -> list[str]:
    """One cycle among jobs in no flow, as ``[a, b, a]`` (each depends on the next); ``[]``
    if none is found.

    A job in no flow is a dependency of another job in no flow (else that job's flow would
    hold it), so walking up to dependents must come back to a job already seen.
    """
    dependents: dict[str, list[str]] = {name: [] for name in unreached}
    for name, deps in unreached.items():
        for dep in deps:
            if dep in dependents:
                dependents[dep].append(name)
    walk = [min(unreached)] if unreached else []
    while walk:
        ups = sorted(dependents[walk[-1]])
        if not ups:
            return []
        if ups[0] in walk:
            loop = walk[walk.index(ups[0]):]
            loop.reverse()  # walked up to dependents; a cycle reads along dependencies
            start = loop.index(min(loop))
            loop = loop[start:] + loop[:start]
            return [*loop, loop[0]]
        walk.append(ups[0])
    return []


def cycle_text(cycle: list[str]) -> str:
    if len(cycle) > _SHOWN + 1:
        cycle = [*cycle[:_SHOWN], "...", cycle[-1]]
    return " -> ".join(cycle)


def _is_empty(path: Path) -> bool:
    """No file at all in the zip, or none a directory upload would send."""
    if path.is_dir():
        return not project_files(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return all(info.is_dir() for info in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        return False
