"""The installed `azshell` in a real pseudo-terminal (pexpect): Tab, Ctrl-C, Ctrl-D, history,
delete asking first, the flows table as a person sees it, and `azshell --sandbox` interactively.

Each test gets private HOME and XDG directories (``pty_home``), a fixed 40x120 window and
PROMPT_TOOLKIT_NO_CPR=1 (nobody answers cursor-position requests here). Prompts are matched
without their trailing space.
"""

from __future__ import annotations

import json
import re
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect  # a test dependency: missing, these tests fail (never skip)
import pytest

pytestmark = pytest.mark.pty

from fakes import FakeServer, Reply, Seen  # noqa: E402
from pty_harness import ANSI, AZSHELL, SandboxShell, environment  # noqa: E402


def test_ctrl_d_exits_0(shell: Any, sandbox: Any) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    assert sh.exit() == 0


def test_exit_command_exits_0(shell: Any, sandbox: Any) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send("exit\r")
    sh.child.expect(pexpect.EOF)
    sh.child.close()
    assert sh.child.exitstatus == 0


def test_tab_completes_a_partial_project_name(shell: Any, sandbox: Any, project_name: str,
                                              create_project: Any, session_id: str) -> None:
    create_project(sandbox.url, session_id, project_name, "completion test")
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.line(f"flows {project_name}")  # now the shell has surely seen the name
    # all but the last two characters: in the suite's shared sandbox a shorter start can also
    # fuzzy-match another random project name, and Tab then moves through a menu of two
    sh.child.send(f"flows {project_name[:-2]}")
    sh.child.expect(re.escape(project_name[:-2]))
    sh.child.send("\t")
    sh.child.expect(re.escape(project_name[-2:]))
    sh.child.send("\r")  # a single match closed the menu: one Enter runs the line
    out = sh.expect_prompt()
    assert "FLOW" in out  # the (empty) table of flows, not an error
    assert "error" not in out
    assert sh.exit() == 0


def test_names_come_back_from_the_cache_after_a_restart(  # noqa: PLR0917
        shell: Any, fresh_sandbox: Any, project_name: str, pty_home: Path,
        create_project: Any, login: Any) -> None:
    create_project(fresh_sandbox.url, login(fresh_sandbox.url), project_name)
    first = shell(fresh_sandbox.url, AZSHELL_PASSWORD="azkaban")
    first.expect_prompt()
    first.line("projects")
    assert first.exit() == 0
    caches = list((pty_home / "cache" / "azshell" / "names").glob("*.json"))
    assert len(caches) == 1
    assert stat.S_IMODE(caches[0].stat().st_mode) == 0o600
    assert project_name in [record[0] for record in json.loads(caches[0].read_text())[1:]]

    # The server forgets every session: the second shell cannot refresh its names, so what
    # Tab offers comes from the cache on disk.
    fresh_sandbox.expire_sessions()
    second = shell(fresh_sandbox.url)
    second.expect_prompt()
    second.line("set")  # a line runs once the saved session is adopted and the cache is read
    second.child.send(f"flows {project_name[:7]}")
    second.child.expect(re.escape(project_name[:7]))
    second.child.send("\t")
    second.child.expect(re.escape(project_name[7:]))
    second.child.sendintr()  # Ctrl-D ends the shell only on an empty line
    second.expect_prompt()
    assert second.exit() == 0


class Slow:
    """Answers a login and /status at once; /slow and executeFlow only when released (or
    after 30 s)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.slow_started = threading.Event()

    def __call__(self, seen: Seen) -> Reply:
        if seen.path == "/slow" or seen.params.get("ajax") == "executeFlow":
            self.slow_started.set()
            self.release.wait(30)
            return Reply.json({"late": True} if seen.path == "/slow" else {"execid": 7})
        if seen.method == "POST":
            return Reply.json({"status": "success", "session.id": "slow-session"})
        return Reply.json({"version": "slow-1.0"} if seen.path == "/status" else {})


class SlowServer(FakeServer):
    def __init__(self) -> None:
        self.script = Slow()
        super().__init__(self.script, login=False)
        self.release, self.slow_started = self.script.release, self.script.slow_started


@pytest.fixture
def slow_server() -> Iterator[SlowServer]:
    with SlowServer() as server:
        yield server
        server.release.set()


IMPORTED = re.compile(r"^import time:.*\|\s*([\w.]+)\s*$", re.MULTILINE)


def test_the_first_prompt_comes_before_the_table_and_the_http_client(shell: Any,
                                                                       sandbox: Any) -> None:
    """With a saved session the prompt is drawn first; the command table, the lexer, the
    completer and the HTTP client are imported after it (-X importtime shows the order)."""
    first = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")  # logs in, saves the session
    first.expect_prompt()
    assert first.exit() == 0
    sh = shell(sandbox.url, PYTHONPROFILEIMPORTTIME="1")
    before = set(IMPORTED.findall(sh.expect_prompt()))
    assert "azshell.shell.interactive.app" in before  # the check sees the imports at all
    late = {"azshell.shell.line.commands", "azshell.shell.interactive.completer",
            "azshell.shell.interactive.lexer", "azshell.client", "requests"}
    assert not late & before
    after = set(IMPORTED.findall(sh.line("whoami")))
    # (importlib.import_module is not in -X importtime's report: the modules the background
    # start imports that way show only through what they import)
    assert {"azshell.shell.line.commands", "azshell.client", "requests"} <= after
    assert sh.exit() == 0


def test_ctrl_c_abandons_a_slow_call_and_the_shell_goes_on(shell: Any,
                                                           slow_server: SlowServer) -> None:
    sh = shell(slow_server.url, AZSHELL_PASSWORD="secret")
    sh.expect_prompt()
    sh.child.send("call /slow\r")
    assert slow_server.slow_started.wait(10)
    sh.child.sendintr()
    out = sh.expect_prompt()
    assert "interrupted" in out
    assert len([line for line in out.splitlines() if "interrupted" in line]) == 1
    assert "Traceback" not in out
    out = sh.line("call /status")  # a fresh connection: not the abandoned answer
    assert "slow-1.0" in out
    assert "late" not in out
    assert sh.exit() == 0


def test_ctrl_c_during_a_state_change_says_its_outcome_is_unknown(
        shell: Any, slow_server: SlowServer) -> None:
    sh = shell(slow_server.url, AZSHELL_PASSWORD="secret")
    sh.expect_prompt()
    sh.child.send("execute demo nightly\r")
    assert slow_server.slow_started.wait(10)
    sh.child.sendintr()
    out = sh.expect_prompt()
    notes = [line for line in out.splitlines() if "interrupted" in line]
    assert len(notes) == 1
    assert "outcome" in notes[0]
    assert "unknown" in notes[0]
    assert "Traceback" not in out
    assert sh.exit() == 0


def test_ctrl_c_at_the_prompt_clears_the_line(shell: Any, sandbox: Any) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    sh.child.send("projects --bogus")
    sh.child.expect("--bogus")
    sh.child.sendintr()
    sh.expect_prompt()
    out = sh.line("whoami")
    assert "unknown option" not in out
    assert "azkaban" in out
    assert sh.exit() == 0


def test_password_is_not_echoed_and_never_reaches_the_history(shell: Any, fresh_sandbox: Any,
                                                              pty_home: Path) -> None:
    sh = shell(fresh_sandbox.url)
    sh.child.expect("Password for azkaban at ")
    sh.child.send("azkaban\r")
    out = sh.expect_prompt()
    assert "*" not in out  # nothing shows, not even stars (as getpass and psql do)
    assert ": azkaban" not in out
    sh.child.send("login\r")  # an explicit login asks again
    sh.child.expect("Password for azkaban at ")
    sh.child.send("azkaban\r")
    assert ": azkaban" not in sh.expect_prompt()
    sh.line("call POST / action=login username=azkaban password=azkaban")
    sh.line("whoami")
    assert sh.exit() == 0
    history = pty_home / "state" / "azshell" / "history"
    text = history.read_text()
    assert "whoami" in text
    assert "login" not in text
    assert "password" not in text
    assert "azkaban" not in text
    assert stat.S_IMODE(history.stat().st_mode) == 0o600


def test_bottom_toolbar_shows_session_and_the_syntax_being_typed(tmp_path: Path,
                                                                 sandbox: Any) -> None:
    """The toolbar needs the terminal's answer to a cursor-position request: give it one."""
    env = environment(tmp_path, AZSHELL_PASSWORD="azkaban")
    del env["PROMPT_TOOLKIT_NO_CPR"]
    child = pexpect.spawn(AZSHELL, [sandbox.url, "--user", "azkaban"], env=env,
                          dimensions=(40, 120), encoding="utf-8", timeout=15)
    try:
        child.expect(re.escape("\x1b[6n"))
        child.send("\x1b[1;1R")  # the cursor is on the first row
        host = sandbox.url.split("://", 1)[1]
        child.expect(re.escape(f"azkaban@{host}  session"))
        child.send("execute ")
        child.expect("PROJECT")
        child.expect("FLOW")
        child.expect(re.escape("[OPTIONS]"))  # too many for 120 columns with the session part
        child.send("demo main --disable ")
        child.expect(re.escape("[--disable JOB]..."))
        child.sendintr()
        # the fresh prompt first: between two prompts the terminal is not in raw mode, and a
        # Ctrl-D typed then is the line discipline's end-of-file, never seen by the shell
        child.expect(re.escape("\x1b[?2004h"))
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


# -- delete asks first, the flows table, --sandbox ---------------------------------------------

def exists(client: Any, project: str) -> bool:
    return project in [p["projectName"] for p in client.projects()]


def test_delete_asks_and_only_yes_deletes(shell: Any, sandbox: Any, client: Any,
                                          three_flows: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    question = re.escape(f"Delete project {three_flows} and its schedules? [y/N]")
    sh.child.send(f"delete {three_flows}\r")
    sh.child.expect(question)
    sh.child.send("n\r")
    kept = sh.expect_prompt()
    assert f"project {three_flows} not deleted" in kept
    assert '"ok"' not in kept  # a no is not an "ok": true
    assert exists(client, three_flows)

    sh.child.send(f"delete {three_flows}\r")
    sh.child.expect(question)
    sh.child.send("y\r")
    gone = sh.expect_prompt()
    assert f"deleted project {three_flows} (id " in gone
    assert "error" not in gone
    assert not exists(client, three_flows)
    assert sh.exit() == 0


def test_the_flows_table_in_a_terminal(shell: Any, sandbox: Any, client: Any,
                                       three_flows: str) -> None:
    sh = shell(sandbox.url, AZSHELL_PASSWORD="azkaban")
    sh.expect_prompt()
    out = sh.line(f"flows {three_flows}")
    lines = [line.strip() for line in out.replace("\r", "").split("\n")]
    at = lines.index("FLOW")
    assert lines[at + 1: at + 4] == client.flows(three_flows)
    assert sorted(lines[at + 1: at + 4]) == ["alpha", "mid", "zeta"]
    assert "{" not in out  # a table, not JSON
    assert sh.exit() == 0


def test_sandbox_option_interactively(tmp_path: Path) -> None:
    sh = SandboxShell(tmp_path)
    try:
        sh.expect_prompt()
        empty = sh.line("projects").replace("\r", "")
        assert re.search(r"^PROJECT +ID +LAST MODIFIED BY +CREATED +USERS\n\(none\)$", empty,
                         re.MULTILINE), empty
        sh.line("create demo")
        listed = ANSI.sub("", sh.line("projects")).replace("\r", "")
        assert re.search(r"^demo +\d+ +azkaban ", listed, re.MULTILINE), listed
        # the docs' own example works here: alice is one of the sandbox's users
        granted = ANSI.sub("", sh.line("grant demo alice read execute"))
        assert "user alice now has READ, EXECUTE on project demo" in granted
        sh.child.sendcontrol("d")  # the project would be lost: asked first (test_pty_safety.py)
        sh.child.expect(re.escape("Quit and lose the sandbox's 1 project? [y/N]"))
        sh.child.send("y\r")
        sh.child.expect(pexpect.EOF)
        sh.child.close()
        assert sh.child.exitstatus == 0
    finally:
        sh.kill()


def test_sandbox_with_examples_has_the_example_projects(tmp_path: Path) -> None:
    child = pexpect.spawn(AZSHELL, ["--sandbox", "--examples"], env=environment(tmp_path),
                          dimensions=(40, 120), encoding="utf-8", timeout=20)
    try:
        child.expect(r"example projects: flow1-etl \(flows audit, finish\); flow1-failing ")
        child.expect(r"azkaban@127\.0\.0\.1:\d+>")
        child.send("projects\r")
        child.expect(r"flow2-trigger")
        child.expect(r"azkaban@127\.0\.0\.1:\d+>")
        child.sendcontrol("d")
        child.expect(re.escape("Quit and lose the sandbox's 4 projects? [y/N]"))
        child.send("y\r")
        child.expect(pexpect.EOF)
    finally:
        child.terminate(force=True)
