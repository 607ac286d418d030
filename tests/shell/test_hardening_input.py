"""Hostile input from the user's side (issue 9): bytes that are not UTF-8 in -c, --user and
AZSHELL_PASSWORD, paths over the system's limits, and script lines split only where a line ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api_support import make_shell

from azshell.client import AzkabanClient

AZSHELL = str(Path(sys.executable).with_name("azshell"))


def _env(home: Path, **extra: str | bytes) -> dict[str | bytes, str | bytes]:
    env: dict[str | bytes, str | bytes] = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def run(home: Path, *args: str | bytes, **extra: str | bytes) -> subprocess.CompletedProcess:
    env = {os.fsencode(k): os.fsencode(v) for k, v in _env(home, **extra).items()}
    return subprocess.run([AZSHELL, *args], input=b"", capture_output=True, env=env,
                          timeout=60, start_new_session=True, check=False)


@pytest.mark.parametrize(("args", "extra", "named"), [
    (["-c", b"projects \xff\xfe"], {}, "-c:1"),
    (["-c", "projects", "-c", b"flows \xc3("], {}, "-c:2"),
    (["--user", b"al\xffice", "-c", "projects"], {}, "--user"),
    (["-c", "projects"], {"AZSHELL_PASSWORD": b"s3cr\xe9t-pass"}, "AZSHELL_PASSWORD"),
    (["-c", "projects"], {"AZSHELL_USER": b"\xff"}, "AZSHELL_USER"),
], ids=["-c", "second -c", "--user", "AZSHELL_PASSWORD", "AZSHELL_USER"])
def test_bytes_that_are_not_utf8_are_a_usage_error_naming_the_argument(
        tmp_path: Path, sandbox: Any, args: list[str | bytes], extra: dict[str, bytes],
        named: str) -> None:
    done = run(tmp_path, sandbox.url, *args,
               **{"AZSHELL_USER": "azkaban", "AZSHELL_PASSWORD": "azkaban", **extra})
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().splitlines() == [f"azshell: error: {named} is not UTF-8 text"]
    assert b"s3cr" not in done.stderr  # a password is never repeated


def test_an_over_long_upload_path_is_one_error_naming_it(client: AzkabanClient,
                                                        tmp_path: Path) -> None:
    shell = make_shell(client)
    long_path = tmp_path / ("d" * 300) / "project"
    line = shell.fails(f"upload demo {long_path}")
    assert "File name too long" in line
    assert "internal error" not in line
    assert str(tmp_path) in line


def test_an_over_long_download_path_is_one_error(client: AzkabanClient, tmp_path: Path,
                                                 put_project: Any, project_name: str) -> None:
    put_project({"a.job": "type=noop\n"})
    shell = make_shell(client)
    line = shell.fails(f"download {project_name} {tmp_path / ('z' * 300)}.zip")
    assert "File name too long" in line
    assert "internal error" not in line


@pytest.mark.parametrize("inside", ["\f", "\r", "\x85", "\u2028", "\u2029", "\x1c", "\v"],
                         ids=repr)
def test_script_lines_split_on_newlines_only(inside: str) -> None:
    from azshell.shell.run.batch import lines_of

    assert lines_of(f"one{inside}two\nthree\r\nfour") == [f"one{inside}two", "three", "four"]
    assert lines_of("a\n\nb\n") == ["a", "", "b"]


def test_a_script_file_with_a_form_feed_runs_one_line(tmp_path: Path) -> None:
    script = tmp_path / "s.az"
    script.write_bytes(b"nosuch1\x0cnosuch2\r\nnosuch3\rnosuch4\n")
    done = run(tmp_path, "-f", str(script), "--keep-going")
    lines = done.stderr.decode().splitlines()
    assert [line.split(": error:")[0] for line in lines] == [f"{script}:1", f"{script}:2"]


def test_stdin_and_a_script_file_split_alike(tmp_path: Path) -> None:
    text = b"nosuch1\xe2\x80\xa8nosuch2\r\nnosuch3\n"
    script = tmp_path / "s.az"
    script.write_bytes(text)
    from_file = run(tmp_path, "-f", str(script), "--keep-going").stderr.decode()
    env = {os.fsencode(k): os.fsencode(v) for k, v in _env(tmp_path).items()}
    from_stdin = subprocess.run([AZSHELL, "--keep-going"], input=text, capture_output=True,
                                env=env, timeout=60, check=False).stderr.decode()
    assert from_file.replace(str(script), "X") == from_stdin.replace("<stdin>", "X")
    assert len(from_file.splitlines()) == 2
