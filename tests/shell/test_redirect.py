"""`COMMAND | pipeline`, `COMMAND > FILE` and `>> FILE` in scripts and in the shell; the parser,
the completer and the highlighting know where the command ends."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.errors import UsageError
from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.interactive.lexer import highlight
from azshell.shell.line.parser import Redirect, parse, position, tokens
from azshell.shell.names.book import NameBook

AZSHELL = str(Path(sys.executable).with_name("azshell"))


def test_the_command_ends_at_an_unquoted_pipe_or_angle() -> None:
    inv = parse("flows demo | grep -c x")
    assert inv is not None
    assert inv.values == {"project": "demo"}
    assert inv.redirect == Redirect("|", "grep -c x")
    inv = parse("projects >> 'my file.csv'")
    assert inv is not None
    assert inv.redirect == Redirect(">>", "my file.csv")
    inv = parse("call /manager 'a=x|y' b=\">\" # comment | not a pipe")
    assert inv is not None
    assert inv.redirect is None
    assert inv.values["params"] == [("a", "x|y"), ("b", ">")]
    assert [t.text for t in tokens("flows demo|wc -l")] == ["flows", "demo"]


@pytest.mark.parametrize(("line", "message"), [
    ("projects |", "| needs a command to pipe the answer to"),
    ("projects >", "> needs one file name"),
    ("projects > a b", "> needs one file name"),
    ("| grep x", "a command must come before |"),
])
def test_a_redirect_without_its_target_is_a_usage_error(line: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse(line)


def test_completion_after_the_command_end(tmp_path: Path) -> None:
    book = NameBook(None)
    book.add_projects([("demo", "")])
    completer = ShellCompleter(lambda: book)
    (tmp_path / "report.csv").write_text("")

    def texts(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert texts("flows d") == ["demo"]
    assert texts("flows demo | d") == []  # the system shell's words: not projects
    assert texts(f"projects > {tmp_path}/rep") == ["ort.csv"]
    assert position("flows demo | gr").expecting == "pipeline"
    assert position("flows demo >> o").expecting == "file"


def test_highlighting_marks_where_the_command_ends() -> None:
    assert highlight("flows demo | grep x")[-2:] == [("class:redirect", "|"),
                                                    ("class:redirect.target", " grep x")]
    unknown = highlight("flows demo |grep")
    assert ("class:error", "|grep") not in unknown  # not an unexpected argument


def run(home: Path, url: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "c"), "XDG_STATE_HOME": str(home / "s"),
           "XDG_CACHE_HOME": str(home / "k"), "AZSHELL_PASSWORD": "azkaban",
           "FORCE_COLOR": "1"}
    return subprocess.run([AZSHELL, url, "--user", "azkaban", *args], capture_output=True,
                          text=True, env=env, check=False, start_new_session=True, timeout=60,
                          cwd=home, **kwargs)


def test_redirects_in_a_script(tmp_path: Path, sandbox: Any) -> None:
    script = tmp_path / "s.az"
    script.write_text("whoami > who.json\nwhoami >> who.json\nset output yaml\n"
                      "whoami | grep -c user\n")
    tmp_path.joinpath("who.json").write_text("old\n")
    done = run(tmp_path, sandbox.url, "-f", str(script), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    written = tmp_path.joinpath("who.json").read_text()
    assert "old" not in written
    assert written.count('"user": "azkaban"') == 2
    assert "\x1b[" not in written  # FORCE_COLOR colours the screen, never the file
    assert done.stdout.endswith("\n1\n")  # the pipeline's own output, after `set`


def test_a_failing_pipeline_is_reported_and_fails_the_line(tmp_path: Path,
                                                           sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "-c", "whoami | grep -q nothing-like-this",
               "-c", "whoami > no/such/dir/x", "--keep-going", stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "-c:1: error: the pipeline 'grep -q nothing-like-this' exited with status 1",
        "-c:2: error: cannot write no/such/dir/x: No such file or directory"]


@pytest.mark.pty
def test_in_the_shell_a_pipeline_runs_and_ctrl_c_stops_it(tmp_path: Path, shell: Any,
                                                          sandbox: Any) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    shown = sh.line("whoami | grep -o 'user.*azkaban'")
    assert 'user": "azkaban' in shown
    target = tmp_path / "out.csv"
    sh.line(f"projects -o csv > {target}")  # -o is not a projects option: a usage error
    assert not target.exists()
    sh.line("set output csv")
    sh.line(f"whoami > {target}")
    assert target.read_bytes().startswith(b"url,user,session")
    assert b"\r\n" in target.read_bytes()
    started = time.monotonic()
    sh.child.send("whoami | sleep 30\r")
    time.sleep(0.5)
    sh.child.sendcontrol("c")
    shown = sh.expect_prompt()
    assert time.monotonic() - started < 10
    assert "interrupted" in shown
    assert sh.line("whoami | wc -l").strip().endswith("2")  # the shell goes on
    assert sh.exit() == 0
