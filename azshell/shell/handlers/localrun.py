"""test: run a flow of a local project on a temporary sandbox in this process.

Like ``airflow dags test``: no server, no upload to a real Azkaban. A sandbox starts on a free
loopback port, the project is uploaded to it as is, the flow runs with the options given
(``--param``, ``--disable``, ...) and is followed as ``execute --wait`` follows it; the logs of
the jobs that failed follow, and the sandbox is gone when the command ends. The exit status is
``--wait``'s: 0 only when the flow SUCCEEDED.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from azshell.errors import AzshellError, Interrupted, LocalError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context

SANDBOX_TYPES = frozenset({"command", "noop", "flow"})  # what the sandbox's executor runs
SANDBOX_USER = "azkaban"
LOG_TAIL = 60  # lines of each failed job's log


def test(ctx: Context, inv: Invocation) -> None:
    """Upload ``PATH`` to a fresh sandbox, run ``FLOW`` there, follow it, show failed logs."""
    from azshell.project import validate
    from azshell.project.lint import check_path
    from azshell.shell.handlers.starting import execute_options

    path = check_path(Path(inv.values["path"]), "test")
    flow = inv.values["flow"]
    defaults: dict[str, Any] = {"concurrent": None, "notify_failure": None, "notify_success": None,
                "on_failure": None, "disable": [], "param": []}
    options = execute_options({**defaults, **inv.values})
    options.to_params()  # a bad option is a usage error before the sandbox starts
    loaded = validate(path)
    flows = loaded.top_level_flows()
    if flow not in flows:
        raise LocalError(f"test: {path} has no flow {flow!r}; its flows: {', '.join(flows)}")
    _warn_types(ctx, loaded, flow)
    _run_on_sandbox(ctx, inv, path, flow, options)


def _warn_types(ctx: Context, loaded: Any, flow: str) -> None:
    """The sandbox runs command, noop and flow jobs; say which jobs it cannot run."""
    other = sorted({f"{name} ({node.type})" for fid, f in loaded.flows.items()
                    if fid == flow or fid.startswith(flow + ":")
                    for name, node in f.nodes.items() if node.type not in SANDBOX_TYPES})
    if other:
        ctx.out.note("warning: the sandbox runs only command, noop and flow jobs; these fail "
                     f"here: {', '.join(other)}")


def project_name_for(path: Path) -> str:
    """A project name from the directory or zip name (letters, digits, ``_`` and ``-``)."""
    stem = path.resolve().name
    if stem.lower().endswith(".zip"):
        stem = stem[:-4]
    name = re.sub(r"[^A-Za-z0-9_-]", "_", stem).strip("_-")
    return name if name and name[0].isalpha() else f"p_{name or 'project'}"


def _run_on_sandbox(ctx: Context, inv: Invocation, path: Path, flow: str,
                    options: Any) -> None:
    from azshell.client import AzkabanClient
    from azshell.project import packaged
    from azshell.sandbox import Sandbox
    from azshell.shell.handlers.follow import follow_execution
    from azshell.shell.handlers.starting import start_flow
    from azshell.shell.names.book import NameBook

    name = project_name_for(path)
    with Sandbox(port=0) as sandbox:
        client = AzkabanClient(sandbox.url)
        client.login(SANDBOX_USER, SANDBOX_USER)
        client.create_project(name, f"azshell test of {path}")
        with packaged(path) as zip_path:
            client.upload_project(name, Path(zip_path))
        saved = (ctx.names, ctx.last_execid)
        # the sandbox's ids and names must not reach the real server's completion
        ctx.names = NameBook(None)
        try:
            with ctx.session.lent_to(client):
                execid = start_flow(ctx, name, flow, options)
                if ctx.out.stderr_tty:
                    ctx.out.note(f"test: running {name}/{flow} on a temporary sandbox "
                                 f"(execution {execid})")
                try:
                    follow_execution(ctx, inv.command, execid, inv.values.get("timeout"),
                                     next_steps_hint=False)
                except Interrupted:
                    raise Interrupted(f"interrupted: the test of {name}/{flow} stopped, with its "
                                      "temporary sandbox") from None
                except AzshellError as err:
                    _show_failed_logs(ctx, client, execid)
                    raise _about_the_sandbox(err, client, execid) from None
        finally:
            ctx.names, ctx.last_execid = saved


def _about_the_sandbox(err: AzshellError, client: Any, execid: int) -> AzshellError:
    """A run still going when ``--timeout`` ends it cannot be followed again: the sandbox goes
    with the command. Other failures keep their message."""
    from azshell.client.execution_model import FINAL_FLOW

    try:
        status = str(client.execution(execid).get("status"))
    except AzshellError:
        return err
    if status in FINAL_FLOW:
        return err
    return AzshellError(f"test: execution {execid} still {status} when the time-out ended it "
                        "(the temporary sandbox stops with the command)")


def _show_failed_logs(ctx: Context, client: Any, execid: int) -> None:
    """The end of each failed job's log on stderr (stdout keeps the one JSON document)."""
    try:
        model = client.execution_model(execid)
    except AzshellError:
        return
    for job in model.failed():
        if (model.node(job) or {}).get("status") == "KILLED":
            continue
        try:
            text = client.read_job_log(execid, job)
        except AzshellError as err:
            ctx.out.note(f"--- log of job {job}: not available ({err})")
            continue
        lines = text.rstrip("\n").splitlines()
        cut = f" (last {LOG_TAIL} of {len(lines)} lines)" if len(lines) > LOG_TAIL else ""
        ctx.out.note(f"--- log of job {job}{cut}:")
        ctx.out.note("\n".join(lines[-LOG_TAIL:]) or "(empty)")
