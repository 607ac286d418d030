"""permissions, grant, revoke, proxy, project-log, describe, download, purge: looking after a
project (§5).

Permission changes are the calls Azkaban guards with CSRF (§2.6); the client sends the session
id as a parameter and never the login cookie, which is what lets them through without the token
of the web UI's hidden form.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from azshell.errors import ApiError, LocalError, NotFound, UsageError
from azshell.shell.line.commands import PERMISSIONS
from azshell.shell.line.parser import Invocation
from azshell.shell.run import render
from azshell.shell.run.context import Context, Reply, ok

PROJECT_LOG_DEFAULT = 20


def _entries(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{"username", "permission"}]`` (the server's keys, for groups too) as name/permissions."""
    return [{"name": str(item.get("username")), "permissions": sorted(item.get("permission") or [])}
            for item in items if isinstance(item, dict)]


def permissions(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Users, groups and proxy users of a project, in one answer."""
    return permissions_document(ctx.client, inv.values["project"])


def permissions_document(client: Any, project: str) -> dict[str, Any]:
    """The ``permissions`` answer (also fetched by the refresher for completing names)."""
    return {"project": project,
            "users": _entries(client.permissions(project)),
            "groups": _entries(client.group_permissions(project)),
            "proxyUsers": client.proxy_users(project)}


def _current(ctx: Context, project: str, name: str, group: bool) -> list[str] | None:
    """The permissions ``name`` has on ``project`` now, None if it has none."""
    listed = ctx.client.group_permissions(project) if group else ctx.client.permissions(project)
    for entry in _entries(listed):
        if entry["name"] == name:
            return [p.lower() for p in entry["permissions"]]
    return None


def _stored(perms: set[str]) -> list[str]:
    """What the server keeps: ADMIN alone when it is among them (it implies every other)."""
    if "admin" in perms:
        return ["ADMIN"]
    return [p.upper() for p in PERMISSIONS if p in perms]


def grant(ctx: Context, inv: Invocation) -> Reply:
    """Adds to what the user or group already has (addPermission when new, else
    changePermission with the union)."""
    project, name, group = inv.values["project"], inv.values["name"], bool(inv.values["group"])
    wanted = {p.lower() for p in inv.values["perm"]}
    before = _current(ctx, project, name, group)
    if before is None:
        ctx.client.add_permission(project, name, sorted(wanted), group=group)
        after = wanted
    else:
        after = set(before) | wanted
        if set(_stored(after)) != {p.upper() for p in before}:
            ctx.client.change_permission(project, name, sorted(after), group=group)
    kind = "group" if group else "user"
    data = {"ok": True, "project": project, "name": name, "kind": kind,
            "permissions": _stored(after),
            "before": None if before is None else [p.upper() for p in before]}
    had = f" (had {', '.join(_stored(set(before))) or 'nothing'})" if before is not None else ""
    return Reply(data, text=f"{kind} {name} now has {', '.join(data['permissions'])} on "
                            f"project {project}{had}")


def revoke(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Without PERM every permission goes (changePermission with all false); with PERMs, only
    those."""
    project, name, group = inv.values["project"], inv.values["name"], bool(inv.values["group"])
    kind = "group" if group else "user"
    dropped = {p.lower() for p in inv.values["perm"]}
    if not dropped:
        ctx.client.change_permission(project, name, [], group=group)
        return {"ok": True, "project": project, "name": name, "kind": kind, "permissions": []}
    before = _current(ctx, project, name, group)
    if before is None:
        raise NotFound(f"Permissions for {name} cannot be found.")
    if "admin" in before and "admin" not in dropped:
        raise UsageError(f"revoke: {kind} {name} has ADMIN, which includes "
                         f"{', '.join(sorted(dropped))}: revoke admin, or everything, first")
    after = set(before) - dropped
    ctx.client.change_permission(project, name, sorted(after), group=group)
    return {"ok": True, "project": project, "name": name, "kind": kind,
            "permissions": _stored(after), "before": [p.upper() for p in before]}


def project_log(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """The newest events first, as the server keeps them."""
    project = inv.values["project"]
    events = ctx.client.project_logs(project, size=inv.values.get("limit") or PROJECT_LOG_DEFAULT,
                                      skip=inv.values.get("offset") or 0)
    return {"project": project, "events": events}


def describe(ctx: Context, inv: Invocation) -> Reply:
    """The description is the rest of the line: quotes are optional."""
    project = inv.values["project"]
    description = " ".join(inv.values["description"])
    ctx.client.change_description(project, description)
    return Reply({"ok": True, "project": project, "description": description},
                 text=f"project {project} is now described as: {description}")


# -- tables ------------------------------------------------------------------------------------

def permissions_table(data: Any) -> tuple[list[str], render.Rows]:
    rows: list[render.Row] = []
    if isinstance(data, dict):
        for key, kind in (("users", "user"), ("groups", "group")):
            rows += [(e.get("name"), kind, ",".join(e.get("permissions") or []) or "-")
                     for e in data.get(key) or [] if isinstance(e, dict)]
        rows += [(name, "proxy user", "-") for name in data.get("proxyUsers") or []]
    return ["NAME", "KIND", "PERMISSIONS"], rows


def project_log_table(data: Any) -> tuple[list[str], render.Rows]:
    events = data.get("events", []) if isinstance(data, dict) else data
    rows = [(render.when(e.get("time")), e.get("user"), e.get("type"), e.get("message") or "")
            for e in events if isinstance(e, dict)]
    return ["TIME", "USER", "TYPE", "MESSAGE"], rows


# -- download ----------------------------------------------------------------------------------

def _named_file(path: str | None) -> Path | None:
    """PATH when it names a file to write (not a directory), else None."""
    if not path:
        return None
    target = Path(path).expanduser()
    if target.is_dir():
        return None
    if path.endswith(("/", os.sep)):
        raise LocalError(f"download: no such directory: {target}")
    return target


def _check_free(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise LocalError(f"download: {target} exists: give another PATH, or --force to "
                         "replace it")
    if target.exists() and not target.is_file():
        raise LocalError(f"download: {target} is not a file")
    if not target.parent.is_dir():
        raise LocalError(f"download: no such directory: {target.parent}")


def _served_version(ctx: Context) -> int | None:
    """The ``version`` header of the download's answer (§5.5), when the client shows it."""
    headers = getattr(ctx.client.last_exchange, "response_headers", None) or {}
    found = {str(k).lower(): str(v) for k, v in headers.items()}.get("version", "")
    return int(found) if found.isdigit() else None


def download(ctx: Context, inv: Invocation) -> dict[str, Any]:
    """Streams the zip to disk as ``<project>-<version>.zip`` (or PATH); an existing file stays
    as it is unless --force says otherwise.

    Without --version the version is only known from the answer, so the zip goes to a hidden
    file next to its destination first and gets its name once the answer has told it.
    """
    project, version = inv.values["project"], inv.values.get("version")
    force = bool(inv.values.get("force"))
    named = _named_file(inv.values.get("path"))
    directory = Path(inv.values.get("path") or ".").expanduser()
    if named is not None or version is not None:
        target = named or directory / f"{project}-{version}.zip"
        _check_free(target, force)
        written = ctx.client.download_project(project, target, version)
        served = version if version is not None else _served_version(ctx)
    else:
        written, served = _download_latest(ctx, project, directory, force)
    return {"ok": True, "project": project, "version": served, "path": str(written),
            "bytes": written.stat().st_size}


def _download_latest(ctx: Context, project: str, directory: Path, force: bool,
                     ) -> tuple[Path, int | None]:
    if not directory.is_dir():
        raise LocalError(f"download: no such directory: {directory}")
    fd, name = tempfile.mkstemp(dir=directory, prefix=f".{project}-", suffix=".zip.part")
    os.close(fd)
    partial = Path(name)
    try:
        ctx.client.download_project(project, partial, None)
        served = _served_version(ctx)
        target = directory / f"{project}-{served if served is not None else 'latest'}.zip"
        _check_free(target, force)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return target, served


# -- proxy ---------------------------------------------------------------------------------------

def proxy(ctx: Context, inv: Invocation) -> Reply:
    """Removing one that is not there is an error (the server would say nothing). An add is
    always sent, even of a name already there: only the server may say whether this user
    may add it, and a reader must not see ``ok`` for a change it could not make."""
    action, project, name = inv.values["action"], inv.values["project"], inv.values["name"]
    before = ctx.client.proxy_users(project)
    if action == "add":
        ctx.client.add_proxy_user(project, name)
    else:
        if name not in before:
            raise NotFound(f"{name} is not a proxy user of project {project}")
        ctx.client.remove_proxy_user(project, name)
    after = ctx.client.proxy_users(project)
    done = (f"jobs of project {project} may now run as {name}" if action == "add"
            else f"jobs of project {project} may no longer run as {name}")
    return Reply(ok(project=project, name=name, action=action, proxyUsers=after, before=before),
                 text=f"{done} (proxy users: {', '.join(after) or 'none'})")


# -- purge ---------------------------------------------------------------------------------------

def purge(ctx: Context, inv: Invocation) -> dict[str, Any] | Reply:
    """Asks on a terminal; scripts must say --yes, like ``delete``.

    No question about a project that is still active: every active project is listed with its
    id (fetchallprojects, no permission needed), and the server would refuse it after the yes.
    """
    pid = inv.values["project_id"]
    if not inv.values["yes"]:
        if not ctx.interactive:
            raise UsageError(f"purge: refusing to purge project {pid} in a script without --yes")
        _refuse_active(ctx, pid)
        if not ctx.confirm(f"Purge deleted project {pid}? Its stored versions go for good."):
            return Reply({"projectId": pid, "purged": False},
                         text=f"project {pid} not purged")
    ctx.client.purge_project(pid)
    return ok(projectId=pid, purged=True)


def _refuse_active(ctx: Context, pid: int) -> None:
    """The server's own refusal of an active project, before the question rather than after."""
    for project in ctx.client.projects(all=True):
        if isinstance(project, dict) and project.get("projectId") == pid:
            name = project.get("projectName") or pid
            raise ApiError(f"Project {name} should be deleted before purging")
