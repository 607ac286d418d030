"""Help that fits the terminal, `COMMAND --help`, `help keys`, and the small glitches of issue 13:
history counts and `!N`, `exit N`, suggestions per server, a directory's `/`, the job view's
notes, `-v` behind a path prefix, the mode of a downloaded zip."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_support import AZSHELL, Az, documents, make_shell
from fakes import FakeServer, Reply, Seen

from azshell.client import AzkabanClient
from azshell.shell.debugging.verbose import format_exchange
from azshell.shell.handlers.flowadmin import job_text
from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.interactive.toolbar import Status, make_toolbar
from azshell.shell.line.commands import find
from azshell.shell.line.docs import command_help, overview
from azshell.shell.line.parser import parse
from azshell.shell.names.book import NameBook
from azshell.shell.session.settings import Settings
from azshell.shell.session.state import Session


def test_help_wraps_at_the_width_with_a_hanging_indent_and_whole_words() -> None:
    text = command_help(find("execute"), 80)  # type: ignore[arg-type]
    lines = text.splitlines()
    assert all(len(line) < 80 for line in lines), [ln for ln in lines if len(ln) >= 80]
    start = next(i for i, line in enumerate(lines) if line.startswith("  --concurrent MODE"))
    column = lines[start].index("What to do")
    assert lines[start + 1].startswith(" " * column)  # the hanging indent
    assert lines[start + 1][column] != " "
    words = set(" ".join(lines).split())
    assert {"(pipeline:N", "running", "pipeline:1,"} <= words  # no word broken in two
    assert lines[0].startswith("usage: execute PROJECT FLOW [FLOW]... [--disable JOB]...")
    assert lines[1].startswith(" " * len("usage: execute ") + "[")  # under the first argument
    # without a width the usage is one line, every option in it
    execute = find("execute")
    assert execute is not None
    assert command_help(execute).splitlines()[0] == f"usage: {execute.usage()}"
    assert all(len(line) < 80 for line in overview(80).splitlines())


def test_command_help_flags_are_help() -> None:
    for line in ("execute --help", "execute -h", "execute demo --help", "sla set -h"):
        inv = parse(line)
        assert inv is not None
        assert (inv.command.name, inv.values) == ("help", {"command": line.split()[0]})
    after = parse("describe demo -- -h")  # after --, a word like any other
    assert after is not None
    assert (after.command.name, after.values["description"]) == ("describe", ["-h"])


def test_help_keys_lists_the_keys() -> None:
    sh = make_shell(type("C", (), {"url": "http://h", "observer": None})())
    sh.ctx.session.drop_client()
    doc = sh.json("help keys")
    keys = [k["key"] for k in doc["keys"]]
    assert {"Tab", "Ctrl-R", "F2", "Ctrl-C", "Ctrl-D"} <= set(keys)
    assert "'help keys' for Tab, Ctrl-R, F2" in " ".join(overview(80).split())


def test_the_toolbar_keeps_the_syntax_whole_at_80_columns() -> None:
    ctx = type("Ctx", (), {"session": Session(), "last_execid": 7,
                           "settings": Settings(url="http://127.0.0.1:8081", user="azkaban")})()
    for line in ("execute demo main ", "sla set demo main --rule ", "upload demo "):
        bar = make_toolbar(ctx, Status(session="valid"), lambda: None, lambda t=line: t,
                           lambda: 80)()
        text = "".join(part for _, part in bar)
        assert len(text) <= 80
        assert "…" not in text  # the syntax is not cut: the session gives way instead
    short = make_toolbar(ctx, Status(session="valid"), lambda: None, lambda: "flows ",
                         lambda: 80)()
    assert "session valid" in "".join(part for _, part in short)  # room for both


def test_history_takes_a_count_and_ends_on_the_newest() -> None:
    sh = make_shell(type("C", (), {"url": "http://h", "observer": None})())
    sh.ctx.session.drop_client()
    sh.ctx.history = lambda: [f"flows p{i}" for i in range(1, 31)]
    _, out, _ = sh("history")
    assert json.loads(out) == {"history": [f"flows p{i}" for i in range(11, 31)]}
    assert sh.json("history 3") == {"history": ["flows p28", "flows p29", "flows p30"]}
    assert len(sh.json("history --all")["history"]) == 30
    tty = make_shell(type("C", (), {"url": "http://h", "observer": None})(), tty=True)
    tty.ctx.session.drop_client()
    tty.ctx.history = sh.ctx.history
    assert tty("history 2")[1] == "29  flows p29\n30  flows p30\n"  # numbered for !N


def test_exit_n_sets_the_status_of_a_script(tmp_path: Path, sandbox: Any) -> None:
    az = Az(tmp_path, sandbox.url)
    assert az("-c", "exit 5").returncode == 5
    assert az("-c", "exit", "-c", "whoami").returncode == 0
    missing = "flows no_such_project_here"  # fails when it runs (exit 1)
    assert az("--keep-going", "-c", missing, "-c", "exit").returncode == 1  # the failure's
    assert az("--keep-going", "-c", missing, "-c", "exit 0").returncode == 0  # chosen


def test_suggestions_from_the_history_are_for_this_servers_projects() -> None:
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import InMemoryHistory

    from azshell.shell.interactive.history import ServerSuggest

    history = InMemoryHistory()
    for line in ("flows here", "flows elsewhere_only", "help"):
        history.append_string(line)
    book = NameBook(None)
    book.add_projects([("here", "")])
    buffer = Buffer(history=history)
    suggest = ServerSuggest(lambda: book)
    got = suggest.get_suggestion(buffer, Document("flows "))
    assert got is not None
    assert got.text == "here"  # the newer line names a project this server does not have
    assert suggest.get_suggestion(buffer, Document("he")).text == "lp"
    empty = ServerSuggest(lambda: NameBook(None))  # nothing known yet: no filtering
    assert empty.get_suggestion(buffer, Document("flows ")).text == "elsewhere_only"


def test_tab_on_a_directory_adds_its_slash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           ) -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    (tmp_path / "projects" / "demo").mkdir(parents=True)
    (tmp_path / "projects" / "demo.zip").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    completer = ShellCompleter(lambda: NameBook(None))
    line = "upload demo proj"
    found = [c.text for c in completer.get_completions(Document(line), CompleteEvent())]
    assert found == ["ects/"]
    line = "upload demo projects/de"
    found = sorted(c.text for c in completer.get_completions(Document(line), CompleteEvent()))
    assert found == ["mo.zip", "mo/"]


def test_the_job_view_puts_its_notes_in_one_column() -> None:
    general = {"type": "command", "command": "echo a", "retries": "1", "who": "me"}
    effective = {"type": "command", "command": "echo a much longer command", "retries": "3",
                 "extra": "x"}
    text = job_text({"project": "p", "flow": "f", "job": "j", "type": "command",
                     "command": effective["command"], "generalParams": general,
                     "overrideParams": effective})
    notes = [line for line in text.splitlines() if "(" in line and line.startswith("  ")]
    assert len(notes) == 4, text
    assert len({line.index("(") for line in notes}) == 1, text


def test_verbose_lines_behind_a_path_prefix_show_the_prefix() -> None:
    def handler(seen: Seen) -> Reply:
        return Reply.json({"status": "alive", "version": "3.90"})

    seen: list[Any] = []
    with FakeServer(handler) as server:
        client = AzkabanClient(server.url + "/azkaban", observer=seen.append)
        client.server_status()
    line = format_exchange(seen[-1])
    assert line.startswith("→ GET /azkaban/status ")


def test_a_downloaded_zip_gets_the_mode_the_umask_says(client: Any, make_zip: Any,
                                                       tmp_path: Path, project_name: str) -> None:
    client.create_project(project_name, "download mode")
    client.upload_project(project_name, make_zip(tmp_path, {"a.job": "type=noop\n"}))
    old = os.umask(0o027)
    try:
        sh = make_shell(client)
        written = Path(sh.json(f"download {project_name} {tmp_path}")["path"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o640


def test_the_first_prompt_of_a_new_user_says_type_help_once(shell: Any, sandbox: Any) -> None:
    first = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    assert "type 'help' for the commands, 'help keys' for the keys" in first.expect_prompt()
    assert first.exit() == 0
    again = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    assert "type 'help'" not in again.expect_prompt()
    assert again.exit() == 0


def test_in_a_terminal_help_fits_80_columns_and_command_help_works(shell: Any,
                                                                   sandbox: Any) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban", PAGER="cat")
    sh.child.setwinsize(40, 80)
    sh.expect_prompt()
    out = sh.line("help execute")
    lines = [line for line in out.replace("\r", "").split("\n") if line]
    assert any(line.startswith("  --concurrent MODE") for line in lines)
    assert all(len(line) <= 80 for line in lines[1:]), lines  # the typed line aside
    assert "usage: execute PROJECT FLOW" in sh.line("execute -h")
    assert "usage: upload PROJECT PATH" in sh.line("upload --help")
    keys = sh.line("help keys")
    assert "Ctrl-R" in keys
    assert "F2" in keys
    assert sh.exit() == 0


def test_history_recall_and_exit_status_in_a_terminal(shell: Any, sandbox: Any) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.line("whoami")
    listed = sh.line("history")
    number = re.search(r"(\d+)  whoami", listed)
    assert number is not None, listed
    again = sh.line(f"!{number.group(1)}")
    assert "(server azshell-sandbox-" in again  # it ran whoami again
    assert "error: !99: no such line" in sh.line("!99")
    sh.child.send("exit 7\r")
    sh.child.expect(pytest.importorskip("pexpect").EOF)
    sh.child.close()
    assert sh.child.exitstatus == 7


def test_ctrl_c_in_log_follow_puts_the_error_on_its_own_line(  # noqa: PLR0917
        shell: Any, sandbox: Any, client: Any, make_zip: Any, tmp_path: Path,
        project_name: str) -> None:
    client.create_project(project_name, "ctrl-c")
    client.upload_project(project_name, make_zip(tmp_path, {
        "talk.job": "type=command\ncommand=sh -c 'echo started; sleep 8'\n"}))
    from azshell.client import ExecuteOptions

    execid = client.execute(project_name, "talk", ExecuteOptions())
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    try:
        sh.expect_prompt()
        sh.child.send(f"log {execid} talk --follow\r")
        sh.child.expect("started")
        sh.child.sendintr()
        out = sh.expect_prompt()
        error = next(line for line in out.replace("\r", "").split("\n") if "error:" in line)
        assert error.startswith("error: interrupted: stopped following"), out  # not ^Cerror
    finally:
        client.cancel(execid)
    assert sh.exit() == 0


def test_verbose_output_keeps_the_prefix_for_a_whole_command(tmp_path: Path) -> None:
    """`-v` in a script behind a prefix: every line shows the path that was sent."""

    def handler(seen: Seen) -> Reply:
        return Reply.json({"status": "alive", "version": "3.90"})

    with FakeServer(handler) as server:
        az = Az(tmp_path, server.url + "/azkaban")
        done = az("-v", "-c", "server")
    assert done.returncode == 0, done.stderr
    assert "GET /azkaban/status" in done.stderr
    assert io.StringIO(done.stderr).readline().startswith("→ ")


def test_tab_goes_into_a_directory_in_a_terminal(shell: Any, sandbox: Any,
                                                 tmp_path: Path) -> None:
    (tmp_path / "projects" / "demo").mkdir(parents=True)
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send(f"upload demo {tmp_path}/proj")
    sh.child.expect("proj")
    sh.child.send("\t")
    sh.child.expect("ects/")  # the directory with its slash
    sh.child.send("\t")
    sh.child.expect("demo/")  # and the next Tab went into it
    sh.child.sendcontrol("c")
    sh.expect_prompt()
    assert sh.exit() == 0


def test_sandbox_examples_in_a_script_and_without_the_sandbox(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_CACHE_HOME": str(tmp_path / "k")}
    done = subprocess.run([AZSHELL, "--sandbox", "--examples", "-c", "projects", "-c",
                           "grant flow1-etl alice read execute"], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    projects, granted = documents(done.stdout)
    assert sorted(p["projectName"] for p in projects) == [
        "flow1-etl", "flow1-failing", "flow2-pipeline", "flow2-trigger"]
    assert granted["permissions"] == ["READ", "EXECUTE"]  # the docs' example user exists
    alone = subprocess.run([AZSHELL, "--examples", "-c", "whoami"], capture_output=True,
                           text=True, env=env, timeout=60, check=False)
    assert alone.returncode == 2
    assert alone.stderr == "azshell: error: --examples goes with --sandbox\n"
