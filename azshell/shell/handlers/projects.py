"""projects, create, delete, upload: the project commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from azshell.errors import LocalError, NotFound, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply, ok

# Uploads smaller than this are over in a blink: no progress bar.
BAR_FROM = 1 << 20


def projects(ctx: Context, inv: Invocation) -> list[dict]:
    return ctx.client.projects(all=bool(inv.values["all"]))


def create(ctx: Context, inv: Invocation) -> dict:
    """Azkaban insists on a description; the project's name stands in when none is given."""
    name = inv.values["project"]
    ctx.client.create_project(name, inv.values["description"] or name)
    return ok(project=name, created=True)


def delete(ctx: Context, inv: Invocation) -> dict | Reply:
    """Asks on a terminal; scripts must say --yes (an unattended delete is a usage error)."""
    name = inv.values["project"]
    if not inv.values["yes"] and not ctx.interactive:
        raise UsageError(f"delete: refusing to delete {name!r} in a script without --yes")
    project_id = ctx.client.project_id(name)  # no question about a project that is not there
    if not inv.values["yes"] and not ctx.confirm(f"Delete project {name} and its schedules?"):
        return Reply({"project": name, "projectId": project_id, "deleted": False},
                     text=f"project {name} not deleted")
    ctx.client.delete_project(name)
    ctx.names.remove_project(name)
    return Reply(ok(project=name, projectId=project_id, deleted=True),  # purge wants the id
                 text=f"deleted project {name} (id {project_id}; 'purge {project_id}' removes "
                      "its stored versions for good)")


def _local_flows(ctx: Context, project: str, path: Path, allow_empty: bool,
                 ) -> dict[str, list[str]]:
    """Check the project on this machine first: nothing is sent if Azkaban would reject it,
    nor, without ``allow_empty``, if it would install it with no flow (project/coverage.py).

    The top-level flows found, each with its jobs: taught to the NameBook once the upload has
    succeeded (``_teach``), never before. The background refresh may read the server's flows
    meanwhile, and a flow the server does not have yet would then be dropped again.
    """
    from azshell.project import NoFlows, unreached_warning, validate

    try:
        # raises ProjectValidationError with Azkaban's own messages
        loaded = validate(path, allow_empty=allow_empty)
    except NoFlows as err:
        raise LocalError(f"upload: {err}; Azkaban would install it as project {project} with "
                         "no flows (if the project exists, its flows and their schedules would "
                         "go): add --allow-empty to upload it anyway") from None
    note = unreached_warning(loaded)
    if note:
        ctx.out.note(f"warning: {note}")
    for warning in loaded.warnings:
        ctx.out.note(f"warning: {warning}")
    return {flow: list(loaded.flows[flow].nodes) if flow in loaded.flows else []
            for flow in loaded.top_level_flows()}


def _teach(ctx: Context, project: str, flows: dict[str, list[str]]) -> None:
    """The uploaded flows and their jobs, with the count a menu shows (``2 jobs``)."""
    for flow, jobs in flows.items():
        ctx.names.add_jobs(project, flow, jobs)
    ctx.names.add_flows(project, [(flow, "1 job" if len(jobs) == 1 else f"{len(jobs)} jobs")
                                  for flow, jobs in flows.items()])


def upload(ctx: Context, inv: Invocation) -> Reply:
    name = inv.values["project"]
    path = Path(inv.values["path"]).expanduser()
    if not path.exists():
        raise LocalError(f"upload: no such file or directory: {path}")
    if not (path.is_dir() or path.suffix.lower() == ".zip"):
        raise LocalError(f"upload: {path} is neither a directory nor a .zip file")
    found = _local_flows(ctx, name, path, bool(inv.values["allow_empty"]))
    flows = list(found)
    if ctx.out.stderr_tty:
        ctx.out.note(f"{path}: {len(flows)} flow(s): {', '.join(flows) or '-'}")
    created = False
    if inv.values["create"]:
        created = _create_if_missing(ctx, name)
    from azshell.project import packaged

    with packaged(path) as zip_path:
        bar = _progress(ctx, Path(zip_path), path.name)
        try:
            answer = ctx.client.upload_project(name, Path(zip_path), progress=bar)
        except NotFound as err:
            raise _missing_project(err, name, inv.values["path"]) from None
        finally:
            if bar is not None:
                bar.abort()
    _teach(ctx, name, found)
    data: dict[str, Any] = {"ok": True, "project": name, **answer, "flows": flows}
    if created:
        data["created"] = True
    return Reply(data, text=upload_sentence(data))


def upload_sentence(data: dict[str, Any]) -> str:
    """``uploaded version 3 of project demo: 2 flows (main, nightly)``, and the server's
    warnings, one per line."""
    version = data.get("version")
    what = f"version {version}" if version is not None else "a new version"
    created = " (created it first)" if data.get("created") else ""
    flows = data.get("flows") or []
    listed = f"{len(flows)} flow{'' if len(flows) == 1 else 's'}"
    listed += f" ({', '.join(flows)})" if flows else ""
    lines = [f"uploaded {what} of project {data['project']}{created}: {listed}"]
    if data.get("warnings"):  # the server's, one string
        lines.append(f"warning from the server: {data['warnings']}")
    return "\n".join(lines)


def _missing_project(err: NotFound, name: str, path: str) -> NotFound:
    """Azkaban's ``Installation Failed. Project 'etl doesn't exist.`` in azshell's words, with
    the command that creates the project on the way (the client's NotFound for an upload is a
    missing or deleted project: its 410, or the check before a large file)."""
    return NotFound(f"upload: there is no project {name} on the server (nothing was installed); "
                    f"'upload {name} {path} --create' creates it first", err.status, err.body)


def _create_if_missing(ctx: Context, name: str) -> bool:
    """Create the project unless it exists, in one request that every release has (no
    getProjectId probe, which 2.x lacks): "already exists" means there is nothing to do."""
    return ctx.client.create_project(name, name, exist_ok=True)


def _progress(ctx: Context, zip_path: Path, label: str) -> Any:
    """A progress bar (bytes, speed, time left) on a terminal's stderr for a large upload;
    nothing for a small one, which is over before a bar could say anything, nor in scripts."""
    from azshell.shell.run.progress import TransferBar

    try:
        size = zip_path.stat().st_size
    except OSError:
        return None
    if not ctx.out.stderr_tty or size < BAR_FROM:
        return None
    return TransferBar(ctx.out.stderr, f"uploading {label}", lambda: ctx.out.size()[0])


def examples_dir(names: tuple[str, ...]) -> Path | None:
    """Where the example projects ``names`` all are: the source tree's examples/ (a checkout,
    an editable install), else the wheel's copy in the installation's share/azshell/examples
    (a venv, pipx, ``pip install --user``)."""
    import sysconfig

    candidates = [Path(__file__).resolve().parents[3] / "examples"]
    schemes = [sysconfig.get_default_scheme(), f"{os.name}_user"]
    candidates += [Path(sysconfig.get_path("data", scheme)) / "share" / "azshell" / "examples"
                   for scheme in schemes if scheme in sysconfig.get_scheme_names()]
    return next((path for path in candidates if all((path / n).is_dir() for n in names)), None)


def load_examples(url: str, names: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Create and upload each example project (from ``examples_dir``) into the sandbox at
    ``url``; returns each project with its flows."""
    from azshell.client import AzkabanClient
    from azshell.errors import LocalError
    from azshell.project import packaged

    root = examples_dir(names)
    if root is None:
        raise LocalError("--examples: the example projects are not installed (neither the "
                         "source tree's examples/ nor share/azshell/examples)")
    client = AzkabanClient(url)
    client.login("azkaban", "azkaban")
    loaded = []
    try:
        for name in names:
            client.create_project(name, f"the {name} example")
            with packaged(root / name) as zipped:
                client.upload_project(name, Path(zipped))
            loaded.append((name, sorted(client.flows(name))))
    finally:
        client.close()
    return loaded
