"""Flow triggers: the ``trigger`` section of a Flow 2.0 ``.flow`` file, as Azkaban registers it.

With ``azkaban.server.schedule.enable_quartz=true`` a real server registers one Quartz job per
top-level Flow 2.0 flow whose file has a trigger, at each upload, for the uploading user
(``FlowTriggerScheduler.schedule``); the upload first drops the project's old registrations, so
a new version starts unpaused. ``pauseTrigger``/``resumeTrigger`` pause that job. The sandbox
behaves like such a server, derives the registrations from each project's current version and
keeps only the paused flags (per project version). It never fires a trigger: no dependency is
checked and no trigger instance runs.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azshell.quartz import local_zone_id
from azshell.sandbox.state import Project, SandboxState

MAX_WAIT_MINUTES = 10 * 24 * 60  # Constants.DEFAULT_FLOW_TRIGGER_MAX_WAIT_TIME (10 days)
_GSON_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "=": "\\u003d", "'": "\\u0027"}


@dataclass(frozen=True)
class FlowTrigger:
    """``NodeBeanLoader.toFlowTrigger``: the cron, the capped max wait, the dependencies."""

    cron: str
    max_wait_minutes: int | None
    dependencies: tuple[dict[str, Any], ...]  # {"name", "type", "params"} in file order


@dataclass(frozen=True)
class ScheduledTrigger:
    """``FlowTriggerScheduler.ScheduledFlowTrigger``: one registered trigger."""

    project_id: int
    project_name: str
    flow_id: str
    trigger: FlowTrigger
    submit_user: str
    registered: int  # epoch ms: the Quartz trigger's start time (the upload)
    paused: bool


def read_trigger(directory: Path, flow_id: str) -> FlowTrigger | None:
    """The trigger of ``<flow_id>.flow`` under ``directory`` (the installed upload), or None.

    The upload was validated by the same loader, so a file that no longer binds counts as none.
    """
    from azshell.project.flow2 import JavaException, load_bean
    from azshell.project.yamlbind import BindError, expect_string, expect_string_map

    path = next((p for p in sorted(directory.rglob("*.flow"))
                 if p.stem == flow_id and p.is_file()), None)
    if path is None:
        return None
    try:
        raw = load_bean(path).trigger
        if raw is None:
            return None
        schedule = expect_string_map(raw.get("schedule"), "schedule", "FlowTriggerBean") or {}
        wait = expect_string(raw.get("maxWaitMins"), "maxWaitMins", "FlowTriggerBean")
        deps = tuple(
            {"name": d.get("name"), "type": d.get("type"),
             "params": expect_string_map(d.get("params"), "params", "TriggerDependency") or {}}
            for d in raw.get("triggerDependencies") or [] if isinstance(d, dict))
    except (OSError, JavaException, BindError):
        return None
    minutes = min(int(wait), MAX_WAIT_MINUTES) if wait is not None and wait.isdigit() else None
    cron = schedule.get("value")
    return FlowTrigger(cron.strip(), minutes, deps) if cron else None


def dependencies_json(trigger: FlowTrigger) -> str:
    """``getDependencyListJson``: Gson's pretty JSON of the dependencies (fields ``props``,
    ``name``, ``type``; two-space indent, ``"k": v``; Gson's HTML-safe escapes)."""
    beans = [{"props": dict(d["params"]), "name": d["name"], "type": d["type"]}
             for d in trigger.dependencies]
    text = json.dumps(beans, indent=2, ensure_ascii=False)
    for char, escaped in _GSON_HTML.items():
        text = text.replace(char, escaped)  # only strings can hold these characters
    return text


def time_zone_id() -> str:
    """``TimeZone.getDefault().getID()`` (the lookup is quartz.local_zone_id's); a POSIX ``TZ``
    rule such as ``EST5EDT`` is no zone id: the abbreviation then, as the JVM falls back."""
    zone = local_zone_id()
    if zone and ("/" in zone or zone == "UTC"):
        return zone
    return time.tzname[0] or "UTC"


class TriggerRegistry:
    """The registered flow triggers of every active project, and their paused flags."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused: set[tuple[int, int, str]] = set()  # (project id, version, flow)
        self._cache: dict[tuple[int, int, str], FlowTrigger | None] = {}

    def scheduled(self, state: SandboxState) -> list[ScheduledTrigger]:
        """``getScheduledFlowTriggerJobs``: every registered trigger, by project id then flow."""
        found = []
        for project in sorted(state.active_projects(), key=lambda p: p.id):
            for flow_id in sorted(project.top_level_flow_ids()):
                scheduled = self._scheduled(project, flow_id)
                if scheduled is not None:
                    found.append(scheduled)
        return found

    def find(self, state: SandboxState, project_id: int, flow_id: str,
             ) -> ScheduledTrigger | None:
        project = state.project_by_id(project_id)
        if project is None or not project.active:
            return None
        return self._scheduled(project, flow_id)

    def set_paused(self, state: SandboxState, project_id: int, flow_id: str,
                   paused: bool) -> bool:
        """``pause``/``resumeFlowTriggerIfPresent``: False when the flow has no trigger."""
        found = self.find(state, project_id, flow_id)
        project = state.project_by_id(project_id)
        if found is None or project is None:
            return False
        key = (project_id, project.version, flow_id)
        with self._lock:
            if paused:
                self._paused.add(key)
            else:
                self._paused.discard(key)
        return True

    def _scheduled(self, project: Project, flow_id: str) -> ScheduledTrigger | None:
        from azshell.sandbox.schedules import next_fire_ms

        stored = project.current
        if stored is None or getattr(stored.loaded, "flow_version", None) != "2.0":
            return None
        if flow_id not in project.top_level_flow_ids():
            return None  # embedded flows are never registered
        key = (project.id, stored.version, flow_id)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = read_trigger(stored.directory, flow_id)
            trigger = self._cache[key]
            paused = key in self._paused
        if trigger is None:
            return None
        try:
            if next_fire_ms(trigger.cron) is None:
                return None  # Quartz refuses a trigger that will never fire
        except ValueError:
            return None
        return ScheduledTrigger(project.id, project.name, flow_id, trigger, stored.uploader,
                                stored.upload_time, paused)
