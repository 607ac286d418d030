"""Everything the sandbox remembers: projects, their versions and permissions, project log
events, schedules and the id counters. In memory (plus extracted files on disk), lost on stop,
like a fresh solo server. One lock guards it all: requests are short and rare enough.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azshell.sandbox.auth import User

PERMISSION_TYPES = ("ADMIN", "READ", "WRITE", "EXECUTE", "SCHEDULE")
VERSION_RETENTION = 3  # project.version.retention


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class ProjectEvent:
    user: str
    time: int
    type: str  # ProjectLogEvent.EventType name
    message: str | None


@dataclass
class StoredVersion:
    """One successfully installed upload."""

    version: int
    directory: Path       # extracted files
    zip_path: Path        # the uploaded archive, for download
    filename: str         # name the client gave the file
    loaded: Any           # azshell.project.LoadedProject
    uploader: str
    upload_time: int
    # job overrides belong to one version, as in Azkaban (a new upload starts without any):
    # jobprops.override_key -> the stored properties (jobprops.override_props)
    job_overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def flows(self) -> dict[str, Any]:
        return self.loaded.flows


@dataclass
class Project:
    id: int
    name: str
    description: str
    creator: str
    create_time: int
    last_modified_user: str
    last_modified_time: int
    active: bool = True
    version: int = 0
    user_perms: dict[str, set[str]] = field(default_factory=dict)
    group_perms: dict[str, set[str]] = field(default_factory=dict)
    proxy_users: list[str] = field(default_factory=list)
    versions: dict[int, StoredVersion] = field(default_factory=dict)
    locked_flows: dict[str, str | None] = field(default_factory=dict)  # flow -> lock message
    events: list[ProjectEvent] = field(default_factory=list)

    @property
    def current(self) -> StoredVersion | None:
        return self.versions.get(self.version)

    @property
    def flows(self) -> dict[str, Any]:
        current = self.current
        return dict(current.flows) if current is not None else {}

    def flow(self, flow_id: str) -> Any | None:
        return self.flows.get(flow_id)

    def top_level_flow_ids(self) -> list[str]:
        current = self.current
        if current is None:
            return []
        return [f if isinstance(f, str) else f.id for f in current.loaded.top_level_flows()]

    def has_permission(self, user: User, perm: str) -> bool:
        """``LAS.hasPermission``: user, group or role permission with the type or ADMIN."""
        wanted = {perm, "ADMIN"}
        if self.user_perms.get(user.name, set()) & wanted:
            return True
        if any(self.group_perms.get(g, set()) & wanted for g in user.groups):
            return True
        return bool(user.role_permissions() & wanted)

    def log(self, user: str, kind: str, message: str | None) -> None:
        self.events.append(ProjectEvent(user, now_ms(), kind, message))

    def java_repr(self) -> str:
        """``Project.toString()`` is Object's default: class name @ identity hash."""
        return f"azkaban.project.Project@{(self.id * 0x9E3779B1) & 0x7FFFFFFF:x}"


@dataclass
class Schedule:
    schedule_id: int
    project_id: int
    project_name: str
    flow_id: str
    submit_user: str
    submit_time: int
    first_sched_time: int
    next_exec_time: int
    end_sched_time: int
    cron: str | None
    period: str | None        # "1 day(s)"-like text of a period schedule, None for cron
    period_ms: int
    back_execute_once: bool
    options: Any              # engine ExecutionOptions
    sla_settings: list[dict[str, Any]] = field(default_factory=list)
    sla_emails: list[str] = field(default_factory=list)
    sla_alerters: dict[str, dict[str, str]] = field(default_factory=dict)


class SandboxState:
    """The server's data and counters, shared by all servlets."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.lock = threading.RLock()
        self._projects: dict[int, Project] = {}
        self._next_project_id = 1
        self._next_schedule_id = 1
        self.schedules: dict[int, Schedule] = {}
        self.started = now_ms()
        for sub in ("projects", "uploads"):
            (workdir / sub).mkdir(parents=True, exist_ok=True)

    # projects ---------------------------------------------------------------------------------
    @property
    def upload_dir(self) -> Path:
        return self.workdir / "uploads"

    def project_dir(self, project_id: int) -> Path:
        return self.workdir / "projects" / str(project_id)

    def active_project(self, name: str | None) -> Project | None:
        """``ProjectManager.getProject(name)``: active projects only."""
        if name is None:
            return None
        with self.lock:
            for project in self._projects.values():
                if project.active and project.name == name:
                    return project
        return None

    def project_by_id(self, project_id: int) -> Project | None:
        with self.lock:
            return self._projects.get(project_id)

    def active_projects(self) -> list[Project]:
        with self.lock:
            return [p for p in self._projects.values() if p.active]

    def create_project(self, name: str, description: str, creator: User) -> Project:
        with self.lock:
            stamp = now_ms()
            project = Project(
                id=self._next_project_id, name=name, description=description,
                creator=creator.name, create_time=stamp, last_modified_user=creator.name,
                last_modified_time=stamp)
            self._next_project_id += 1
            project.user_perms[creator.name] = {"ADMIN"}
            project.proxy_users.append(creator.name)
            project.log(creator.name, "CREATED", None)
            self._projects[project.id] = project
            return project

    def install_version(self, project: Project, stored: StoredVersion) -> None:
        """Make ``stored`` the current version and forget versions beyond the retention."""
        with self.lock:
            project.versions[stored.version] = stored
            project.version = stored.version
            project.last_modified_user = stored.uploader
            project.last_modified_time = stored.upload_time
            project.log(stored.uploader, "UPLOADED",
                        f"Uploaded project files zip {stored.filename}")
            for old in sorted(project.versions)[:-VERSION_RETENTION]:
                gone = project.versions.pop(old)
                shutil.rmtree(gone.directory, ignore_errors=True)
                gone.zip_path.unlink(missing_ok=True)
            flows = set(stored.flows)
            for schedule in list(self.schedules.values()):
                if schedule.project_id == project.id and schedule.flow_id not in flows:
                    del self.schedules[schedule.schedule_id]

    def next_version(self, project: Project) -> int:
        with self.lock:
            return project.version + 1

    def delete_project(self, project: Project, user: User) -> None:
        with self.lock:
            project.active = False
            project.log(user.name, "DELETED", f"Project {project.name} has been deleted.")
            for schedule in list(self.schedules.values()):
                if schedule.project_id == project.id:
                    del self.schedules[schedule.schedule_id]

    def purge_project(self, project: Project, user: User) -> None:
        with self.lock:
            project.log(user.name, "PURGE", f"Project {project.name} has been purged.")
            for stored in project.versions.values():
                shutil.rmtree(stored.directory, ignore_errors=True)
                stored.zip_path.unlink(missing_ok=True)
            project.versions.clear()

    # schedules --------------------------------------------------------------------------------
    def schedule_for(self, project_id: int, flow_id: str) -> Schedule | None:
        with self.lock:
            for schedule in self.schedules.values():
                if schedule.project_id == project_id and schedule.flow_id == flow_id:
                    return schedule
        return None

    def put_schedule(self, schedule: Schedule) -> Schedule:
        """One schedule per (project, flow): re-scheduling replaces it and keeps its id."""
        with self.lock:
            existing = self.schedule_for(schedule.project_id, schedule.flow_id)
            if existing is not None:
                schedule.schedule_id = existing.schedule_id
            else:
                schedule.schedule_id = self._next_schedule_id
                self._next_schedule_id += 1
            self.schedules[schedule.schedule_id] = schedule
            return schedule

    def remove_schedule(self, schedule_id: int) -> None:
        with self.lock:
            self.schedules.pop(schedule_id, None)
