"""log --grep, --tail and --failed: the text functions, and the command on the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import EXAMPLES, make_shell

from azshell.shell.follow.follower import Follower
from azshell.shell.follow.logtools import LineFilter, keep, pattern

TEXT = "one INFO\ntwo ERROR boom\nthree info\nfour Error again\n"


def test_grep_is_smart_case_and_tail_keeps_the_last_lines() -> None:
    assert keep(TEXT, pattern("error"), None) == "two ERROR boom\nfour Error again\n"
    assert keep(TEXT, pattern("Error"), None) == "four Error again\n"
    assert keep(TEXT, None, 2) == "three info\nfour Error again\n"
    assert keep(TEXT, pattern("info"), 1) == "three info\n"
    assert keep("no newline at the end", None, 1) == "no newline at the end\n"
    assert keep(TEXT, pattern("nothing"), None) == ""


def test_a_followed_log_is_matched_line_by_line_across_pieces() -> None:
    seen: list[str] = []
    sink = LineFilter(pattern("err"), seen.append)
    for piece in ("one\ntw", "o ERR", "OR\nthree\nfour err", "or"):
        sink(piece)
    assert seen == ["two ERROR\n"]
    sink.close()
    assert seen == ["two ERROR\n", "four error"]


@pytest.fixture
def failed_run(client: Any, tmp_path: Path, zip_directory: Any, project_name: str) -> int:
    client.create_project(project_name, "log test")
    client.upload_project(project_name, zip_directory(EXAMPLES / "flow1-failing",
                                                      tmp_path / "p.zip"))
    execid = client.execute(project_name, "end")
    Follower(client, execid).run()
    return execid


def test_failed_prints_only_the_failed_jobs_logs_each_headed(client: Any,
                                                            failed_run: int) -> None:
    sh = make_shell(client, tty=True)
    code, out, err = sh(f"log {failed_run} --failed")
    assert code == 0, err
    assert out.startswith("==> boom (FAILED) <==\n")
    assert "Starting job boom" in out
    assert "Starting job fine" not in out  # a job that succeeded is left out
    data = make_shell(client).json(f"log {failed_run} --failed --tail 1")
    assert [(j["job"], j["status"]) for j in data["jobs"]] == [("boom", "FAILED")]
    assert data["jobs"][0]["log"].count("\n") == 1


def test_grep_and_tail_on_a_jobs_log(client: Any, failed_run: int) -> None:
    whole = client.read_job_log(failed_run, "boom")
    sh = make_shell(client)
    sh.ctx.settings.output = "json"  # a job's log is text in a pipe unless JSON is asked for
    data = sh.json(f"log {failed_run} boom --grep 'exit|error'")
    expected = [line for line in whole.splitlines() if "exit" in line.lower()
                or "error" in line.lower()]
    assert data["log"].splitlines() == expected
    assert expected
    data = sh.json(f"log {failed_run} boom --tail 2")
    assert data["log"].splitlines() == whole.splitlines()[-2:]


def test_no_match_says_so_on_a_terminal(client: Any, failed_run: int) -> None:
    sh = make_shell(client, tty=True)
    code, out, _ = sh(f"log {failed_run} --grep zzzqqq")
    assert (code, out) == (0, "(no line matches)\n")


def test_bad_combinations_are_one_usage_error(client: Any, failed_run: int) -> None:
    sh = make_shell(client)
    assert "not a regular expression" in sh.fails(f"log {failed_run} --grep '('", code=2)
    assert "name no JOB" in sh.fails(f"log {failed_run} boom --failed", code=2)
    assert "cannot --follow" in sh.fails(f"log {failed_run} --failed --follow", code=2)


def test_failed_on_an_execution_without_failures(client: Any, failed_run: int,
                                                  project_name: str) -> None:
    from azshell.client import ExecuteOptions

    execid = client.execute(project_name, "end", ExecuteOptions(disabled=["boom"]))
    Follower(client, execid).run()
    line = make_shell(client).fails(f"log {execid} --failed")
    assert line == (f"error: execution {execid} ({project_name}/end, SUCCEEDED) has no "
                    "failed job")
