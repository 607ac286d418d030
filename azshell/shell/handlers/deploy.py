"""lint, plan, diff and upload's --plan, --if-changed and lint step: deploy with confidence.

``plan`` downloads the version deployed now and compares it with the local directory or zip by
the files Azkaban reads (:mod:`azshell.project.diff`), then asks the server what the upload
would take away with it: the schedules and SLAs of flows that disappear, the job overrides
(every upload starts without any) and the locks of flows that go. ``upload`` runs the lint's
errors before anything is sent and shows its warnings.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from azshell.errors import ApiError, AzshellError, LocalError, NotFound, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply
from azshell.threads import map_in_threads

# Lint checks that the loader also reports: upload leaves them to its own validation, which
# words them as Azkaban does (and refuses the project before anything is sent).
LOADER_CHECKS = frozenset({"loader", "yaml", "yaml-key", "yaml-type"})


class LintFailed(LocalError):
    """The lint found errors; the findings have been printed."""


# -- lint ---------------------------------------------------------------------------------------

def lint(ctx: Context, inv: Invocation) -> Reply:
    """Every finding; fails (exit 1) when one is an error, after printing them all."""
    from azshell.project.lint import check_path
    from azshell.project.lint import lint as run_lint

    path = check_path(Path(inv.values["path"]), "lint")
    report = run_lint(path)
    data = report.to_dict()
    if report.errors:
        from azshell.shell.run.dispatch import emit

        emit(ctx, inv.command, Reply(data, text=lint_text(report, ctx.out.color)))
        count = len(report.errors)
        raise LintFailed(f"lint: {count} error{'s' if count > 1 else ''} in {path}")
    return Reply(data, text=lint_text(report, ctx.out.color))


def lint_text(report: Any, color: bool = False) -> str:
    """One block per finding: ``error  a.job:3  message`` then ``  fix: ...``."""
    if not report.findings:
        return f"{report.path}: no problems found"
    lines = []
    for finding in report.findings:
        code = {"error": "31", "warning": "33"}.get(finding.severity, "36")
        label = _paint(finding.severity.ljust(7), code, color)
        lines.append(f"{label} {finding.where()}  {finding.message}")
        lines.append(f"        fix: {finding.fix}")
    errors, warnings, notes = len(report.errors), len(report.warnings), len(report.notes)
    lines.append(f"{errors} error{'' if errors == 1 else 's'}, "
                 f"{warnings} warning{'' if warnings == 1 else 's'}, "
                 f"{notes} note{'' if notes == 1 else 's'}")
    return "\n".join(lines)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def lint_before_upload(ctx: Context, path: Path) -> None:
    """Refuse an upload with a lint error the loader does not already catch; show warnings."""
    count = _upload_lint(ctx, path)
    if count:
        raise LintFailed(f"upload: lint found {count} error{'s' if count > 1 else ''} in "
                         f"{path}; nothing was sent ('lint PATH' explains, --no-lint uploads "
                         "anyway)")


def _upload_lint(ctx: Context, path: Path) -> int:
    """Print the warnings and the errors that stop an upload; return how many errors."""
    from azshell.project.lint import lint as run_lint

    try:
        report = run_lint(path)
    except AzshellError:
        return 0  # a project that does not load: the upload's own validation says why
    errors = [f for f in report.errors if f.check not in LOADER_CHECKS]
    for finding in report.warnings:
        ctx.out.note(f"warning: {finding.where()}: {finding.message}")
    for finding in errors:
        ctx.out.note(f"lint error: {finding.where()}: {finding.message}; fix: {finding.fix}")
    return len(errors)


def _plan_with_lint(ctx: Context, inv: Invocation, reply: Reply, path: Path) -> Reply:
    """The plan, then the lint's word: an upload that its errors would stop fails the plan
    (exit 1) after it is shown."""
    if inv.values.get("no_lint"):
        return reply
    count = _upload_lint(ctx, path)
    if not count:
        return reply
    from azshell.shell.run.dispatch import emit

    emit(ctx, inv.command, reply)
    raise LintFailed(f"{inv.command.name}: the upload would stop before sending anything: lint "
                     f"found {count} error{'s' if count > 1 else ''} ('lint {path}' explains)")


# -- upload -------------------------------------------------------------------------------------

def upload(ctx: Context, inv: Invocation) -> Any:
    """``upload`` with its deploy options; the upload itself is projects.upload's."""
    from azshell.project.lint import check_path
    from azshell.shell.handlers import projects

    name = inv.values["project"]
    path = check_path(Path(inv.values["path"]), "upload")
    if inv.values["plan"]:
        reply = plan_reply(ctx, name, path, allow_empty=bool(inv.values["allow_empty"]))
        return _plan_with_lint(ctx, inv, reply, path)
    if not inv.values["no_lint"]:
        lint_before_upload(ctx, path)
    if inv.values["if_changed"] and _same_as_deployed(ctx, name, path):
        if ctx.out.stderr_tty:
            ctx.out.note(f"unchanged: project {name} already has these files; nothing was sent")
        return {"ok": True, "project": name, "changed": False, "unchanged": True}
    reply = projects.upload(ctx, inv)  # its data, and the sentence a terminal shows
    if inv.values["if_changed"]:
        reply.data["changed"] = True
    return reply


def _same_as_deployed(ctx: Context, project: str, path: Path) -> bool:
    """False for a project that does not exist (yet: ``--create`` makes it) or has no version."""
    from azshell.project.tree import project_tree, read_contents

    if _project_missing(ctx, project):
        return False
    with deployed_tree(ctx, project) as old:
        if old is None:
            return False
        with project_tree(path) as new:
            return read_contents(old) == read_contents(new)


@contextlib.contextmanager
def deployed_tree(ctx: Context, project: str) -> Iterator[Path | None]:
    """The deployed version unpacked in a temporary directory; None when the project exists
    but has no version yet. A missing project is NotFound (from ``project_id``)."""
    from azshell.project.tree import project_tree

    ctx.client.project_id(project)
    scratch = Path(tempfile.mkdtemp(prefix="azshell-deployed-"))
    try:
        try:
            zip_path = ctx.client.download_project(project, scratch / f"{project}.zip")
        except NotFound:
            yield None  # created, never uploaded ("version 0 doesn't exist")
            return
        with project_tree(zip_path) as root:
            yield root
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- plan and diff ------------------------------------------------------------------------------

def plan(ctx: Context, inv: Invocation) -> Reply:
    from azshell.project.lint import check_path

    path = check_path(Path(inv.values["path"]), "plan")
    return _plan_with_lint(ctx, inv, plan_reply(ctx, inv.values["project"], path), path)


def diff(ctx: Context, inv: Invocation) -> Reply:
    """``diff PROJECT VERSION_A VERSION_B`` between two deployed versions, or ``diff PROJECT
    PATH``: the quick form of plan (no look at schedules, overrides or locks)."""
    project, first, second = inv.values["project"], inv.values["a"], inv.values["b"]
    if second is None:
        from azshell.project.lint import check_path

        if first.isdigit() and not Path(first).exists():
            raise UsageError("diff: give two versions (diff PROJECT 3 4), or a path")
        path = check_path(Path(first), "diff")
        return plan_reply(ctx, project, path, losses=False)
    a, b = _version(first), _version(second)
    from azshell.project.diff import compare_dirs

    with _version_tree(ctx, project, a) as old, _version_tree(ctx, project, b) as new:
        result = compare_dirs(old, new)
    data = {"project": project, "from": a, "to": b, **result.to_dict()}
    return Reply(data, text=plan_text(data, f"project {project}: version {a} -> {b}",
                                      ctx.out.color))


def _version(word: str | int) -> int:
    word = str(word)
    if not word.isdigit() or int(word) < 1:
        raise UsageError(f"diff: a version is a positive number, not {word!r}")
    return int(word)


@contextlib.contextmanager
def _version_tree(ctx: Context, project: str, version: int) -> Iterator[Path]:
    from azshell.project.tree import project_tree

    scratch = Path(tempfile.mkdtemp(prefix="azshell-version-"))
    try:
        zip_path = ctx.client.download_project(project, scratch / f"v{version}.zip", version)
        with project_tree(zip_path) as root:
            yield root
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def plan_reply(ctx: Context, project: str, path: Path, *, losses: bool = True,
               allow_empty: bool = True) -> Reply:
    """What uploading ``path`` to ``project`` would change and lose."""
    from azshell.project import validate
    from azshell.project.diff import compare_dirs
    from azshell.project.tree import project_tree

    validate(path, allow_empty=allow_empty)  # ProjectValidationError: exit 1, nothing compared
    exists = True
    try:
        with deployed_tree(ctx, project) as old, project_tree(path) as new:
            result = compare_dirs(old, new)
            old_loaded = _load(old)
    except NotFound:
        if not _project_missing(ctx, project):
            raise
        exists = False
        with project_tree(path) as new:
            result = compare_dirs(None, new)
        old_loaded = None
    data: dict[str, Any] = {"project": project, "path": str(path), "exists": exists,
                            **result.to_dict()}
    if losses:
        data["lost"], data["kept"] = _losses(ctx, project, result, old_loaded)
    title = f"plan: upload {path} to project {project}"
    if not exists:
        title += f" (no such project yet: 'upload {project} {path} --create' creates it)"
    return Reply(data, text=plan_text(data, title, ctx.out.color))


def _project_missing(ctx: Context, project: str) -> bool:
    try:
        ctx.client.project_id(project)
    except NotFound:
        return True
    return False


def _load(root: Path | None) -> Any:
    from azshell.project import load_directory

    if root is None:
        return None
    try:
        return load_directory(root)
    except AzshellError:
        return None


def _losses(ctx: Context, project: str, result: Any, old: Any,
            ) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Schedules and SLAs of the flows that go, every job override, locks of flows that go;
    and the locks that stay (a locked flow keeps its lock across uploads, §5.2)."""
    lost: dict[str, list[Any]] = {"schedules": [], "slas": [], "overrides": [], "locks": []}
    kept: dict[str, list[Any]] = {"locks": []}
    if old is None:
        return lost, kept
    removed = set(result.flows_removed)
    for item in ctx.client.schedules():
        if not isinstance(item, dict) or item.get("projectname") != project:
            continue
        flow = str(item.get("flowname"))
        if flow not in removed:
            continue
        lost["schedules"].append({"flow": flow, "scheduleId": item.get("scheduleId"),
                                  "cron": item.get("cron")})
        sla = _sla_of(ctx, item.get("scheduleId"))
        if sla:
            lost["slas"].append({"flow": flow, "scheduleId": item.get("scheduleId"),
                                 "rules": sla})
    lost["overrides"] = _overrides(ctx, project, old)
    for flow in old.top_level_flows():
        try:
            locked = ctx.client.flow_locked(project, flow)
        except ApiError:
            continue
        if locked:
            (lost["locks"] if flow in removed else kept["locks"]).append({"flow": flow})
    return lost, kept


def _sla_of(ctx: Context, schedule_id: Any) -> list[Any]:
    if not isinstance(schedule_id, int):
        return []
    try:
        settings = ctx.client.sla_info(schedule_id).get("settings")
    except ApiError:
        return []
    return list(settings) if isinstance(settings, list) else []


def _overrides(ctx: Context, project: str, old: Any) -> list[dict[str, Any]]:
    """Jobs whose properties differ from their file's (``fetchJobInfo``): every upload starts
    the new version without overrides. A Flow 1.0 override holds for the job name in every
    flow, so each name is asked once. Azkaban has no call for them all, so the calls (one a
    job) are sent from several threads: reads, and each independent of the others."""
    jobs: list[tuple[str, str]] = []
    asked: set[str] = set()
    for fid, flow in sorted(old.flows.items()):
        for name, node in sorted(flow.nodes.items()):
            key = name if old.flow_version == "1.0" else f"{fid}:{name}"
            if key in asked or (node.type == "flow" and old.flow_version != "1.0"):
                continue
            asked.add(key)
            jobs.append((fid, name))

    def changed_properties(job: tuple[str, str]) -> list[str]:
        try:
            info = ctx.client.job_info(project, *job)
        except ApiError:
            return []
        general = {str(k): str(v) for k, v in (info.get("generalParams") or {}).items()}
        override = info.get("overrideParams")
        if not isinstance(override, dict):
            return []
        effective = {str(k): str(v) for k, v in override.items()}
        return sorted(k for k in set(general) | set(effective)
                      if general.get(k) != effective.get(k))

    return [{"flow": fid, "job": name, "properties": changed}
            for (fid, name), changed in zip(jobs, map_in_threads(changed_properties, jobs),
                                            strict=True) if changed]


def plan_text(data: dict[str, Any], title: str, color: bool = False) -> str:
    """The plan as a person reads it: flows, jobs, file diffs, then what would be lost."""
    lines = [title]
    flows = data["flows"]
    if not data["changed"]:
        lines.append("no changes: the deployed version has the same files ('upload "
                     "--if-changed' sends nothing; a plain upload still makes a new version)")
        return "\n".join(lines + _lost_lines(data, color))
    marks = (("added", "+", "32"), ("removed", "-", "31"), ("changed", "~", "33"))
    flow_lines = [f"  {_paint(mark, code, color)} {name}  ({status})"
                  for status, mark, code in marks for name in flows[status]]
    if flow_lines:
        lines += ["flows:", *flow_lines]
    if data["jobs"]:
        lines.append("jobs:")
        for job in data["jobs"]:
            mark, code = {"added": ("+", "32"), "removed": ("-", "31")}.get(job["status"],
                                                                             ("~", "33"))
            lines.append(f"  {_paint(mark, code, color)} {job['flow']}/{job['job']}  "
                         f"({job['status']}, {job['source']})")
            lines += [f"      {change}" for change in job["changes"]]
    lines.append("files:")
    for change in data["files"]:
        lines.append(f"  {change['status']} {change['path']}")
        for text in change["diff"].splitlines():
            code = ("32" if text.startswith("+") and not text.startswith("+++") else
                    "31" if text.startswith("-") and not text.startswith("---") else
                    "36" if text.startswith("@@") else "")
            lines.append("    " + (_paint(text, code, color) if code else text))
    lines += _lost_lines(data, color)
    count = len(data["files"])
    lines.append(f"{count} file{' differs' if count == 1 else 's differ'}: the upload creates "
                 "a new version")
    return "\n".join(lines)


def _lost_lines(data: dict[str, Any], color: bool) -> list[str]:
    lost, kept = data.get("lost"), data.get("kept") or {}
    if not lost:
        return []
    lines = []
    for item in lost["schedules"]:
        lines.append(f"  schedule {item['scheduleId']} of flow {item['flow']} "
                     f"({item.get('cron') or 'no cron'}): removed with the flow")
    for item in lost["slas"]:
        lines.append(f"  SLA of flow {item['flow']} ({len(item['rules'])} rule"
                     f"{'' if len(item['rules']) == 1 else 's'}): removed with its schedule")
    for item in lost["overrides"]:
        lines.append(f"  override of job {item['job']} in flow {item['flow']} "
                     f"({', '.join(item['properties'])}): reset by the upload")
    for item in lost["locks"]:
        lines.append(f"  lock of flow {item['flow']}: goes with the flow")
    out = ["lost by this upload:", *[_paint(line, "31", color) for line in lines]] if lines \
        else []
    out += [f"kept: flow {item['flow']} stays locked" for item in kept.get("locks", [])]
    return out
