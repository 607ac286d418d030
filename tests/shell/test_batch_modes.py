"""The installed `azshell` in every script mode, against the sandbox: stdout, stderr, exit codes.

Each run gets its own HOME and XDG directories, never the real home, and is started in a new
session (no controlling terminal), as under cron or CI.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from api_support import documents

AZSHELL = str(Path(sys.executable).with_name("azshell"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ANSI = re.compile(r"\x1b\[")


class Runner:
    """Runs `azshell URL --user azkaban ...` with private directories and a chosen environment."""

    def __init__(self, home: Path, url: str) -> None:
        self.url = url
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"), "AZSHELL_PASSWORD": "azkaban",
            "TERM": "xterm-256color", "LANG": "C.UTF-8",
        }

    def __call__(self, *args: str, stdin: str | None = None, url: bool = True,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        argv = [AZSHELL, *([self.url, "--user", "azkaban"] if url else []), *args]
        return subprocess.run(argv, input=stdin if stdin is not None else "", text=True,
                              capture_output=True, env={**self.env, **(env or {})}, timeout=60,
                              start_new_session=True, check=False)



@pytest.fixture
def az(tmp_path: Path, sandbox: Any) -> Runner:
    return Runner(tmp_path / "home", sandbox.url)


def test_one_command_prints_one_json_document(az: Runner) -> None:
    done = az("-c", "whoami")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    (doc,) = documents(done.stdout)
    assert doc["user"] == "azkaban"
    assert doc["session"] == "valid"
    assert doc["url"] == az.url


def test_each_command_prints_exactly_one_document(az: Runner, project_name: str) -> None:
    done = az("-c", f"create {project_name}", "-c", "projects", "-c", "set", "-c", "help flows",
              "-c", f"flows {project_name}")
    assert done.returncode == 0, done.stderr
    created, projects, settings, helped, flows = documents(done.stdout)
    assert created == {"ok": True, "project": project_name, "created": True}
    assert project_name in [p["projectName"] for p in projects]
    assert settings["output"] == "auto"
    assert helped["usage"] == "flows PROJECT"
    assert flows == []


def test_no_colour_and_no_table_when_piped(az: Runner) -> None:
    done = az("-c", "projects", "-c", "whoami", env={"TERM": "xterm-256color"})
    assert done.returncode == 0
    assert not ANSI.search(done.stdout)
    assert isinstance(documents(done.stdout)[0], list)


def test_colour_and_tables_when_asked_for(az: Runner) -> None:
    done = az("--color", "always", "-c", "whoami")
    assert ANSI.search(done.stdout)
    done = az("--output", "table", "-c", "projects")
    assert done.stdout.split()[:5] == ["PROJECT", "ID", "LAST", "MODIFIED", "BY"]


def test_raw_output_is_the_servers_text(az: Runner) -> None:
    done = az("--output", "raw", "-c", "call /status")
    assert done.returncode == 0
    assert '"version" : ' in done.stdout  # the server's own (Jackson) spacing


def test_script_file_with_comments_and_blank_lines(az: Runner, tmp_path: Path,
                                                   project_name: str) -> None:
    script = tmp_path / "setup.az"
    script.write_text(f"# make a project\n\ncreate {project_name} 'from a script'  # here\n"
                      f"   \nprojects\n")
    done = az("-f", str(script))
    assert done.returncode == 0, done.stderr
    assert len(documents(done.stdout)) == 2


@pytest.mark.parametrize("how", ["-f -", "pipe"])
def test_script_on_stdin(az: Runner, how: str) -> None:
    args = ("-f", "-") if how == "-f -" else ()
    done = az(*args, stdin="whoami\n# nothing\nset output\n")
    assert done.returncode == 0, done.stderr
    assert [d.get("user", d.get("output")) for d in documents(done.stdout)] == ["azkaban", "auto"]


def test_a_script_stops_at_the_first_failure(az: Runner, tmp_path: Path,
                                             project_name: str) -> None:
    script = tmp_path / "deploy.az"
    script.write_text(f"whoami\nflows no-such-project-{project_name}\ncreate {project_name}\n")
    done = az("-f", str(script))
    assert done.returncode == 1
    assert len(documents(done.stdout)) == 1
    assert re.fullmatch(rf"{re.escape(str(script))}:2: error: .+\n", done.stderr)
    assert project_name not in az("-c", "projects").stdout  # line 3 never ran


def test_keep_going_runs_on_and_still_fails(az: Runner, tmp_path: Path,
                                            project_name: str) -> None:
    script = tmp_path / "deploy.az"
    script.write_text(f"flows no-such-{project_name}\nshow 999999\ncreate {project_name}\n")
    done = az("--keep-going", "-f", str(script))
    assert done.returncode == 1  # the first failure's code
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"{script}:1: error: ")
    assert lines[1].startswith(f"{script}:2: error: ")
    assert documents(done.stdout) == [{"ok": True, "project": project_name, "created": True}]


def test_a_usage_error_stops_the_script_before_its_first_line(az: Runner, tmp_path: Path,
                                                              project_name: str) -> None:
    script = tmp_path / "deploy.az"
    script.write_text(f"create {project_name}\nexecute {project_name} main\nflws\n"
                      f"delete {project_name}\n")
    for args in (("-f", str(script)), ("--keep-going", "-f", str(script))):
        done = az(*args)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.splitlines() == [
            f"{script}:3: error: unknown command 'flws' (did you mean 'flows'?); type 'help' "
            "for the list",
            f"{script}:4: error: delete: refusing to delete {project_name!r} in a script "
            "without --yes",
            f"{script}: nothing was run (fix the lines above)"]
    assert project_name not in az("-c", "projects").stdout  # line 1 never ran


@pytest.mark.parametrize("how", ["-f -", "pipe"])
def test_a_piped_script_is_read_to_its_end_and_checked_first(az: Runner, project_name: str,
                                                             how: str) -> None:
    args = ("-f", "-") if how == "-f -" else ()
    done = az(*args, stdin=f"create {project_name}\nexecute {project_name} main --timeout 5\n")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("<stdin>:2: error: execute: --timeout goes with --wait\n")
    assert project_name not in az("-c", "projects").stdout


def test_check_only_parses(az: Runner, tmp_path: Path, project_name: str) -> None:
    script = tmp_path / "deploy.az"
    script.write_text(f"create {project_name}\nschedule {project_name} main '61 * * * *'\n")
    done = az("--check", "-f", str(script))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"{script}:2: error: invalid cron expression '61 * * * *'")
    assert "nothing was run" not in done.stderr
    script.write_text(f"create {project_name}\n# a comment\n\nflows {project_name}\n")
    done = az("--check", "-f", str(script))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert project_name not in az("-c", "projects").stdout  # nothing was sent
    done = az("--check", "-c", "flws")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("-c:1: error: unknown command 'flws'")


def test_usage_errors_exit_2_and_name_the_command_line(az: Runner) -> None:
    done = az("-c", "whoami", "-c", "show banana")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "-c:2: error: show: EXECID must be a positive execution id, not 'banana'\n"
        "-c: nothing was run (fix the lines above)\n")


def test_delete_in_a_script_needs_yes(az: Runner, project_name: str) -> None:
    created = az("-c", f"create {project_name}", "-c", f"call /manager ajax=getProjectId "
                 f"project={project_name}")
    assert created.returncode == 0
    project_id = documents(created.stdout)[1]["projectId"]
    done = az("-c", f"delete {project_name}")
    assert done.returncode == 2
    assert "without --yes" in done.stderr
    assert project_name in az("-c", "projects").stdout
    done = az("-c", f"delete {project_name} --yes")
    assert done.returncode == 0
    assert documents(done.stdout) == [{"ok": True, "project": project_name,
                                       "projectId": project_id, "deleted": True}]
    missing = az("-c", f"delete {project_name} --yes")  # gone: one error line, nothing asked
    assert missing.returncode == 1
    assert missing.stderr == f"-c:1: error: Project {project_name} doesn't exist.\n"
    assert project_name not in az("-c", "projects").stdout


def test_upload_execute_show(az: Runner, project_name: str) -> None:
    example = EXAMPLES / "flow1-etl"
    assert example.is_dir()
    done = az("-c", f"upload {project_name} {example} --create", "-c", f"flows {project_name}",
              "-c", f"execute {project_name} finish --disable load", "-c", "show")
    assert done.returncode == 0, done.stderr
    uploaded, flows, started, shown = documents(done.stdout)
    assert uploaded["created"] is True
    assert uploaded["version"] == 1
    assert sorted(uploaded["flows"]) == sorted(flows)
    assert started["execid"] == shown["execid"]
    assert shown["flowId"] == "finish"


def test_upload_refuses_an_invalid_project_before_sending(az: Runner, tmp_path: Path,
                                                         project_name: str) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.job").write_text("type=command\ncommand=true\ndependencies=missing\n")
    done = az("-c", f"upload {project_name} {bad} --create")
    assert done.returncode == 1
    assert "a cannot find dependency missing" in done.stderr
    assert project_name not in az("-c", "projects").stdout  # nothing was created


def test_server_errors_are_one_line_exit_1(az: Runner) -> None:
    done = az("-c", "show 987654")
    assert done.returncode == 1
    assert done.stderr == "-c:1: error: there is no execution 987654 on this server\n"
    assert done.stdout == ""


def test_unreachable_server_exits_3(az: Runner) -> None:
    done = az("http://127.0.0.1:9", "--user", "azkaban", "-c", "projects", url=False)
    assert done.returncode == 3
    assert done.stderr.startswith("-c:1: error: ")
    assert len(done.stderr.splitlines()) == 1


def test_no_server_at_all_exits_3(az: Runner) -> None:
    done = az("-c", "projects", url=False)
    assert done.returncode == 3
    assert "not connected" in done.stderr


def test_exit_ends_a_script(az: Runner) -> None:
    done = az(stdin="whoami\nexit\nflws\n")
    assert done.returncode == 0
    assert len(documents(done.stdout)) == 1


def test_bad_command_line_exits_2(az: Runner) -> None:
    assert az("--output", "pretty", "-c", "whoami").returncode == 2
    done = az("-c", "whoami", "-f", "x.az")
    assert done.returncode == 2
    done = az("-f", "/no/such/script.az")
    assert done.returncode == 2
    assert "cannot read script /no/such/script.az" in done.stderr


def _reading_a_script(az: Runner) -> subprocess.Popen[str]:
    """azshell -f - with one line sent and stdin left open: --debug says where its log is just
    before the script is read, and stdin is read to its end before the first line runs, so
    the shell is then waiting for the rest of the script."""
    proc = subprocess.Popen([AZSHELL, az.url, "--user", "azkaban", "--debug", "-f", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=az.env,
                            start_new_session=True)
    assert proc.stdin is not None
    assert proc.stderr is not None
    proc.stdin.write("whoami\n")
    proc.stdin.flush()
    assert proc.stderr.readline().startswith("debug log: ")
    return proc


def test_interrupt_exits_130(az: Runner) -> None:
    proc = _reading_a_script(az)
    try:
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)  # stdin stays open: the signal, not the end of the input, ends it
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "interrupted" in err
    assert out == ""  # whoami never ran: the script was not all there


def test_interrupt_that_comes_as_stdin_ends_exits_130(az: Runner) -> None:
    """Ctrl-C and the end of the input at once (communicate closes stdin right after the
    signal): whichever the shell sees first, the exit is 130 and no traceback."""
    for _ in range(10):
        proc = _reading_a_script(az)
        try:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert "interrupted" in err


def test_help_and_version(az: Runner) -> None:
    done = az("--help", url=False)
    assert done.returncode == 0
    assert "examples:" in done.stdout
    assert "azshell --sandbox" in done.stdout
    assert re.search(r"exit codes: 0 ok, 1 .*\n130 interrupted", done.stdout)
    assert az("--version", url=False).stdout.startswith("azshell ")


def test_timing_goes_to_stderr(az: Runner) -> None:
    started = time.monotonic()
    done = az("-c", "set timing on", "-c", "whoami", "-v")
    assert time.monotonic() - started < 30
    assert re.search(r"^took \d+\.\d{2,3} s$", done.stderr, re.M)
    assert re.search(r"^→ GET /status  ← 200 \d+ B ", done.stderr, re.M)
    assert len(documents(done.stdout)) == 2


def test_a_missing_ca_bundle_is_a_usage_error(az: Runner) -> None:
    done = az("--ca-cert", "/no/such/ca.pem", "-c", "projects")
    assert done.returncode == 2
    assert done.stderr == "-c:1: error: --ca-cert: no such file: /no/such/ca.pem\n"


def test_the_sandbox_subcommand_is_still_there(az: Runner) -> None:
    done = az("sandbox", "--help", url=False)
    assert done.returncode == 0
    assert "usage: azshell sandbox" in done.stdout
