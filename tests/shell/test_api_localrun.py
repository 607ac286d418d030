"""test PATH FLOW: a flow of a local project run on a temporary in-process sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, make_shell


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_flow_that_succeeds(client: Any) -> None:
    sh = make_shell(client)
    before = sh.ctx.client
    code, out, err = sh(f"test {EXAMPLES / 'flow1-etl'} finish")
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "SUCCEEDED"
    assert data["flow"] == "finish"
    assert sh.ctx.client is before  # the shell's own server is back
    assert sh.ctx.names.executions() == []  # the sandbox's ids are not offered later


def test_a_failing_flow_exits_1_and_shows_the_failed_jobs_log(client: Any) -> None:
    sh = make_shell(client)
    code, out, err = sh(f"test {EXAMPLES / 'flow1-failing'} end")
    assert code == 1
    assert json.loads(out)["status"] == "FAILED"
    assert "--- log of job boom:" in err
    assert "ERROR - boom" in err  # the job's own output
    assert err.strip().splitlines()[-1] == ("error: execution 1 (flow1-failing/end) ended "
                                            "FAILED; failed jobs: boom")


def test_on_a_terminal_no_hint_about_a_server_that_is_gone(client: Any) -> None:
    sh = make_shell(client, tty=True)
    code, out, err = sh(f"test {EXAMPLES / 'flow1-failing'} end")
    assert code == 1
    assert "FAILED" in out
    assert "--- log of job boom" in err
    assert "rerun" not in err  # the sandbox that ran it is gone


def test_a_time_out_says_the_run_ended_with_the_sandbox(client: Any, tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"slow.job": "type=command\ncommand=sleep 5\n"})
    code, out, err = make_shell(client)(f"test {root} slow --timeout 1")
    assert code == 1
    assert json.loads(out)["status"] == "RUNNING"  # the run as it was when the time ran out
    assert err.strip().splitlines()[-1] == (
        "error: test: execution 1 still RUNNING when the time-out ended it (the temporary "
        "sandbox stops with the command)")


def test_params_and_disabled_jobs_reach_the_run(client: Any, tmp_path: Path) -> None:
    root = write(tmp_path / "proj", {
        "check.job": "type=command\ncommand=test \"${day}\" = 2024-01-31\n",
        "boom.job": "type=command\ncommand=false\n",
        "end.job": "type=noop\ndependencies=check,boom\n"})
    sh = make_shell(client)
    code, _, err = sh(f"test {root} end --param day=2024-01-30 --disable boom")
    assert code == 1, err
    assert "--- log of job check:" in err
    code, out, err = sh(f"test {root} end --param day=2024-01-31 --disable boom")
    assert code == 0, err
    nodes = {n["id"]: n["status"] for n in json.loads(out)["nodes"]}
    assert nodes == {"check": "SUCCEEDED", "boom": "SKIPPED", "end": "SUCCEEDED"}


def test_a_zip_and_a_flow_2_project(client: Any, tmp_path: Path, zip_directory: Any) -> None:
    archive = zip_directory(EXAMPLES / "flow2-pipeline", tmp_path / "pipe.zip")
    sh = make_shell(client)
    code, out, err = sh(f"test {archive} pipeline")
    assert code == 0, err
    assert json.loads(out)["project"] == "pipe"


def test_job_types_the_sandbox_cannot_run_are_named_first(client: Any, tmp_path: Path,
                                                          ) -> None:
    root = write(tmp_path / "p", {"s.job": "type=spark\n"})
    code, _, err = make_shell(client)(f"test {root} s")
    assert code == 1
    assert err.startswith("warning: the sandbox runs only command, noop and flow jobs; these "
                          "fail here: s (spark)\n")


def test_it_needs_no_session(tmp_path: Path) -> None:
    """No server at all: the shell has no client, and the test runs anyway."""
    import io

    from api_support import Shell

    from azshell.shell.run.context import new_context
    from azshell.shell.session.settings import Settings

    out, err = io.StringIO(), io.StringIO()
    ctx = new_context(Settings(pager=False), interactive=False, stdout=out, stderr=err)
    sh = Shell(ctx, out, err)
    code, text, errors = sh(f"test {EXAMPLES / 'flow2-pipeline'} pipeline")
    assert code == 0, errors
    assert json.loads(text)["status"] == "SUCCEEDED"
    assert ctx.session.connected is None


@pytest.mark.parametrize(("args", "code", "message"), [
    ("{ex} nope", 1, "test: {ex} has no flow 'nope'; its flows: audit, finish"),
    ("{tmp}/gone main", 1, "test: no such file or directory"),
    ("{ex}", 2, "test: missing FLOW"),
    ("{ex} finish --param day", 2, "--param must look like KEY=VALUE"),
    ("{ex} finish --timeout 0", 2, "--timeout must be a positive number"),
])
def test_bad_input(client: Any, tmp_path: Path, args: str, code: int, message: str) -> None:
    ex = EXAMPLES / "flow1-etl"
    line = make_shell(client).fails("test " + args.format(ex=ex, tmp=tmp_path), code=code)
    assert message.format(ex=ex) in line


def test_a_project_that_does_not_validate(client: Any, tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"a.job": "type=noop\ndependencies=gone\n"})
    assert "a cannot find dependency gone" in make_shell(client).fails(f"test {root} a")
