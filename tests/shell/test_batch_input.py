"""What a script is told about its own words: stdin that is not UTF-8 (like -f), a word that
is no execution id, and error lines kept to a sane length however long the word echoed."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, documents, make_shell

from azshell.shell.run.output import LINE_LIMIT, WORD_LIMIT, Output, error_line


def run(home: Path, url: str, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(home / "cache"), "AZSHELL_PASSWORD": "azkaban",
           "LANG": "C.UTF-8"}
    done = subprocess.run([AZSHELL, url, "--user", "azkaban", *args], input=stdin,
                          capture_output=True, env=env, timeout=60, check=False,
                          start_new_session=True)
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode(), done.stderr.decode())


# -- stdin that is not UTF-8 ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [(), ("-f", "-")])
def test_stdin_that_is_not_utf8_is_refused_like_a_file(tmp_path: Path, sandbox: Any,
                                                       args: tuple[str, ...]) -> None:
    done = run(tmp_path, sandbox.url, *args, stdin=b"set output\n\xff\xfe\nwhoami\n")
    assert done.returncode == 2
    assert done.stderr == "error: script <stdin> is not UTF-8 text (line 2)\n"
    assert done.stdout == ""  # stdin is read to its end first: not even line 1 ran


def test_a_binary_file_says_the_same(tmp_path: Path, sandbox: Any) -> None:
    script = tmp_path / "bin.az"
    script.write_bytes(b"\xff\xfe\n")
    done = run(tmp_path, sandbox.url, "-f", str(script))
    assert (done.returncode, done.stderr) == (2, f"error: script {script} is not UTF-8 text\n")


def test_utf8_on_stdin_still_runs(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, stdin="whoami\r\nflöws ß\n".encode())
    assert done.returncode == 2
    assert done.stdout == ""  # checked before running: whoami did not run either
    assert done.stderr.startswith("<stdin>:2: error: unknown command 'flöws'")
    done = run(tmp_path, sandbox.url, stdin="whoami\r\n# ß\n".encode())
    assert done.returncode == 0
    assert documents(done.stdout)[0]["user"] == "azkaban"


# -- a word that is no execution id ---------------------------------------------------------------

def test_log_of_a_word_that_is_no_execution_id(client: Any) -> None:
    sh = make_shell(client)
    assert sh.fails("log abc", 2) == ("error: log: 'abc' is not an execution id (a number or an "
                                      "execution's address), and no execution was started in "
                                      "this session")
    for line in ("log --job abc", "log -j abc", "log --jo=abc", "log"):  # a job for certain
        assert sh.fails(line, 2) == "error: no execution id given and none started in this " \
                                    "session"


def test_log_of_a_job_of_the_last_execution(client: Any) -> None:
    sh = make_shell(client)
    sh.ctx.last_execid = 999999
    assert "999999" in sh.fails("log abc")  # read as job abc of that execution: not found


# -- long words in error lines --------------------------------------------------------------------

def test_a_long_word_is_cut_in_the_middle() -> None:
    line = error_line(f"unknown command '{'x' * 2_000_000}'; type 'help' for the list")
    word = line.split()[2]
    assert len(word) == WORD_LIMIT
    assert word.startswith("'xxx")
    assert word.endswith("xx';")  # its quotes are kept
    assert "…" in word
    assert line.endswith("; type 'help' for the list")


def test_a_server_message_keeps_its_words() -> None:
    report = "; ".join(f"job{i} cannot find dependency dep{i}" for i in range(20))
    assert error_line(f"project is invalid: {report}") == f"project is invalid: {report}"
    assert len(error_line("word " * 1000)) == LINE_LIMIT
    assert error_line("a\n\n  b  \n") == "a; b"


def test_the_full_text_goes_to_the_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    class Sink:
        text = ""

        def write(self, text: str) -> None:
            self.text += text

        def flush(self) -> None:
            pass

    sink = Sink()
    long = "y" * 5000
    with caplog.at_level(logging.DEBUG, logger="azshell.shell"):
        Output(sink, sink).error(f"no such thing {long}")  # type: ignore[arg-type]
    assert len(sink.text) < WORD_LIMIT + 30
    assert long in caplog.text


def test_a_2mb_project_name_gives_a_short_line(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--keep-going",
               stdin=(f"flows {'p' * 2_000_000}\nshow {'9x' * 1_000_000}\n").encode())
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr[:500]
    assert all(len(line) < 400 for line in lines)
    assert lines[0].startswith("<stdin>:2: error: show: EXECID must be a positive execution id, "
                               "not '9x9x")
    assert lines[1] == "<stdin>: nothing was run (fix the lines above)"


# -- --stream: a pipe that stays open ------------------------------------------------------------

def test_stream_runs_each_line_while_the_pipe_is_still_open(tmp_path: Path, sandbox: Any) -> None:
    """Without --stream the whole script is read (and checked) first, so a pipe like
    `tail -f` would never start; with it, the answer to a line comes while stdin is open."""
    import json
    import select

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "AZSHELL_PASSWORD": "azkaban"}
    child = subprocess.Popen([AZSHELL, sandbox.url, "--user", "azkaban", "--stream",
                              "--query", "user"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             start_new_session=True)
    try:
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdin.write(b"whoami\n")
        child.stdin.flush()
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready, "no answer while stdin stayed open"
        assert json.loads(child.stdout.readline()) == "azkaban"
        child.stdin.write(b"flows\n")  # a usage error stops the stream like a script
        child.stdin.close()
        assert child.wait(30) == 2
        assert child.stderr is not None
        assert child.stderr.read().decode() == (
            "<stdin>:2: error: flows: missing PROJECT (usage: flows PROJECT)\n")
    finally:
        if child.poll() is None:
            child.kill()


def test_stream_is_for_stdin_alone(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--stream", "-c", "whoami")
    assert done.returncode == 2
    assert "--stream runs stdin as it comes: not with" in done.stderr
